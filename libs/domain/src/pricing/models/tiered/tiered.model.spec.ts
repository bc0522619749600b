import Big from 'big.js';
import fc from 'fast-check';
import { chargesOf } from '../../../testing/plan-charges';
import { FLAT_AND_UNIT_TIERS, orderedQuantityPair, quantityArbitrary, STRIPE_DOCS_TIERS, tierListArbitrary, tiers } from '../../../testing/price-tiers';
import { chargeToJson } from '../../charge-json';
import type { PriceTier } from '../price-tiers';
import { tierBreakdownToJson } from '../tier-breakdown';
import { priceGraduated } from './tiered.model';

const price = (tierList: ReturnType<typeof tiers>, quantity: string) => priceGraduated(tierList, new Big(quantity));
const amountOf = (tierList: ReturnType<typeof tiers>, quantity: string) => price(tierList, quantity).amount.toFixed();

describe('priceGraduated (model tiered)', () => {
  it.each([
    ['0', '0'],
    ['1', '7'],
    ['5', '35'],
    ['6', '41.5'],
    ['10', '67.5'],
    ['11', '73.5'],
    ['20', '127.5'],
    ['5.5', '38.25'],
    ['0.5', '3.5'],
  ])("Stripe's docs tiers: %s units cost %s", (quantity, expected) => {
    expect(amountOf(STRIPE_DOCS_TIERS(), quantity)).toBe(expected);
  });

  it('breaks 20 units down tier by tier, from = previous up_to', () => {
    expect(price(STRIPE_DOCS_TIERS(), '20').tiers.map(tierBreakdownToJson)).toEqual([
      { from: '0', up_to: '5', quantity: '5', unit_amount: '7', flat_amount: '0', amount: '35' },
      { from: '5', up_to: '10', quantity: '5', unit_amount: '6.5', flat_amount: '0', amount: '32.5' },
      { from: '10', up_to: null, quantity: '10', unit_amount: '6', flat_amount: '0', amount: '60' },
    ]);
  });

  it('lists only reached tiers: exactly at up_to stays in that tier', () => {
    const breakdown = price(STRIPE_DOCS_TIERS(), '5').tiers.map(tierBreakdownToJson);
    expect(breakdown).toEqual([{ from: '0', up_to: '5', quantity: '5', unit_amount: '7', flat_amount: '0', amount: '35' }]);
  });

  it('a fractional step above up_to reaches the next tier', () => {
    const breakdown = price(STRIPE_DOCS_TIERS(), '5.000000000001').tiers.map(tierBreakdownToJson);
    expect(breakdown).toHaveLength(2);
    expect(breakdown[1]).toEqual({
      from: '5',
      up_to: '10',
      quantity: '0.000000000001',
      unit_amount: '6.5',
      flat_amount: '0',
      amount: '0.0000000000065',
    });
  });

  it('adds each flat amount once the quantity reaches its tier (12 units → 111)', () => {
    expect(amountOf(FLAT_AND_UNIT_TIERS(), '12')).toBe('111');
    expect(price(FLAT_AND_UNIT_TIERS(), '12').tiers.map((t) => t.amount.toFixed())).toEqual(['55', '40', '16']);
  });

  it.each([
    ['0', '20'], // the first tier's flat amount is always charged
    ['5', '55'], // second tier not reached: no second flat amount
    ['5.5', '68'], // 55 + 0.5 × 6 + 10
    ['10', '95'],
    ['10.25', '102.25'], // 95 + 0.25 × 5 + 6
  ])('flat-and-unit tiers: %s units cost %s', (quantity, expected) => {
    expect(amountOf(FLAT_AND_UNIT_TIERS(), quantity)).toBe(expected);
  });

  it('charges the first flat amount at zero usage and lists the first tier with quantity 0', () => {
    const result = price(FLAT_AND_UNIT_TIERS(), '0');
    expect(result.tiers.map(tierBreakdownToJson)).toEqual([{ from: '0', up_to: '5', quantity: '0', unit_amount: '7', flat_amount: '20', amount: '20' }]);
  });

  it("prices the contract's example (85000 calls → 47.50)", () => {
    const result = price(tiers(['10000', '0.001'], [null, '0.0005']), '85000');
    expect(result.amount.toFixed()).toBe('47.5');
    expect(result.tiers.map(tierBreakdownToJson)).toEqual([
      { from: '0', up_to: '10000', quantity: '10000', unit_amount: '0.001', flat_amount: '0', amount: '10' },
      { from: '10000', up_to: null, quantity: '75000', unit_amount: '0.0005', flat_amount: '0', amount: '37.5' },
    ]);
  });

  it('prices a single open tier like per-unit plus flat', () => {
    expect(amountOf(tiers([null, '0.25', '3']), '10')).toBe('5.5');
  });

  it('is exact for huge quantities (10^30)', () => {
    expect(amountOf(STRIPE_DOCS_TIERS(), '1000000000000000000000000000000')).toBe('6000000000000000000000000000007.5');
  });

  it('is exact for tiny unit prices', () => {
    expect(amountOf(tiers(['1000000', '0.000000000001'], [null, '0.0000000000005']), '3000000')).toBe('0.000002');
  });
});

