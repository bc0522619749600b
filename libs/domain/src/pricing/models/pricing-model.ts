import type Big from 'big.js';
import type { ValidationIssue } from '../../validation-issue';
import type { TierBreakdown } from './tier-breakdown';

/** Unrounded price of one charge; `tiers` is empty for models without a tier breakdown. */
export interface ChargePrice {
  amount: Big;
  tiers: TierBreakdown[];
}

interface PricingModelRules<Properties, PropertiesJson> {
  /** The fields a charge's `properties` may hold; unknown ones and missing required ones are refused before `parseProperties`. */
  readonly propertyFields: { readonly required: readonly string[]; readonly optional: readonly string[] };
  /** Whether this model's line items list their tier breakdown (`tiers`, even when empty). */
  readonly tierBreakdown: boolean;
  /**
   * Reads and validates a charge's `properties` (an object whose field names are already
   * checked). Pushes every problem with its field path under `path` and returns undefined if
   * there was any. `null` for an optional field means absent.
   */
  parseProperties(properties: Record<string, unknown>, path: string, errors: ValidationIssue[]): Properties | undefined;
  /**
   * Set by a model priced event by event (percentage): `price` then receives one event's value and
   * the period's price is the sum over the events, which a period total cannot give.
   */
  readonly pricedPerEvent?: true;
  /** Exact (unrounded) price of `units` (one event's value when pricedPerEvent), which is never negative. */
  price(properties: Properties, units: Big): ChargePrice;
  /** The API's JSON (snake_case, decimal strings, optional fields explicit), read back identically by `parseProperties`. */
  propertiesToJson(properties: Properties): PropertiesJson;
}

/**
 * One pricing model: how a charge's properties are read from a plan, priced and written back.
 * A metered model bills one metric's usage (its charges need a `metric_key`, one charge per
 * metric); an unmetered one is billed once per period and refuses a `metric_key`, saying why.
 * Each model lives in its own folder and is listed in registry.ts, the only place that names them.
 */
export type PricingModel<Properties, PropertiesJson, Metered extends boolean = boolean> = PricingModelRules<Properties, PropertiesJson> &
  (Metered extends true ? { readonly metered: true } : { readonly metered: false; readonly whyNoMetric: string });
