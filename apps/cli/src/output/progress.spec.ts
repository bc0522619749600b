import { formatDuration, formatProgress } from './progress';

describe('formatProgress', () => {
  it('shows the bar, percentage, count, rate and ETA of this run', () => {
    const line = formatProgress('events.ndjson', 'events', { done: 500, total: 1_000, count: 20_000, refused: 0 }, 10_000);
    expect(line).toBe('events.ndjson [############............]  50.0% | 20,000 events | 2,000 events/s | ETA 0:10');
  });

  it('measures the rate and ETA from where a resumed run started, and shows refusals', () => {
    // 600 of 1,000 bytes were done before this run; 200 more in 4 s → 50 B/s → 200 left = 4 s.
    const line = formatProgress('f', 'events', { done: 800, total: 1_000, count: 400, refused: 3 }, 4_000, 600);
    expect(line).toBe('f [###################.....]  80.0% | 400 events | 100 events/s | ETA 0:04 | 3 refused');
  });

  it('has no ETA before anything was done', () => {
    expect(formatProgress('f', 'invoices', { done: 0, total: 10, count: 0 }, 0)).toContain('ETA --:--');
  });
});

describe('formatDuration', () => {
  it('writes m:ss, and h:mm:ss from an hour', () => {
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(61.2)).toBe('1:02');
    expect(formatDuration(3_725)).toBe('1:02:05');
  });
});
