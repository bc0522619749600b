import type { DimensionFilter } from '../../aggregation/usage-selection';
import { flatFeeModel } from './flat-fee/flat-fee.model';
import { packageModel } from './package/package.model';
import { percentageModel } from './percentage/percentage.model';
import { perUnitModel } from './per-unit/per-unit.model';
import type { PricingModel } from './pricing-model';
import { tieredModel } from './tiered/tiered.model';
import { volumeModel } from './volume/volume.model';

/**
 * The pricing models of the contract, by the `model` name a plan's charge gives. This is the one
 * list: plan validation, pricing, the JSON shapes, the line items' tier breakdown and the
 * contracts' model names all come from it. Error messages list the models in this order.
 */
export const PRICING_MODELS = {
  per_unit: perUnitModel,
  /** Graduated pricing. */
  tiered: tieredModel,
  volume: volumeModel,
  package: packageModel,
  flat_fee: flatFeeModel,
  percentage: percentageModel,
} as const;

export type ChargeModel = keyof typeof PRICING_MODELS;

export const CHARGE_MODELS: readonly ChargeModel[] = Object.keys(PRICING_MODELS) as ChargeModel[];

export function isChargeModel(value: unknown): value is ChargeModel {
  return typeof value === 'string' && (CHARGE_MODELS as readonly string[]).includes(value);
}

/** The model's rules, with its properties' types erased: callers pass the properties of a charge of that model. */
export function pricingModel(model: ChargeModel): PricingModel<unknown, unknown> {
  return PRICING_MODELS[model];
}

type ModelNamed<M extends ChargeModel> = (typeof PRICING_MODELS)[M];
export type PropertiesOf<M extends ChargeModel> = Parameters<ModelNamed<M>['price']>[0];
export type PropertiesJsonOf<M extends ChargeModel> = ReturnType<ModelNamed<M>['propertiesToJson']>;

/**
 * Which part of its metric a metered charge prices (API.md Part II §8): only the events matching
 * `filters` (absent: all those no filtered charge of the metric took), one line item per
 * combination of the `groupBy` properties' values (absent: one line item).
 */
export interface ChargeDimensions {
  filters?: DimensionFilter;
  groupBy?: readonly string[];
}

/** A charge of model M, its properties parsed (Big values). A metered one names its metric. */
export type ChargeOf<M extends ChargeModel> = ModelNamed<M>['metered'] extends true
  ? { model: M; metricKey: string; properties: PropertiesOf<M> } & ChargeDimensions
  : { model: M; metricKey?: undefined; properties: PropertiesOf<M> };

/** One charge of a price plan, discriminated by `model`. */
export type Charge = { [M in ChargeModel]: ChargeOf<M> }[ChargeModel];

/** A charge in the API (snake_case, decimal strings); an unmetered charge has no metric_key. */
export type ChargeJsonOf<M extends ChargeModel> = ModelNamed<M>['metered'] extends true
  ? { metric_key: string; model: M; properties: PropertiesJsonOf<M>; filters?: Record<string, string[]>; group_by?: string[] }
  : { model: M; properties: PropertiesJsonOf<M> };

export type ChargeJson = { [M in ChargeModel]: ChargeJsonOf<M> }[ChargeModel];
