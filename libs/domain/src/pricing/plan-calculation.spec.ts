import Big from 'big.js';
import { FLAT_AND_UNIT_TIERS, STRIPE_DOCS_TIERS } from '../testing/price-tiers';
import type { Charge } from './models/registry';
import { calculatePlanCharges, meteredMetricKeys } from './plan-calculation';

/** One ungrouped usage per metered charge from quantities by metric (and event values for per-event charges). */
const calculate = (charges: Charge[], currency: string, quantities: Record<string, string>, billable = true, events?: Map<string, Big[]>) =>
  calculatePlanCharges(
    charges,
    currency,
    charges.map((charge) =>
      charge.metricKey === undefined || quantities[charge.metricKey] === undefined
        ? undefined
        : [{ group: {}, quantity: new Big(quantities[charge.metricKey]), eventValues: events?.get(charge.metricKey) }],
    ),
    billable,
  );
const amounts = (result: ReturnType<typeof calculatePlanCharges>) => result.lineItems.map((item) => item.amount.toFixed());

describe('calculatePlanCharges', () => {
  const graduated: Charge = { model: 'tiered', metricKey: 'calls', properties: { tiers: STRIPE_DOCS_TIERS() } };
  const volume: Charge = { model: 'volume', metricKey: 'calls', properties: { tiers: STRIPE_DOCS_TIERS() } };

  it.each([
    ['6', '41.5', '39'],
    ['20', '127.5', '120'],
  ])("prices Stripe's tier example at %s units: graduated %s, volume %s", (quantity, graduatedAmount, volumeAmount) => {
    expect(calculate([graduated], 'USD', { calls: quantity }).total.toFixed()).toBe(graduatedAmount);
    expect(calculate([volume], 'USD', { calls: quantity }).total.toFixed()).toBe(volumeAmount);
  });

  it('prices flat-plus-unit tiers: 12 units are 66 by volume and 111 graduated', () => {
    const tiers = FLAT_AND_UNIT_TIERS();
    expect(calculate([{ model: 'volume', metricKey: 'm', properties: { tiers } }], 'USD', { m: '12' }).total.toFixed()).toBe('66');
    const result = calculate([{ model: 'tiered', metricKey: 'm', properties: { tiers } }], 'USD', { m: '12' });
    expect(result.total.toFixed()).toBe('111');
    expect(result.lineItems[0].tiers.map((tier) => tier.amount.toFixed())).toEqual(['55', '40', '16']);
  });

  it('rounds each line once, half-up, and totals the rounded lines', () => {
    const charges: Charge[] = [
      { model: 'per_unit', metricKey: 'a', properties: { unitAmount: new Big('0.001') } },
      { model: 'per_unit', metricKey: 'b', properties: { unitAmount: new Big('0.001') } },
    ];
    const result = calculate(charges, 'USD', { a: '5', b: '5' });
    // Each 0.005 rounds up to 0.01; rounding the exact sum (0.01) would disagree with the lines.
    expect(amounts(result)).toEqual(['0.01', '0.01']);
    expect(result.total.toFixed()).toBe('0.02');
  });

  it("rounds to the currency's minor unit: JPY whole yen, KWD three decimals", () => {
    const charge: Charge = { model: 'per_unit', metricKey: 'm', properties: { unitAmount: new Big('0.5') } };
    expect(calculate([charge], 'JPY', { m: '3' }).total.toFixed()).toBe('2'); // 1.5 → 2
    expect(calculate([charge], 'JPY', { m: '2.9' }).total.toFixed()).toBe('1'); // 1.45 → 1
    const fine: Charge = { model: 'per_unit', metricKey: 'm', properties: { unitAmount: new Big('0.0005') } };
    expect(calculate([fine], 'KWD', { m: '2469' }).total.toFixed()).toBe('1.235'); // 1.2345
    expect(calculate([fine], 'KWD', { m: '2467' }).total.toFixed()).toBe('1.234'); // 1.2335 → 1.234
  });

  it('bills a flat fee once with quantity 1, whatever the usage of other charges', () => {
    const charges: Charge[] = [{ model: 'flat_fee', properties: { amount: new Big('49.99') } }, graduated];
    const result = calculate(charges, 'USD', { calls: '0' });
    expect(result.lineItems[0]).toMatchObject({ metricKey: null, model: 'flat_fee' });
    expect(result.lineItems[0].quantity.toFixed()).toBe('1');
    expect(amounts(result)).toEqual(['49.99', '0']);
  });

  it('keeps a negative measured quantity on the line but bills it as zero', () => {
    const charge: Charge = { model: 'per_unit', metricKey: 'm', properties: { unitAmount: new Big('2') } };
    const result = calculate([charge], 'USD', { m: '-3' });
    expect(result.lineItems[0].quantity.toFixed()).toBe('-3');
    expect(result.total.toFixed()).toBe('0');
  });

  it('bills nothing, flat fees included, when the subscription ended before the window', () => {
    const charges: Charge[] = [{ model: 'flat_fee', properties: { amount: new Big('10') } }, graduated];
    const result = calculate(charges, 'USD', { calls: '20' }, false);
    expect(amounts(result)).toEqual(['0', '0']);
    expect(result.lineItems.map((item) => item.quantity.toFixed())).toEqual(['0', '0']);
    expect(result.total.toFixed()).toBe('0');
  });

  it('prices a percentage charge event by event and rounds the line once', () => {
    const fee: Charge = {
      model: 'percentage',
      metricKey: 'payments',
      properties: { rate: new Big('2.9'), fixedAmount: new Big('0.3'), minPerEvent: null, maxPerEvent: null },
    };
    const events = new Map([['payments', ['100', '10.01'].map((value) => new Big(value))]]);
    // Stripe-style 2.9 % + 0.30 on two payments: 3.2 + 0.59029 = 3.79029, rounded once.
    const result = calculate([fee], 'USD', { payments: '110.01' }, true, events);
    expect(result.lineItems[0]).toMatchObject({ quantity: new Big('110.01'), tiers: [] });
    expect(amounts(result)).toEqual(['3.79']);
    expect(() => calculate([fee], 'USD', { payments: '110.01' })).toThrow('no event values given for metric payments');
  });

  it('throws when a metered charge has no usage (a caller bug, never user input)', () => {
    expect(() => calculate([graduated], 'USD', {})).toThrow('no usage given for charge 0 (metric calls)');
  });
});

describe('meteredMetricKeys', () => {
  it('lists each metric once, in charge order, flat fees excluded', () => {
    const charges: Charge[] = [
      { model: 'per_unit', metricKey: 'b', properties: { unitAmount: new Big(1) } },
      { model: 'flat_fee', properties: { amount: new Big(1) } },
      { model: 'per_unit', metricKey: 'a', properties: { unitAmount: new Big(1) } },
    ];
    expect(meteredMetricKeys(charges)).toEqual(['b', 'a']);
  });
});
