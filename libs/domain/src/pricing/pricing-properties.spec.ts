import Big from 'big.js';
import fc from 'fast-check';
import { CURRENCY_CODES, minorUnitOf } from '../money/currency';
import { decimalBig } from '../testing/decimal-arbitraries';
import type { PriceTier } from './charge-model';
import { pricePackage } from './package-pricing';
import { pricePerUnit } from './per-unit-pricing';
import { priceGraduated } from './graduated-pricing';
import { priceLineItem } from './price-charge';
import { priceVolume } from './volume-pricing';

/** 1–5 valid tiers: strictly ascending positive bounds (cumulative positive widths), last open. */
const tierListArb: fc.Arbitrary<PriceTier[]> = fc
  .array(
    fc.record({
      width: decimalBig({ maxIntegerDigits: 4, maxFractionDigits: 3, positive: true }),
      unitAmount: decimalBig({ maxIntegerDigits: 3, maxFractionDigits: 6 }),
      flatAmount: decimalBig({ maxIntegerDigits: 3, maxFractionDigits: 2 }),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((specs) => {
    let bound = new Big(0);
    return specs.map((spec, index) => {
      bound = bound.plus(spec.width);
      return { upTo: index === specs.length - 1 ? null : bound, unitAmount: spec.unitAmount, flatAmount: spec.flatAmount };
    });
  });

const quantityArb = decimalBig({ maxIntegerDigits: 6, maxFractionDigits: 4 });

/** Independent reference: clamp the quantity into each tier's [from, upTo] window. */
function referenceGraduated(tiers: PriceTier[], quantity: Big): Big {
  let total = new Big(0);
  let from = new Big(0);
  tiers.forEach((tier, index) => {
    const reached = index === 0 || quantity.gt(from);
    if (reached) {
      const top = tier.upTo === null ? quantity : quantity.lt(tier.upTo) ? quantity : tier.upTo;
      total = total.plus(top.minus(from).times(tier.unitAmount)).plus(tier.flatAmount);
    }
    if (tier.upTo !== null) from = tier.upTo;
  });
  return total;
}

describe('pricing properties', () => {
  it('graduated total = sum of its tier amounts, and each tier amount = quantity × unit + flat', () => {
    fc.assert(
      fc.property(tierListArb, quantityArb, (tiers, quantity) => {
        const result = priceGraduated(tiers, quantity);
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

  it('graduated agrees with an independent reference computation', () => {
    fc.assert(
      fc.property(tierListArb, quantityArb, (tiers, quantity) => {
        expect(priceGraduated(tiers, quantity).amount.toFixed()).toBe(referenceGraduated(tiers, quantity).toFixed());
      }),
    );
  });

  it('graduated and volume agree when there is a single tier', () => {
    fc.assert(
      fc.property(decimalBig({ maxFractionDigits: 6 }), decimalBig({ maxFractionDigits: 2 }), quantityArb, (unitAmount, flatAmount, quantity) => {
        const tiers: PriceTier[] = [{ upTo: null, unitAmount, flatAmount }];
        expect(priceGraduated(tiers, quantity).amount.eq(priceVolume(tiers, quantity).amount)).toBe(true);
      }),
    );
  });

  it('volume prices the whole quantity in one tier containing it', () => {
    fc.assert(
      fc.property(tierListArb, quantityArb, (tiers, quantity) => {
        const [used] = priceVolume(tiers, quantity).tiers;
        expect(used.quantity.eq(quantity)).toBe(true);
        expect(quantity.gt(used.from) || used.from.eq(0)).toBe(true);
        expect(used.upTo === null || quantity.lte(used.upTo)).toBe(true);
      }),
    );
  });

  // Monotonicity holds for per_unit, graduated and package with non-negative prices. Volume is only
  // monotone when unit and flat amounts never decrease from tier to tier: with cheaper upper tiers
  // the total drops when a quantity crosses an edge (10 units → 65, 10.5 → 63 in Stripe's example).
  describe('totals never decrease as the quantity grows', () => {
    const twoQuantities = fc.tuple(quantityArb, quantityArb).map(([a, b]) => (a.lte(b) ? [a, b] : [b, a]));

    it('per_unit', () => {
      fc.assert(
        fc.property(decimalBig({ maxFractionDigits: 6 }), twoQuantities, (unitAmount, [low, high]) => {
          expect(pricePerUnit({ unitAmount }, low).amount.lte(pricePerUnit({ unitAmount }, high).amount)).toBe(true);
        }),
      );
    });

    it('tiered (graduated)', () => {
      fc.assert(
        fc.property(tierListArb, twoQuantities, (tiers, [low, high]) => {
          expect(priceGraduated(tiers, low).amount.lte(priceGraduated(tiers, high).amount)).toBe(true);
        }),
      );
    });

    it('package', () => {
      fc.assert(
        fc.property(
          decimalBig({ maxIntegerDigits: 3, maxFractionDigits: 2, positive: true }),
          decimalBig({ maxFractionDigits: 2 }),
          decimalBig({ maxIntegerDigits: 3, maxFractionDigits: 1 }),
          twoQuantities,
          (packageSize, packageAmount, freeUnits, [low, high]) => {
            const props = { packageSize, packageAmount, freeUnits };
            expect(pricePackage(props, low).amount.lte(pricePackage(props, high).amount)).toBe(true);
          },
        ),
      );
    });

    it('volume, when unit and flat amounts do not decrease from tier to tier', () => {
      const nonDecreasingTiers = tierListArb.map((tiers) => {
        const units = tiers.map((t) => t.unitAmount).sort((a, b) => a.cmp(b));
        const flats = tiers.map((t) => t.flatAmount).sort((a, b) => a.cmp(b));
        return tiers.map((t, i) => ({ ...t, unitAmount: units[i], flatAmount: flats[i] }));
      });
      fc.assert(
        fc.property(nonDecreasingTiers, twoQuantities, (tiers, [low, high]) => {
          expect(priceVolume(tiers, low).amount.lte(priceVolume(tiers, high).amount)).toBe(true);
        }),
      );
    });
  });

  it('a line item is the exact amount rounded once, half-up, to the minor unit', () => {
    fc.assert(
      fc.property(tierListArb, quantityArb, fc.constantFrom(...CURRENCY_CODES), (tiers, quantity, currency) => {
        const result = priceLineItem({ model: 'tiered', metricKey: 'm', properties: { tiers } }, quantity, currency);
        const digits = minorUnitOf(currency);
        const halfUnit = new Big(5).times(new Big(10).pow(-(digits + 1)));
        const difference = result.amount.minus(result.unroundedAmount);
        expect(result.amount.eq(result.amount.round(digits, Big.roundDown))).toBe(true);
        expect(difference.abs().lte(halfUnit)).toBe(true);
        expect(difference.eq(halfUnit.times(-1))).toBe(false); // exact halves go up
      }),
    );
  });
});
