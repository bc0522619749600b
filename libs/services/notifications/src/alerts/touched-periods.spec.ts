import { periodsOf, touchedPeriods } from './touched-periods';

describe('the periods a batch of usage touches', () => {
  const event = (customer: string, metric: string, timestamp: string) => JSON.stringify({ customer_id: customer, metric_key: metric, timestamp, value: '1' });

  it('groups by customer and metric, one entry per calendar month', () => {
    const touched = touchedPeriods([
      event('a', 'calls', '2026-03-01T00:00:00Z'),
      event('a', 'calls', '2026-03-31T23:59:59+02:00'),
      event('a', 'storage', '2026-04-02T10:00:00Z'),
      event('b', 'calls', '2026-02-28T10:00:00Z'),
      '{broken',
      JSON.stringify({ customer_id: 'c', metric_key: 'calls', timestamp: 'yesterday' }),
      JSON.stringify({ customer_id: 7, metric_key: 'calls', timestamp: '2026-03-01T00:00:00Z' }),
    ]);
    expect([...touched.keys()]).toEqual(['a', 'b']);
    expect(periodsOf(touched, 'a', 'calls').map((p) => p.start.toISOString())).toEqual(['2026-03-01T00:00:00.000Z']);
    expect(periodsOf(touched, 'a', null).map((p) => p.start.toISOString())).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
    expect(periodsOf(touched, 'b', 'storage')).toEqual([]);
    expect(periodsOf(touched, 'z', null)).toEqual([]);
  });
});
