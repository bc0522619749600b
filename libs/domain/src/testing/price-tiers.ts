import Big from 'big.js';
import fc from 'fast-check';
import type { PriceTier } from '../pricing/models/price-tiers';
import { decimalBig } from './decimal-arbitraries';

/** Compact tier literal for tests: [upTo | null, unitAmount, flatAmount?]. */
export type TierSpec = [string | null, string, string?];

export function tiers(...specs: TierSpec[]): PriceTier[] {
  return specs.map(([upTo, unitAmount, flatAmount = '0']) => ({
    upTo: upTo === null ? null : new Big(upTo),
    unitAmount: new Big(unitAmount),
    flatAmount: new Big(flatAmount),
  }));
}

/** Stripe's graduated/volume docs example: 1–5 at 7, 6–10 at 6.5, 11+ at 6. */
export const STRIPE_DOCS_TIERS = (): PriceTier[] => tiers(['5', '7'], ['10', '6.5'], [null, '6']);

/**
 * Tiers with flat amounts, built so that 12 units cost 66 by volume (12 × 5 + 6) and 111
 * graduated (5 × 7 + 20, then 5 × 6 + 10, then 2 × 5 + 6).
 */
export const FLAT_AND_UNIT_TIERS = (): PriceTier[] => tiers(['5', '7', '20'], ['10', '6', '10'], [null, '5', '6']);

/** 1–5 valid tiers: strictly ascending positive bounds (cumulative positive widths), last open. */
export const tierListArbitrary: fc.Arbitrary<PriceTier[]> = fc
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

/** Usage quantities for property tests: up to 6 integer and 4 fractional digits, never negative. */
export const quantityArbitrary = decimalBig({ maxIntegerDigits: 6, maxFractionDigits: 4 });

/** Two quantities, the smaller first. */
export const orderedQuantityPair = fc.tuple(quantityArbitrary, quantityArbitrary).map(([a, b]) => (a.lte(b) ? [a, b] : [b, a]));
