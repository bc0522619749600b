import Big from 'big.js';
import { parseTierListProperties, PriceTier, TierListProperties, TierListPropertiesJson, tierListPropertiesToJson } from '../price-tiers';
import type { ChargePrice, PricingModel } from '../pricing-model';
import type { TierBreakdown } from '../tier-breakdown';

/**
 * Graduated (model `tiered`): each tier prices only the units inside (from, upTo], plus its flat
 * amount once the quantity reaches the tier. A quantity of 0 lies in the first tier, so the first
 * tier's flat amount is always charged (as in Stripe and Lago).
 *
 * Breakdown: lists the reached tiers only, in order (the first one always); tiers above the
 * quantity are left out, like Stripe's invoice lines. A quantity exactly at a tier's upTo does not
 * reach the next tier.
 */
export function priceGraduated(tiers: readonly PriceTier[], quantity: Big): ChargePrice {
  const breakdown: TierBreakdown[] = [];
  let from = new Big(0);
  let total = new Big(0);
  for (const [index, tier] of tiers.entries()) {
    if (index > 0 && quantity.lte(from)) break;
    const top = tier.upTo === null || quantity.lt(tier.upTo) ? quantity : tier.upTo;
    const unitsInTier = top.minus(from);
    const amount = unitsInTier.times(tier.unitAmount).plus(tier.flatAmount);
    breakdown.push({
      from,
      upTo: tier.upTo,
      quantity: unitsInTier,
      unitAmount: tier.unitAmount,
      flatAmount: tier.flatAmount,
      amount,
    });
    total = total.plus(amount);
    if (tier.upTo === null) break;
    from = tier.upTo;
  }
  return { amount: total, tiers: breakdown };
}

/** `tiered` (graduated): see priceGraduated. */
export const tieredModel: PricingModel<TierListProperties, TierListPropertiesJson, true> = {
  metered: true,
  propertyFields: { required: ['tiers'], optional: [] },
  tierBreakdown: true,
  parseProperties: parseTierListProperties,
  price: (properties, units) => priceGraduated(properties.tiers, units),
  propertiesToJson: tierListPropertiesToJson,
};
