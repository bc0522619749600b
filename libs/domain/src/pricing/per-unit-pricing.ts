import type Big from 'big.js';
import type { ChargePrice, PerUnitProperties } from './charge-model';

/** quantity × unit_amount, exact (no rounding here; see priceLineItem). */
export function pricePerUnit(properties: PerUnitProperties, quantity: Big): ChargePrice {
  return { amount: quantity.times(properties.unitAmount), tiers: [] };
}
