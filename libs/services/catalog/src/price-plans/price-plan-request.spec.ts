import { parsePricePlanRequest, referencedMetricKeys } from './price-plan-request';

const charge = { metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: 0.5 } };

describe('price plan request', () => {
  it('collects the metric keys the charges name, once each', () => {
    expect(referencedMetricKeys({ charges: [charge, { ...charge }, { model: 'flat_fee' }, 'junk', { metric_key: 7 }] })).toEqual(['api_calls']);
    expect(referencedMetricKeys({ charges: 'none' })).toEqual([]);
    expect(referencedMetricKeys(null)).toEqual([]);
  });

  it('normalises a valid plan: missing name null, amounts as decimal strings', () => {
    expect(parsePricePlanRequest({ id: 'plan_a', currency: 'USD', charges: [charge] }, new Set(['api_calls']))).toEqual({
      ok: true,
      value: {
        id: 'plan_a',
        name: null,
        currency: 'USD',
        charges: [{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '0.5' } }],
        billing_interval: null,
      },
    });
  });

  it('reports top-level and charge problems in one list', () => {
    const result = parsePricePlanRequest({ id: '', currency: 'usd', extra: 1, charges: [charge] }, new Set());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => error.field).sort()).toEqual(['charges[0].metric_key', 'currency', 'extra', 'id'].sort());
  });

  it('takes an optional billing interval and names a bad one', () => {
    const monthly = parsePricePlanRequest({ id: 'plan_m', currency: 'USD', billing_interval: 'month', charges: [charge] }, new Set(['api_calls']));
    expect(monthly.ok && monthly.value.billing_interval).toBe('month');
    const bad = parsePricePlanRequest({ id: 'plan_m', currency: 'USD', billing_interval: 'monthly', charges: [charge] }, new Set(['api_calls']));
    expect(!bad.ok && bad.errors.map((error) => error.field)).toEqual(['billing_interval']);
  });

  it("takes a minimum commitment in the currency's minor unit and refuses a negative one or one with too many places", () => {
    const parse = (currency: string, minimum_amount: unknown) =>
      parsePricePlanRequest({ id: 'plan_min', currency, billing_interval: 'month', minimum_amount, charges: [charge] }, new Set(['api_calls']));
    const usd = parse('USD', '100');
    expect(usd.ok && usd.value.minimum_amount).toBe('100.00');
    const kwd = parse('KWD', '1.250');
    expect(kwd.ok && kwd.value.minimum_amount).toBe('1.250');
    for (const [currency, value] of [
      ['USD', '-1'],
      ['JPY', '10.5'],
      ['USD', 'lots'],
    ]) {
      const refused = parse(currency, value);
      expect(!refused.ok && refused.errors.map((error) => error.field)).toEqual(['minimum_amount']);
    }
    const none = parsePricePlanRequest({ id: 'plan_min', currency: 'USD', charges: [charge] }, new Set(['api_calls']));
    expect(none.ok && 'minimum_amount' in none.value).toBe(false);
  });

  it('refuses a body that is not an object', () => {
    expect(parsePricePlanRequest([charge], new Set())).toEqual({ ok: false, errors: [{ field: 'body', message: 'must be a JSON object' }] });
  });
});
