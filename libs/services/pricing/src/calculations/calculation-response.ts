import type { CalculationJson, CalculationLineItemJson } from '@abaxus/contracts/pricing-calculation';
import { formatAmount, formatDecimal } from '@abaxus/domain/money/decimal';
import { pricingModel } from '@abaxus/domain/pricing/models/registry';
import { tierBreakdownToJson } from '@abaxus/domain/pricing/models/tier-breakdown';
import type { PlanCalculation, PlanLineItem } from '@abaxus/domain/pricing/plan-calculation';

export interface CalculationFacts {
  id: string;
  customerId: string;
  subscriptionId: string;
  planId: string;
  planVersion: number;
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  usageStart: Date;
  usageEnd: Date;
  createdAt: Date;
}

export function lineItemToJson(item: PlanLineItem, currency: string): CalculationLineItemJson {
  const json: CalculationLineItemJson = {
    metric_key: item.metricKey,
    model: item.model,
    quantity: formatDecimal(item.quantity),
    amount: formatAmount(item.amount, currency),
  };
  if (pricingModel(item.model).tierBreakdown) json.tiers = item.tiers.map(tierBreakdownToJson);
  if (item.filters) json.filters = Object.fromEntries(Object.entries(item.filters).map(([name, values]) => [name, [...values]]));
  if (item.group) json.group = { ...item.group };
  return json;
}

export function calculationToJson(facts: CalculationFacts, calculation: PlanCalculation): CalculationJson {
  return {
    calculation_id: facts.id,
    customer_id: facts.customerId,
    subscription_id: facts.subscriptionId,
    plan_id: facts.planId,
    plan_version: facts.planVersion,
    currency: facts.currency,
    period_start: facts.periodStart.toISOString(),
    period_end: facts.periodEnd.toISOString(),
    usage_period: { start: facts.usageStart.toISOString(), end: facts.usageEnd.toISOString() },
    total_amount: formatAmount(calculation.total, facts.currency),
    line_items: calculation.lineItems.map((item) => lineItemToJson(item, facts.currency)),
    ...(calculation.unpriced.length > 0
      ? {
          unpriced: calculation.unpriced.map((item) => ({
            metric_key: item.metricKey,
            dimensions: { ...item.dimensions },
            quantity: formatDecimal(item.quantity),
          })),
        }
      : {}),
    created_at: facts.createdAt.toISOString(),
  };
}
