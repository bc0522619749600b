import { displayDate, displayPeriod, dueDate } from './date-display';

const at = (iso: string) => new Date(iso);

describe('dates and periods on documents', () => {
  it('writes a date in UTC', () => {
    expect(displayDate(at('2026-11-01T00:00:00Z'))).toBe('1 Nov 2026');
    expect(displayDate(at('2026-11-30T23:30:00-05:00'))).toBe('1 Dec 2026');
  });

  it('writes a period of whole days as its first and last day', () => {
    expect(displayPeriod(at('2026-11-01T00:00:00Z'), at('2026-12-01T00:00:00Z'))).toBe('1 Nov 2026 – 30 Nov 2026');
    expect(displayPeriod(at('2026-01-01T00:00:00Z'), at('2026-04-01T00:00:00Z'))).toBe('1 Jan 2026 – 31 Mar 2026');
    expect(displayPeriod(at('2026-02-28T00:00:00Z'), at('2026-03-01T00:00:00Z'))).toBe('28 Feb 2026');
  });

  it('adds times, as precise as needed, when an end is not at midnight', () => {
    expect(displayPeriod(at('2026-11-11T14:38:00Z'), at('2026-12-01T00:00:00Z'))).toBe('11 Nov 2026 14:38 – 1 Dec 2026 00:00 UTC');
    expect(displayPeriod(at('2026-03-01T00:00:00Z'), at('2026-03-31T23:59:59Z'))).toBe('1 Mar 2026 00:00:00 – 31 Mar 2026 23:59:59 UTC');
    expect(displayPeriod(at('2026-11-11T14:38:03.891Z'), at('2026-12-01T14:38:04.941Z'))).toBe('11 Nov 2026 14:38:03.891 – 1 Dec 2026 14:38:04.941 UTC');
  });

  it('puts the due date the payment terms after the issue', () => {
    expect(dueDate(at('2026-12-01T08:00:00Z'), 30).toISOString()).toBe('2026-12-31T08:00:00.000Z');
    expect(dueDate(at('2026-12-01T08:00:00Z'), 0).toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(() => dueDate(at('2026-12-01T08:00:00Z'), -1)).toThrow(RangeError);
    expect(() => dueDate(at('2026-12-01T08:00:00Z'), 1.5)).toThrow(RangeError);
  });
});
