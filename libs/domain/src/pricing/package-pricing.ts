import Big from 'big.js';
import type { ChargePrice, PackageProperties } from './charge-model';

/** ceil(max(quantity − free_units, 0) / package_size) × package_amount. */
export function pricePackage(properties: PackageProperties, quantity: Big): ChargePrice {
  const billable = quantity.gt(properties.freeUnits) ? quantity.minus(properties.freeUnits) : new Big(0);
  return { amount: packageCount(billable, properties.packageSize).times(properties.packageAmount), tiers: [] };
}

/**
 * ceil(units / size), exact. big.js `div` rounds to Big.DP places first, so a quotient like
 * 2.000…0001 (more digits than DP) would round to 2 and lose the extra package; `mod` truncates
 * exactly, so the quotient is (units − remainder) / size, an exact integer, plus one if anything remains.
 */
export function packageCount(units: Big, size: Big): Big {
  if (size.lte(0)) throw new RangeError('package_size must be greater than 0');
  const remainder = units.mod(size);
  const whole = units.minus(remainder).div(size).round(0, Big.roundDown);
  return remainder.eq(0) ? whole : whole.plus(1);
}
