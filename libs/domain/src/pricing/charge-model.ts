import type Big from 'big.js';

/** The charge models of the contract; `tiered` is graduated pricing. */
export type ChargeModel = 'per_unit' | 'tiered' | 'volume' | 'package' | 'flat_fee';

export const CHARGE_MODELS: readonly ChargeModel[] = ['per_unit', 'tiered', 'volume', 'package', 'flat_fee'];

/** One tier of a tiered or volume charge. `upTo` is inclusive; null means no upper bound. */
export interface PriceTier {
  upTo: Big | null;
  unitAmount: Big;
  /** 0 when the plan gave none. */
  flatAmount: Big;
}

export interface PerUnitProperties {
  unitAmount: Big;
}

export interface TieredProperties {
  /** Non-empty, strictly ascending `upTo`, the last one null (checked by price-plan-validation). */
  tiers: PriceTier[];
}

export interface PackageProperties {
  packageSize: Big;
  packageAmount: Big;
  /** 0 when the plan gave none. */
  freeUnits: Big;
}

export interface FlatFeeProperties {
  amount: Big;
}

export interface PerUnitCharge {
  model: 'per_unit';
  metricKey: string;
  properties: PerUnitProperties;
}

export interface TieredCharge {
  model: 'tiered';
  metricKey: string;
  properties: TieredProperties;
}

export interface VolumeCharge {
  model: 'volume';
  metricKey: string;
  properties: TieredProperties;
}

export interface PackageCharge {
  model: 'package';
  metricKey: string;
  properties: PackageProperties;
}

/** Billed once per invoiced period, independent of usage: it has no metric. */
export interface FlatFeeCharge {
  model: 'flat_fee';
  metricKey?: undefined;
  properties: FlatFeeProperties;
}

export type Charge = PerUnitCharge | TieredCharge | VolumeCharge | PackageCharge | FlatFeeCharge;

/** How one tier contributed to a tiered or volume price. `from` is the previous tier's upTo (0 first). */
export interface TierBreakdown {
  from: Big;
  upTo: Big | null;
  quantity: Big;
  unitAmount: Big;
  flatAmount: Big;
  amount: Big;
}

/** Unrounded price of one charge; `tiers` is empty for per_unit, package and flat_fee. */
export interface ChargePrice {
  amount: Big;
  tiers: TierBreakdown[];
}
