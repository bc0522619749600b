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
  /** The charge's filters, when it has some (one cell of a price matrix). */
  filters?: Record<string, string[]>;
  /** The charge's group_by values this line prices (null: events without a value), when it groups. */
  group?: Record<string, string | null>;
}

/** Usage of a metric that no charge of the plan prices: listed, never billed. */
export interface UnpricedUsageJson {
  metric_key: string;
  dimensions: Record<string, string | null>;
  quantity: string;
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
  /** Present when some usage matched no charge (a price matrix without a charge for the rest). */
  unpriced?: UnpricedUsageJson[];
  created_at: string;
}
