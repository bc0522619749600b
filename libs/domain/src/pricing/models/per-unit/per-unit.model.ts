import type Big from 'big.js';
import { formatDecimal } from '../../../money/decimal';
import { parseAmount } from '../plan-fields';
import type { ChargePrice, PricingModel } from '../pricing-model';

export interface PerUnitProperties {
  unitAmount: Big;
}

export interface PerUnitPropertiesJson {
  unit_amount: string;
}

/** quantity × unit_amount, exact (no rounding here; see priceLineItem). */
export function pricePerUnit(properties: PerUnitProperties, quantity: Big): ChargePrice {
  return { amount: quantity.times(properties.unitAmount), tiers: [] };
}

/** `per_unit`: every unit of the metric at `unit_amount`. */
export const perUnitModel: PricingModel<PerUnitProperties, PerUnitPropertiesJson, true> = {
  metered: true,
  propertyFields: { required: ['unit_amount'], optional: [] },
  tierBreakdown: false,
  parseProperties(properties, path, errors) {
    const unitAmount = parseAmount(properties.unit_amount, `${path}.unit_amount`, errors);
    return unitAmount ? { unitAmount } : undefined;
  },
  price: pricePerUnit,
  propertiesToJson: (properties) => ({ unit_amount: formatDecimal(properties.unitAmount) }),
};
