import { toDate } from '../time/rfc3339-timestamp';

export interface BillingPeriodInput {
  /** period_end of the customer's previous invoice; absent for the first invoice. */
  previousPeriodEnd?: Date | string;
  subscriptionStart: Date | string;
  /** The requested cutoff_date: becomes period_end. */
  cutoff: Date | string;
  now: Date | string;
  /** Cancellation instant, if any: usage after it is not billed. */
  cancelAt?: Date | string;
}

export type BillingPeriodRefusalCode = 'cutoff_in_future' | 'cutoff_not_after_period_start';

export type BillingPeriodResult =
  | {
      ok: true;
      /** Half-open [start, end). */
      start: Date;
      end: Date;
      /**
       * End of the window whose usage is billed: min(end, cancelAt), never before start. Equal to
       * start when the subscription was cancelled before the period began (nothing to bill,
       * no flat fee either).
       */
      usageEnd: Date;
    }
  | { ok: false; code: BillingPeriodRefusalCode; message: string };

/**
 * The next invoice period of a subscription: start = previous period_end, or the subscription's
 * start for the first invoice; end = cutoff. Refused when the cutoff is in the future (usage up to
 * it may still arrive) or not after the start (an empty or negative period).
 * Throws TypeError for unparseable timestamps: validate user input with parseTimestamp first.
 */
export function deriveBillingPeriod(input: BillingPeriodInput): BillingPeriodResult {
  const start = toDate(input.previousPeriodEnd ?? input.subscriptionStart, 'period start');
  const end = toDate(input.cutoff, 'cutoff');
  const now = toDate(input.now, 'now');
  if (end.getTime() > now.getTime()) {
    return { ok: false, code: 'cutoff_in_future', message: `cutoff_date ${end.toISOString()} is in the future` };
  }
  if (end.getTime() <= start.getTime()) {
    return {
      ok: false,
      code: 'cutoff_not_after_period_start',
      message: `cutoff_date ${end.toISOString()} must be after the period start ${start.toISOString()}`,
    };
  }
  let usageEnd = end;
  if (input.cancelAt !== undefined) {
    const cancelAt = toDate(input.cancelAt, 'cancelAt');
    usageEnd = new Date(Math.min(end.getTime(), Math.max(start.getTime(), cancelAt.getTime())));
  }
  return { ok: true, start, end, usageEnd };
}