/** Independent reference: clamp the quantity into each tier's [from, upTo] window. */
function referenceGraduated(tierList: PriceTier[], quantity: Big): Big {
  let total = new Big(0);
  let from = new Big(0);
  tierList.forEach((tier, index) => {
    const reached = index === 0 || quantity.gt(from);
    if (reached) {
      const top = tier.upTo === null ? quantity : quantity.lt(tier.upTo) ? quantity : tier.upTo;
      total = total.plus(top.minus(from).times(tier.unitAmount)).plus(tier.flatAmount);
    }
    if (tier.upTo !== null) from = tier.upTo;
  });
  return total;
}

describe('priceGraduated: properties', () => {
  it('total = sum of its tier amounts, each tier amount = quantity × unit + flat, tier quantities add up', () => {
    fc.assert(
      fc.property(tierListArbitrary, quantityArbitrary, (tierList, quantity) => {
        const result = priceGraduated(tierList, quantity);
        const sum = result.tiers.reduce((acc, tier) => acc.plus(tier.amount), new Big(0));
        expect(result.amount.eq(sum)).toBe(true);
        for (const tier of result.tiers) {
          expect(tier.amount.eq(tier.quantity.times(tier.unitAmount).plus(tier.flatAmount))).toBe(true);
        }
        const units = result.tiers.reduce((acc, tier) => acc.plus(tier.quantity), new Big(0));
        expect(units.eq(quantity)).toBe(true);
      }),
    );
  });

  it('agrees with an independent reference computation', () => {
    fc.assert(
      fc.property(tierListArbitrary, quantityArbitrary, (tierList, quantity) => {
        expect(priceGraduated(tierList, quantity).amount.toFixed()).toBe(referenceGraduated(tierList, quantity).toFixed());
      }),
    );
  });

  it('never decreases as the quantity grows', () => {
    fc.assert(
      fc.property(tierListArbitrary, orderedQuantityPair, (tierList, [low, high]) => {
        expect(priceGraduated(tierList, low).amount.lte(priceGraduated(tierList, high).amount)).toBe(true);
      }),
    );
  });
});

describe('tiered in a plan', () => {
  it("reads the contract's example, number and string bounds, and writes it back with flat_amount explicit", () => {
    const charges = chargesOf([
      {
        metric_key: 'api_calls',
        model: 'tiered',
        properties: {
          tiers: [
            { up_to: 10000, unit_amount: '0.001' },
            { up_to: null, unit_amount: '0.0005' },
          ],
        },
      },
    ]);
    expect(charges.map(chargeToJson)).toEqual([
      {
        metric_key: 'api_calls',
        model: 'tiered',
        properties: {
          tiers: [
            { up_to: '10000', unit_amount: '0.001', flat_amount: '0' },
            { up_to: null, unit_amount: '0.0005', flat_amount: '0' },
          ],
        },
      },
    ]);
  });
});
