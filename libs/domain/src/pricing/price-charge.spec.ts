import Big from 'big.js';
import fc from 'fast-check';
import { CURRENCY_CODES, minorUnitOf } from '../money/currency';
import { quantityArbitrary, STRIPE_DOCS_TIERS, tierListArbitrary, tiers } from '../testing/price-tiers';
import type { Charge } from './models/registry';
import { priceCharge, priceLineItem } from './price-charge';

const perUnit = (unitAmount: string): Charge => ({ model: 'per_unit', metricKey: 'api_calls', properties: { unitAmount: new Big(unitAmount) } });

describe('priceCharge', () => {
  it('dispatches every model', () => {
    const q = new Big(20);
    expect(priceCharge(perUnit('0.5'), q).amount.toFixed()).toBe('10');
    expect(priceCharge({ model: 'tiered', metricKey: 'm', properties: { tiers: STRIPE_DOCS_TIERS() } }, q).amount.toFixed()).toBe('127.5');
    expect(priceCharge({ model: 'volume', metricKey: 'm', properties: { tiers: STRIPE_DOCS_TIERS() } }, q).amount.toFixed()).toBe('120');
    expect(
      priceCharge(
        { model: 'package', metricKey: 'm', properties: { packageSize: new Big(8), packageAmount: new Big(3), freeUnits: new Big(0) } },
        q,
      ).amount.toFixed(),
    ).toBe('9');
    expect(priceCharge({ model: 'flat_fee', properties: { amount: new Big('99') } }, q).amount.toFixed()).toBe('99');
  });

  it('charges a flat fee whatever the quantity', () => {
    const fee: Charge = { model: 'flat_fee', properties: { amount: new Big('49.99') } };
    expect(priceCharge(fee, new Big(0)).amount.toFixed()).toBe('49.99');
    expect(priceCharge(fee, new Big('1e30')).amount.toFixed()).toBe('49.99');
  });

  it('prices a negative aggregate as zero units (never a credit)', () => {
    expect(priceCharge(perUnit('2'), new Big('-5')).amount.toFixed()).toBe('0');
    const graduated: Charge = { model: 'tiered', metricKey: 'm', properties: { tiers: tiers(['5', '1', '4'], [null, '1']) } };
    const result = priceCharge(graduated, new Big('-5'));
    expect(result.amount.toFixed()).toBe('4');
    expect(result.tiers[0].quantity.toFixed()).toBe('0');
  });

  it('does not depend on Big.DP or Big.RM', () => {
    const charge: Charge = {
      model: 'package',
      metricKey: 'm',
      properties: { packageSize: new Big('0.3'), packageAmount: new Big('1.25'), freeUnits: new Big('0.1') },
    };
    const before = priceLineItem(charge, new Big('1.0000001'), 'USD').amount.toFixed();
    const { DP, RM } = Big;
    try {
      Big.DP = 0;
      Big.RM = Big.roundDown;
      expect(priceLineItem(charge, new Big('1.0000001'), 'USD').amount.toFixed()).toBe(before);
    } finally {
      Big.DP = DP;
      Big.RM = RM;
    }
    expect(before).toBe('5'); // (1.0000001 − 0.1) / 0.3 = 3.0000003… → 4 packages × 1.25
  });
});

describe('priceLineItem', () => {
  it('rounds once, half-up, to the currency minor unit, keeping the exact amount', () => {
    const result = priceLineItem(perUnit('0.0005'), new Big('85001'), 'USD');
    expect(result.unroundedAmount.toFixed()).toBe('42.5005');
    expect(result.amount.toFixed()).toBe('42.5');
  });

  it('rounds the total, not each tier (per-tier rounding would give a different figure)', () => {
    // Each tier costs 0.005: rounded per tier that is 0.01 + 0.01 = 0.02; the exact total 0.01.
    const charge: Charge = { model: 'tiered', metricKey: 'm', properties: { tiers: tiers(['1', '0.005'], [null, '0.005']) } };
    const result = priceLineItem(charge, new Big(2), 'USD');
    expect(result.tiers.map((t) => t.amount.toFixed())).toEqual(['0.005', '0.005']);
    expect(result.amount.toFixed(2)).toBe('0.01');
  });

  it.each([
    ['0.5', 'JPY', '1'],
    ['0.4999', 'JPY', '0'],
    ['119.5', 'JPY', '120'],
    ['1.2345', 'KWD', '1.235'],
    ['1.23449', 'KWD', '1.234'],
    ['2.345', 'USD', '2.35'],
    ['0.00005', 'CLF', '0.0001'],
  ])('a unit price of %s for one unit in %s is billed %s', (unitAmount, currency, expected) => {
    expect(priceLineItem(perUnit(unitAmount), new Big(1), currency).amount.toFixed()).toBe(new Big(expected).toFixed());
  });

  it('is the exact amount rounded once, half-up, to the minor unit (any tiers, quantity, currency)', () => {
    fc.assert(
      fc.property(tierListArbitrary, quantityArbitrary, fc.constantFrom(...CURRENCY_CODES), (tierList, quantity, currency) => {
        const result = priceLineItem({ model: 'tiered', metricKey: 'm', properties: { tiers: tierList } }, quantity, currency);
        const digits = minorUnitOf(currency);
        const halfUnit = new Big(5).times(new Big(10).pow(-(digits + 1)));
        const difference = result.amount.minus(result.unroundedAmount);
        expect(result.amount.eq(result.amount.round(digits, Big.roundDown))).toBe(true);
        expect(difference.abs().lte(halfUnit)).toBe(true);
        expect(difference.eq(halfUnit.times(-1))).toBe(false); // exact halves go up
      }),
    );
  });

  it('throws on an unknown currency', () => {
    expect(() => priceLineItem(perUnit('1'), new Big(1), 'ABC')).toThrow('unknown ISO 4217 currency code');
  });
});
