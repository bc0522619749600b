import { parseUsageQuery } from './usage-query-params';

const valid = { customer_id: 'cust_acme', metric_key: 'api_calls', period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00+02:00' };

describe('parseUsageQuery', () => {
  it('reads a complete query, normalising instants to UTC', () => {
    const parsed = parseUsageQuery({ ...valid, subscription_id: 'sub_1' }, { granularity: false });
    expect(parsed.ok && [parsed.query.subscriptionId, parsed.query.end.iso]).toEqual(['sub_1', '2026-03-31T22:00:00.000Z']);
  });

  it('names every missing field of an empty query', () => {
    expect(parseUsageQuery({}, { granularity: true })).toEqual({
      ok: false,
      errors: ['customer_id', 'metric_key', 'period_start', 'period_end', 'granularity'].map((field) => ({ field, message: 'is required' })),
    });
  });

  it('refuses unknown fields, repeated parameters, a reversed period and a bad granularity', () => {
    const parsed = parseUsageQuery(
      { ...valid, customer_id: ['a', 'b'], period_end: valid.period_start, granularity: 'week', page: '2' },
      { granularity: true },
    );
    expect(!parsed.ok && parsed.errors).toEqual([
      { field: 'page', message: 'is not a known field' },
      { field: 'customer_id', message: 'must be given once' },
      { field: 'period_end', message: 'must be after period_start' },
      { field: 'granularity', message: 'must be "hour" or "day"' },
    ]);
  });

  it('refuses granularity where it has no meaning', () => {
    const parsed = parseUsageQuery({ ...valid, granularity: 'hour' }, { granularity: false });
    expect(!parsed.ok && parsed.errors).toEqual([{ field: 'granularity', message: 'is not a known field' }]);
  });

  it('refuses a period outside 1970–9999 (year 0000 reached PostgreSQL as a 500), naming the field', () => {
    const range = 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z';
    const early = parseUsageQuery({ ...valid, period_start: '0000-01-01T00:00:00Z', period_end: '0000-01-02T00:00:00Z' }, { granularity: false });
    expect(!early.ok && early.errors).toEqual([
      { field: 'period_start', message: range },
      { field: 'period_end', message: range },
    ]);
    const late = parseUsageQuery({ ...valid, period_end: '9999-12-31T23:59:59-01:00' }, { granularity: false });
    expect(!late.ok && late.errors).toEqual([{ field: 'period_end', message: range }]);
    expect(parseUsageQuery({ ...valid, period_start: '1970-01-01T00:00:00Z', period_end: '9999-12-31T23:59:59Z' }, { granularity: false }).ok).toBe(true);
  });
});
