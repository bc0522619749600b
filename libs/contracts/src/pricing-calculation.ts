/**
 * The answer of POST /v1/pricing/calculate (and GET /v1/pricing/calculations/{id}), which the
 * invoicing service reads too. Amounts and quantities are decimal strings; timestamps UTC "Z".
 */
export interface CalculationTierJson {
  from: string;
  up_to: string | null;
  quantity: string;
  unit_amount: string;
  flat_amount: string;
  /** Exact: only the line item's amount is rounded. */
  amount: string;
}

export interface CalculationLineItemJson {
  /** Null for a flat fee. */
  metric_key: string | null;
  model: 'per_unit' | 'tiered' | 'volume' | 'package' | 'flat_fee';
  quantity: string;
  /** Rounded once, half-up, to the currency's minor unit. */
  amount: string;
  /** Tiered and volume charges only. */
  tiers?: CalculationTierJson[];
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
