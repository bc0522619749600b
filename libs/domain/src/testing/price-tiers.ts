import Big from 'big.js';
import type { PriceTier } from '../pricing/charge-model';

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
