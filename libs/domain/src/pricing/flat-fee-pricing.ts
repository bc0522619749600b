import Big from 'big.js';
import type { ChargePrice, FlatFeeProperties } from './charge-model';

/** The fee once per invoiced period, whatever the usage. */
export function priceFlatFee(properties: FlatFeeProperties): ChargePrice {
  return { amount: new Big(properties.amount), tiers: [] };
}
