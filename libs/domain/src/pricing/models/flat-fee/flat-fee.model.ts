import Big from 'big.js';
import { formatDecimal } from '../../../money/decimal';
import { parseAmount } from '../plan-fields';
import type { ChargePrice, PricingModel } from '../pricing-model';

export interface FlatFeeProperties {
  amount: Big;
}

export interface FlatFeePropertiesJson {
  amount: string;
}

/** The fee once per invoiced period, whatever the usage. */
export function priceFlatFee(properties: FlatFeeProperties): ChargePrice {
  return { amount: new Big(properties.amount), tiers: [] };
}

/** `flat_fee`: billed once per invoiced period, independent of usage, so it has no metric. */
export const flatFeeModel: PricingModel<FlatFeeProperties, FlatFeePropertiesJson, false> = {
  metered: false,
  whyNoMetric: 'a flat fee does not depend on usage',
  propertyFields: { required: ['amount'], optional: [] },
  tierBreakdown: false,
  parseProperties(properties, path, errors) {
    const amount = parseAmount(properties.amount, `${path}.amount`, errors);
    return amount ? { amount } : undefined;
  },
  price: (properties) => priceFlatFee(properties),
  propertiesToJson: (properties) => ({ amount: formatDecimal(properties.amount) }),
};
