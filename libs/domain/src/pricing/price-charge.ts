import Big from 'big.js';
import { CurrencyCode, roundToMinorUnit } from '../money/currency';
import type { Charge, ChargePrice, TierBreakdown } from './charge-model';
import { priceFlatFee } from './flat-fee-pricing';
import { priceGraduated } from './graduated-pricing';
import { pricePackage } from './package-pricing';
import { pricePerUnit } from './per-unit-pricing';
import { priceVolume } from './volume-pricing';

/**
 * Exact (unrounded) price of one charge for a period's quantity. `quantity` is ignored by flat_fee.
 * A negative quantity (possible with signed sum or latest metrics) is priced as 0 units: usage
 * never turns into a credit. The caller still reports the raw quantity on the line item.
 */
export function priceCharge(charge: Charge, quantity: Big): ChargePrice {
  const units = quantity.lt(0) ? new Big(0) : quantity;
  switch (charge.model) {
    case 'per_unit':
      return pricePerUnit(charge.properties, units);
    case 'tiered':
      return priceGraduated(charge.properties.tiers, units);
    case 'volume':
      return priceVolume(charge.properties.tiers, units);
    case 'package':
      return pricePackage(charge.properties, units);
    case 'flat_fee':
      return priceFlatFee(charge.properties);
    default:
      return assertNever(charge);
  }
}

export interface LineItemPrice {
  /** Rounded once, half-up, to the currency's minor unit: the figure that is invoiced. */
  amount: Big;
  /** The exact price before that single rounding. */
  unroundedAmount: Big;
  /** Tier breakdown with exact (unrounded) tier amounts; empty for non-tiered models. */
  tiers: TierBreakdown[];
}

/** Price of one line item in `currency`: rounded once at the end, never per tier. */
export function priceLineItem(charge: Charge, quantity: Big, currency: CurrencyCode | string): LineItemPrice {
  const price = priceCharge(charge, quantity);
  return { amount: roundToMinorUnit(price.amount, currency), unroundedAmount: price.amount, tiers: price.tiers };
}

function assertNever(value: never): never {
  throw new TypeError(`unknown charge model: ${JSON.stringify(value)}`);
}
