import Big from 'big.js';
import type { CalculationJson, CalculationLineItemJson } from '@abaxus/contracts/pricing-calculation';
import type { BillingInterval } from '@abaxus/domain/billing/billing-cycle';
import { prorateFlatFee } from '@abaxus/domain/billing/flat-fee-proration';
import { formatAmount, formatDecimal } from '@abaxus/domain/money/decimal';

/** How a flat fee line was cut to the part of the cycle(s) it pays for. */
export interface ProrationJson {
  from: string;
  to: string;
  /** Cycles covered (decimal string, up to 12 digits): "0.5" for half a cycle. */
  fraction: string;
}

/** The plan phase a line was priced by (on subscriptions that changed plan): one group of lines per phase. */
export interface PhaseMarkerJson {
  plan_id: string;
  plan_version: number;
  /** The phase's own bounds (not clipped to the invoice's period); end null while it lasts. */
  start: string;
  end: string | null;
}

/** On an adjustment line (late usage): the invoiced period it corrects, as priced then and now. */
export interface AdjustmentJson {
  invoice_id: string;
  invoice_number: string;
  period_start: string;
  period_end: string;
  invoiced_amount: string;
  repriced_amount: string;
  /** The stored calculation of the re-pricing. */
  calculation_id: string;
}

export type ProratedLineItemJson = CalculationLineItemJson & { proration?: ProrationJson; trial?: true; phase?: PhaseMarkerJson; adjustment?: AdjustmentJson };

export interface CycledSubscription {
  billing_interval: BillingInterval;
  /** The cycle anchor (the subscription's start_date). */
  start_date: string;
  trial_end?: string | null;
}

/** The cycle fields of a subscription record; null when its plan has no billing interval. */
export function cycledSubscription(record: {
  billing_interval?: BillingInterval | null;
  start_date: string;
  trial_end?: string | null;
}): CycledSubscription | null {
  return record.billing_interval ? { billing_interval: record.billing_interval, start_date: record.start_date, trial_end: record.trial_end ?? null } : null;
}

export interface ProratedCalculation {
  calculation: CalculationJson;
  phase?: PhaseMarkerJson;
  /** An adjustment group (late usage): the invoice whose period it corrects. */
  adjustment?: { invoice_id: string; invoice_number: string };
  line_items: ProratedLineItemJson[];
  /** Sum of the line items as the invoice shows them. */
  total: Big;
}

/**
 * The invoice's lines for a calculation: on a plan with a billing interval every flat fee is the
 * price of one whole cycle and pays for the part of the billed window (the calculation's usage
 * period: clipped to the subscription's start and cancellation) it covers, by exact time; the
 * part before `trial_end` is a zero line marked `trial`. Plans without an interval keep the
 * calculation's lines unchanged (a flat fee once per invoiced period). A calculation of one plan
 * phase marks each of its lines with the phase.
 */
export function proratedCalculation(calculation: CalculationJson, subscription: CycledSubscription | null, phase?: PhaseMarkerJson): ProratedCalculation {
  const prorated = prorate(calculation, subscription);
  if (!phase) return prorated;
  return { ...prorated, phase, line_items: prorated.line_items.map((item) => ({ ...item, phase })) };
}

function prorate(calculation: CalculationJson, subscription: CycledSubscription | null): ProratedCalculation {
  if (!subscription) return { calculation, line_items: calculation.line_items, total: new Big(calculation.total_amount) };
  const anchor = new Date(subscription.start_date);
  const from = new Date(calculation.usage_period.start);
  const to = new Date(calculation.usage_period.end);
  const trialEnd = subscription.trial_end ? new Date(subscription.trial_end) : null;
  const lines: ProratedLineItemJson[] = [];
  for (const item of calculation.line_items) {
    if (item.model !== 'flat_fee' || item.metric_key !== null) {
      lines.push(item);
      continue;
    }
    // Not billable at all (the subscription ended before the window): the calculation's zero line.
    if (to.getTime() <= from.getTime()) {
      lines.push(item);
      continue;
    }
    const fee = new Big(item.amount);
    const cut = (start: Date, end: Date) =>
      prorateFlatFee({ fee, currency: calculation.currency, anchor, interval: subscription.billing_interval, from: start, to: end });
    const trialTo = trialEnd && trialEnd.getTime() > from.getTime() ? new Date(Math.min(trialEnd.getTime(), to.getTime())) : null;
    if (trialTo) {
      const trial = cut(from, trialTo);
      lines.push({
        ...item,
        quantity: '0',
        amount: formatAmount(new Big(0), calculation.currency),
        trial: true,
        proration: { from: from.toISOString(), to: trialTo.toISOString(), fraction: formatDecimal(trial.fraction) },
      });
    }
    const paidFrom = trialTo ?? from;
    if (paidFrom.getTime() >= to.getTime()) continue;
    const paid = cut(paidFrom, to);
    lines.push({
      ...item,
      amount: formatAmount(paid.amount, calculation.currency),
      ...(paid.whole ? {} : { proration: { from: paidFrom.toISOString(), to: to.toISOString(), fraction: formatDecimal(paid.fraction) } }),
    });
  }
  const total = lines.reduce((sum, line) => sum.plus(line.amount), new Big(0));
  return { calculation, line_items: lines, total };
}
