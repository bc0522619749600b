import Big from 'big.js';
import { formatDecimal } from '../../../money/decimal';
import { parseAmount, parseOptionalAmount } from '../plan-fields';
import type { ChargePrice, PricingModel } from '../pricing-model';

export interface PackageProperties {
  packageSize: Big;
  packageAmount: Big;
  /** 0 when the plan gave none. */
  freeUnits: Big;
}

export interface PackagePropertiesJson {
  package_size: string;
  package_amount: string;
  free_units: string;
}

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

/** `package`: usage above `free_units` is sold in whole packages of `package_size` units. */
export const packageModel: PricingModel<PackageProperties, PackagePropertiesJson, true> = {
  metered: true,
  propertyFields: { required: ['package_size', 'package_amount'], optional: ['free_units'] },
  tierBreakdown: false,
  parseProperties(properties, path, errors) {
    const packageSize = parseAmount(properties.package_size, `${path}.package_size`, errors);
    if (packageSize?.eq(0)) errors.push({ field: `${path}.package_size`, message: 'must be greater than 0' });
    const packageAmount = parseAmount(properties.package_amount, `${path}.package_amount`, errors);
    const freeUnits = parseOptionalAmount(properties.free_units, `${path}.free_units`, errors);
    return packageSize && !packageSize.eq(0) && packageAmount && freeUnits ? { packageSize, packageAmount, freeUnits } : undefined;
  },
  price: pricePackage,
  propertiesToJson: (properties) => ({
    package_size: formatDecimal(properties.packageSize),
    package_amount: formatDecimal(properties.packageAmount),
    free_units: formatDecimal(properties.freeUnits),
  }),
};
