import { toDate } from '../time/rfc3339-timestamp';
import { BillingPeriodRefusalCode, deriveBillingPeriod } from './billing-period';

/*
 * What one invoice covers: for each subscription of the customer that still has usage to bill up
 * to the cutoff, its own period (from where its previous invoice stopped, or its start date, to
 * the cutoff). An invoice has one currency: a customer billed in several must name one.
 */
export interface SubscriptionToInvoice {
  id: string;
  startDate: Date | string;
  canceledAt?: Date | string | null;
  /** Currency of the subscription's pinned plan version. */
  currency: string;
  /** period_end of this subscription's previous invoice, if any. */
  previousPeriodEnd?: Date | string | null;
}

export interface InvoiceCoverageInput {
  subscriptions: readonly SubscriptionToInvoice[];
  cutoff: Date | string;
  now: Date | string;
  /** Required when the subscriptions to bill use several currencies. */
  currency?: string;
}

export interface InvoiceGroup {
  subscriptionId: string;
  /** Half-open [start, end): end is the cutoff. */
  start: Date;
  end: Date;
}

/**
 * `already_invoiced`: the cutoff is exactly where the previous invoice ended: the same request
 * again (or a concurrent twin that lost), a conflict rather than a bad cutoff.
 */
export type InvoiceCoverageRefusalCode = BillingPeriodRefusalCode | 'no_active_subscription' | 'currency_required' | 'already_invoiced';

export type InvoiceCoverageResult =
  | { ok: true; currency: string; start: Date; end: Date; groups: InvoiceGroup[] }
  | { ok: false; code: InvoiceCoverageRefusalCode; message: string; currencies?: string[] };

export function invoiceCoverage(input: InvoiceCoverageInput): InvoiceCoverageResult {
  const cutoff = toDate(input.cutoff, 'cutoff');
  const now = toDate(input.now, 'now');
  if (cutoff.getTime() > now.getTime()) {
    return { ok: false, code: 'cutoff_in_future', message: `cutoff_date ${cutoff.toISOString()} is in the future` };
  }
  // Started before the cutoff, and not ended before the point its billing reached.
  let candidates = input.subscriptions.filter((subscription) => {
    const periodStart = toDate(subscription.previousPeriodEnd ?? subscription.startDate, 'period start');
    if (toDate(subscription.startDate, 'start date').getTime() >= cutoff.getTime()) return false;
    return !subscription.canceledAt || toDate(subscription.canceledAt, 'canceled_at').getTime() > periodStart.getTime();
  });
  if (input.currency !== undefined) {
    candidates = candidates.filter((subscription) => subscription.currency === input.currency);
    if (candidates.length === 0) {
      return {
        ok: false,
        code: 'no_active_subscription',
        message: `the customer has no active subscription billed in ${input.currency} before ${cutoff.toISOString()}`,
      };
    }
  }
  if (candidates.length === 0) {
    return { ok: false, code: 'no_active_subscription', message: `the customer has no active subscription to invoice before ${cutoff.toISOString()}` };
  }
  // Line groups in a stable order: by subscription start, then id.
  candidates = [...candidates].sort(
    (a, b) => toDate(a.startDate, 'start date').getTime() - toDate(b.startDate, 'start date').getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const groups: Array<InvoiceGroup & { currency: string }> = [];
  let refusal: { code: BillingPeriodRefusalCode; message: string } | undefined;
  for (const subscription of candidates) {
    const period = deriveBillingPeriod({
      previousPeriodEnd: subscription.previousPeriodEnd ?? undefined,
      subscriptionStart: subscription.startDate,
      cutoff,
      now,
    });
    if (period.ok) groups.push({ subscriptionId: subscription.id, start: period.start, end: period.end, currency: subscription.currency });
    else refusal = { code: period.code, message: period.message };
  }
  if (groups.length === 0) {
    const invoicedToCutoff = candidates.some(
      (subscription) => subscription.previousPeriodEnd && toDate(subscription.previousPeriodEnd, 'previous period end').getTime() === cutoff.getTime(),
    );
    if (invoicedToCutoff) return { ok: false, code: 'already_invoiced', message: `the customer is already invoiced up to ${cutoff.toISOString()}` };
    return { ok: false, ...refusal! };
  }
  const currencies = [...new Set(groups.map((group) => group.currency))].sort();
  if (currencies.length > 1) {
    return {
      ok: false,
      code: 'currency_required',
      message: `the customer is billed in several currencies (${currencies.join(', ')}): name one in "currency"`,
      currencies,
    };
  }
  const start = new Date(Math.min(...groups.map((group) => group.start.getTime())));
  return {
    ok: true,
    currency: currencies[0],
    start,
    end: cutoff,
    groups: groups.map(({ subscriptionId, start: groupStart, end }) => ({ subscriptionId, start: groupStart, end })),
  };
}
