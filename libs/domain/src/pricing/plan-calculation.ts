import Big from 'big.js';
import type { CurrencyCode } from '../money/currency';
import { type Charge, type ChargeModel, pricingModel } from './models/registry';
import type { TierBreakdown } from './models/tier-breakdown';
import { priceEventsLineItem, priceLineItem } from './price-charge';

/** One priced charge of a plan for one period. */
export interface PlanLineItem {
  /** Null for an unmetered charge (a flat fee), which has no metric. */
  metricKey: string | null;
  model: ChargeModel;
  /** The metric's usage in the window as measured (may be negative); 1 for an unmetered charge billed once, 0 when not billed. */
  quantity: Big;
  /** Rounded once, half-up, to the currency's minor unit. */
  amount: Big;
  /** Exact tier contributions (models with a tier breakdown: tiered and volume; empty otherwise). */
  tiers: TierBreakdown[];
}

export interface PlanCalculation {
  lineItems: PlanLineItem[];
  /** Sum of the rounded line items, so the total always equals what the lines show. */
  total: Big;
}

/** The distinct metrics a plan's charges read, in charge order. */
export function meteredMetricKeys(charges: readonly Charge[]): string[] {
  const keys: string[] = [];
  for (const charge of charges) if (charge.metricKey !== undefined && !keys.includes(charge.metricKey)) keys.push(charge.metricKey);
  return keys;
}

/** The metrics whose charges are priced event by event (percentage): they need each event's value. */
export function perEventMetricKeys(charges: readonly Charge[]): string[] {
  return meteredMetricKeys(charges.filter((charge) => pricingModel(charge.model).pricedPerEvent));
}

/**
 * Prices every charge of a plan version for one period. `usage` must hold a quantity for every
 * metered charge (a missing one is a programming error and throws). Unmetered charges (flat fees)
 * are billed once per period. When `billable` is false (the subscription ended before the window)
 * every line is zero, including flat fees and first-tier flat amounts. A charge priced event by
 * event (percentage) also needs its metric's event values in `eventValues`.
 */
export function calculatePlanCharges(
  charges: readonly Charge[],
  currency: CurrencyCode | string,
  usage: ReadonlyMap<string, Big>,
  billable = true,
  eventValues: ReadonlyMap<string, readonly Big[]> = new Map(),
): PlanCalculation {
  const lineItems: PlanLineItem[] = charges.map((charge) => {
    if (charge.metricKey === undefined) {
      if (!billable) return { metricKey: null, model: charge.model, quantity: new Big(0), amount: new Big(0), tiers: [] };
      const price = priceLineItem(charge, new Big(1), currency);
      return { metricKey: null, model: charge.model, quantity: new Big(1), amount: price.amount, tiers: [] };
    }
    const quantity = usage.get(charge.metricKey);
    if (quantity === undefined) throw new RangeError(`no usage given for metric ${charge.metricKey}`);
    if (!billable) return { metricKey: charge.metricKey, model: charge.model, quantity: new Big(0), amount: new Big(0), tiers: [] };
    const price = pricingModel(charge.model).pricedPerEvent
      ? priceEventsLineItem(charge, eventValuesOf(eventValues, charge.metricKey), currency)
      : priceLineItem(charge, quantity, currency);
    return { metricKey: charge.metricKey, model: charge.model, quantity, amount: price.amount, tiers: price.tiers };
  });
  const total = lineItems.reduce((sum, item) => sum.plus(item.amount), new Big(0));
  return { lineItems, total };
}

function eventValuesOf(eventValues: ReadonlyMap<string, readonly Big[]>, metricKey: string): readonly Big[] {
  const values = eventValues.get(metricKey);
  if (values === undefined) throw new RangeError(`no event values given for metric ${metricKey}, which a per-event charge needs`);
  return values;
}
