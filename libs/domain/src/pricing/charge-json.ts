import { formatDecimal } from '../money/decimal';
import type { Charge, ChargeModel, TierBreakdown } from './charge-model';

/*
 * The API's JSON shapes for charges and tier breakdowns (snake_case, decimal strings), so every
 * service writes them the same way. Optional inputs come out explicit (flat_amount "0",
 * free_units "0"); parsePricePlanCharges reads this output back to the same charges.
 */

export interface TierJson {
  up_to: string | null;
  unit_amount: string;
  flat_amount: string;
}

export type ChargePropertiesJson =
  { unit_amount: string } | { tiers: TierJson[] } | { package_size: string; package_amount: string; free_units: string } | { amount: string };

export interface ChargeJson {
  metric_key?: string;
  model: ChargeModel;
  properties: ChargePropertiesJson;
}

export interface TierBreakdownJson {
  from: string;
  up_to: string | null;
  quantity: string;
  unit_amount: string;
  flat_amount: string;
  amount: string;
}

export function chargeToJson(charge: Charge): ChargeJson {
  switch (charge.model) {
    case 'per_unit':
      return {
        metric_key: charge.metricKey,
        model: charge.model,
        properties: { unit_amount: formatDecimal(charge.properties.unitAmount) },
      };
    case 'tiered':
    case 'volume':
      return {
        metric_key: charge.metricKey,
        model: charge.model,
        properties: {
          tiers: charge.properties.tiers.map((tier) => ({
            up_to: tier.upTo === null ? null : formatDecimal(tier.upTo),
            unit_amount: formatDecimal(tier.unitAmount),
            flat_amount: formatDecimal(tier.flatAmount),
          })),
        },
      };
    case 'package':
      return {
        metric_key: charge.metricKey,
        model: charge.model,
        properties: {
          package_size: formatDecimal(charge.properties.packageSize),
          package_amount: formatDecimal(charge.properties.packageAmount),
          free_units: formatDecimal(charge.properties.freeUnits),
        },
      };
    case 'flat_fee':
      return { model: charge.model, properties: { amount: formatDecimal(charge.properties.amount) } };
  }
}

/** Tier amounts stay exact in the breakdown; only the line item's amount is rounded. */
export function tierBreakdownToJson(tier: TierBreakdown): TierBreakdownJson {
  return {
    from: formatDecimal(tier.from),
    up_to: tier.upTo === null ? null : formatDecimal(tier.upTo),
    quantity: formatDecimal(tier.quantity),
    unit_amount: formatDecimal(tier.unitAmount),
    flat_amount: formatDecimal(tier.flatAmount),
    amount: formatDecimal(tier.amount),
  };
}
