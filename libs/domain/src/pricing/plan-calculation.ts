import Big from 'big.js';
import type { CurrencyCode } from '../money/currency';
import { type Charge, type ChargeModel, pricingModel } from './models/registry';
import type { TierBreakdown } from './models/tier-breakdown';
import { priceEventsLineItem, priceLineItem } from './price-charge';
import type { DimensionFilter, UsageSelection } from '../aggregation/usage-selection';

/** One priced charge of a plan for one period (one per group of a charge with group_by). */
export interface PlanLineItem {
  /** Null for an unmetered charge (a flat fee), which has no metric. */
  metricKey: string | null;
  model: ChargeModel;
  /** The charge's filters, when it has some (a price matrix cell). */
  filters?: DimensionFilter;
  /** The group_by values this line prices (null: events without a value), when the charge groups. */
  group?: Readonly<Record<string, string | null>>;
  /** The metric's usage in the window as measured (may be negative); 1 for an unmetered charge billed once, 0 when not billed. */
  quantity: Big;
  /** Rounded once, half-up, to the currency's minor unit. */
  amount: Big;
  /** Exact tier contributions (models with a tier breakdown: tiered and volume; empty otherwise). */
  tiers: TierBreakdown[];
}

/** Usage of a metric that no charge prices (a price matrix without a charge for the rest): listed, never billed. */
export interface UnpricedUsage {
  metricKey: string;
  /** The values of the metric's filtered dimensions (null: events without a value). */
  dimensions: Readonly<Record<string, string | null>>;
  quantity: Big;
}

export interface PlanCalculation {
  lineItems: PlanLineItem[];
  unpriced: UnpricedUsage[];
  /** Sum of the rounded line items, so the total always equals what the lines show. */
  total: Big;
}

/** One group of a charge's usage: its group_by values (`{}` for an ungrouped charge). */
export interface GroupUsage {
  group: Readonly<Record<string, string | null>>;
  quantity: Big;
  /** Each event's value in the group; needed by models priced event by event (percentage). */
  eventValues?: readonly Big[];
}

/** Which usage to read for a charge (or for a metric's unpriced remainder). */
export interface UsageRead {
  metricKey: string;
  selection: UsageSelection;
  /** The charge is priced event by event: read every event's value too. */
  perEvent: boolean;
}

/**
 * What each charge prices (index-aligned with the charges; null for an unmetered one), and per
 * metric what none of them prices. A filtered charge takes the events matching its filters that no
 * earlier filtered charge of its metric took (plan order decides overlaps, so no event is priced
 * twice); the metric's charge without filters takes every event no filtered charge took. When a
 * metric has filtered charges but none without, that remainder is read as unpriced, grouped by the
 * filtered dimensions so the calculation shows which values went unpriced.
 */
export function planUsageReads(charges: readonly Charge[]): { charges: Array<UsageRead | null>; unpriced: UsageRead[] } {
  const filtersOf = (metricKey: string) =>
    charges.flatMap((charge) => (charge.metricKey === metricKey && charge.filters !== undefined ? [charge.filters] : []));
  const reads = charges.map((charge): UsageRead | null => {
    if (charge.metricKey === undefined) return null;
    const all = filtersOf(charge.metricKey);
    const selection: UsageSelection =
      charge.filters === undefined
        ? { filters: {}, exclude: all, groupBy: charge.groupBy ?? [] }
        : { filters: charge.filters, exclude: all.slice(0, all.indexOf(charge.filters)), groupBy: charge.groupBy ?? [] };
    return { metricKey: charge.metricKey, selection, perEvent: pricingModel(charge.model).pricedPerEvent === true };
  });
  const unpriced: UsageRead[] = [];
  for (const metricKey of meteredMetricKeys(charges)) {
    const filters = filtersOf(metricKey);
    const hasRemainderCharge = charges.some((charge) => charge.metricKey === metricKey && charge.filters === undefined);
    if (filters.length === 0 || hasRemainderCharge) continue;
    const groupBy = [...new Set(filters.flatMap((filter) => Object.keys(filter)))].sort();
    unpriced.push({ metricKey, selection: { filters: {}, exclude: filters, groupBy }, perEvent: false });
  }
  return { charges: reads, unpriced };
}

/** The distinct metrics a plan's charges read, in charge order. */
export function meteredMetricKeys(charges: readonly Charge[]): string[] {
  const keys: string[] = [];
  for (const charge of charges) if (charge.metricKey !== undefined && !keys.includes(charge.metricKey)) keys.push(charge.metricKey);
  return keys;
}

/**
 * Prices every charge of a plan version for one period. `usage[i]` holds the groups of charge i's
 * usage as planUsageReads describes it (missing for a metered charge is a programming error and
 * throws; an ungrouped charge has one group `{}`). A grouped charge gives one line item per group,
 * each priced (and tiered) on its own; with no usage at all it gives one line of quantity 0.
 * Unmetered charges (flat fees) are billed once per period. When `billable` is false (the
 * subscription ended before the window) every line is zero, including flat fees and first-tier
 * flat amounts. `unpriced` is listed as given, without amount.
 */
export function calculatePlanCharges(
  charges: readonly Charge[],
  currency: CurrencyCode | string,
  usage: ReadonlyArray<readonly GroupUsage[] | null | undefined>,
  billable = true,
  unpriced: readonly UnpricedUsage[] = [],
): PlanCalculation {
  const lineItems: PlanLineItem[] = charges.flatMap((charge, index): PlanLineItem[] => {
    if (charge.metricKey === undefined) {
      if (!billable) return [{ metricKey: null, model: charge.model, quantity: new Big(0), amount: new Big(0), tiers: [] }];
      const price = priceLineItem(charge, new Big(1), currency);
      return [{ metricKey: null, model: charge.model, quantity: new Big(1), amount: price.amount, tiers: [] }];
    }
    const groups = usage[index];
    if (!groups) throw new RangeError(`no usage given for charge ${index} (metric ${charge.metricKey})`);
    const scope = { ...(charge.filters ? { filters: charge.filters } : {}) };
    const line = (group: GroupUsage | undefined): PlanLineItem => {
      const shown = charge.groupBy ? { group: group?.group ?? {} } : {};
      if (!billable || !group)
        return { metricKey: charge.metricKey, model: charge.model, ...scope, ...shown, quantity: new Big(0), amount: new Big(0), tiers: [] };
      const price = pricingModel(charge.model).pricedPerEvent
        ? priceEventsLineItem(charge, eventValuesOf(group, charge.metricKey), currency)
        : priceLineItem(charge, group.quantity, currency);
      return { metricKey: charge.metricKey, model: charge.model, ...scope, ...shown, quantity: group.quantity, amount: price.amount, tiers: price.tiers };
    };
    if (!billable || groups.length === 0) return [billable ? line({ group: {}, quantity: new Big(0), eventValues: [] }) : line(undefined)];
    return groups.map(line);
  });
  const total = lineItems.reduce((sum, item) => sum.plus(item.amount), new Big(0));
  return { lineItems, unpriced: billable ? unpriced.filter((item) => !item.quantity.eq(0)) : [], total };
}

function eventValuesOf(group: GroupUsage, metricKey: string): readonly Big[] {
  if (group.eventValues === undefined) throw new RangeError(`no event values given for metric ${metricKey}, which a per-event charge needs`);
  return group.eventValues;
}
