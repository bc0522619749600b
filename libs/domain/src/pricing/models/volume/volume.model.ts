import Big from 'big.js';
import { parseTierListProperties, PriceTier, TierListProperties, TierListPropertiesJson, tierListPropertiesToJson } from '../price-tiers';
import type { ChargePrice, PricingModel } from '../pricing-model';

/**
 * Volume: the whole quantity is priced at the single tier the total falls into, plus that tier's
 * flat amount. `upTo` is inclusive and a fractional quantity above it belongs to the next tier
 * (100.5 with upTo 100 is priced by the second tier). Quantity 0 falls into the first tier.
 */
export function priceVolume(tiers: readonly PriceTier[], quantity: Big): ChargePrice {
  let from = new Big(0);
  for (const tier of tiers) {
    if (tier.upTo === null || quantity.lte(tier.upTo)) {
      const amount = quantity.times(tier.unitAmount).plus(tier.flatAmount);
      return {
        amount,
        tiers: [{ from, upTo: tier.upTo, quantity, unitAmount: tier.unitAmount, flatAmount: tier.flatAmount, amount }],
      };
    }
    from = tier.upTo;
  }
  // Validated plans always end with an open tier; reaching here means the caller skipped validation.
  throw new RangeError(`quantity ${quantity.toFixed()} is above the last tier; the last tier must have up_to null`);
}

/** `volume`: see priceVolume. Its breakdown has exactly one entry, the tier used. */
export const volumeModel: PricingModel<TierListProperties, TierListPropertiesJson, true> = {
  metered: true,
  propertyFields: { required: ['tiers'], optional: [] },
  tierBreakdown: true,
  parseProperties: parseTierListProperties,
  price: (properties, units) => priceVolume(properties.tiers, units),
  propertiesToJson: tierListPropertiesToJson,
};
