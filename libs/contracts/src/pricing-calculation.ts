import type { ChargeModel } from '@abaxus/domain/pricing/models/registry';
import type { TierBreakdownJson } from '@abaxus/domain/pricing/models/tier-breakdown';

/*
 * The answer of POST /v1/pricing/calculate (and GET /v1/pricing/calculations/{id}), which the
 * invoicing service reads too. Amounts and quantities are decimal strings; timestamps UTC "Z".
 * The model names and the tier breakdown's shape come from libs/domain's pricing models.
 */

export interface CalculationLineItemJson {
  /** Null for a flat fee. */
  metric_key: string | null;
  model: ChargeModel;
  quantity: string;
  /** Rounded once, half-up, to the currency's minor unit. */
  amount: string;
  /** Models with a tier breakdown only (tiered and volume). */
  tiers?: TierBreakdownJson[];
}

export interface CalculationJson {
  calculation_id: string;
  customer_id: string;
  subscription_id: string;
  plan_id: string;
  plan_version: number;
  currency: string;
  period_start: string;
  period_end: string;
  /** The part of the period whose usage was billed: clipped to the subscription's start and cancellation. */
  usage_period: { start: string; end: string };
  /** Sum of the line items. */
  total_amount: string;
  line_items: CalculationLineItemJson[];
  created_at: string;
}
