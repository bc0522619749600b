/*
 * Which part of a requested period a subscription can be billed for. A period that overlaps the
 * subscription's start is clipped to it (so a first invoice or an aligned-month calculation just
 * works); a period lying entirely before the start is refused. Usage after the cancellation is
 * never billed; a subscription cancelled before the window starts bills nothing at all, not even
 * its flat fees.
 */
export interface UsageWindowInput {
  periodStart: Date;
  periodEnd: Date;
  subscriptionStart: Date;
  canceledAt?: Date | null;
}

export type UsageWindowRefusalCode = 'invalid_period' | 'period_before_subscription_start';

export type UsageWindowResult =
  | {
      ok: true;
      /** Half-open [start, end): usage in it is billed. */
      start: Date;
      end: Date;
      /** False when the subscription was cancelled before the window: every line is zero. */
      billable: boolean;
    }
  | { ok: false; code: UsageWindowRefusalCode; message: string };

export function usageWindow(input: UsageWindowInput): UsageWindowResult {
  const { periodStart, periodEnd, subscriptionStart, canceledAt } = input;
  if (periodEnd.getTime() <= periodStart.getTime()) {
    return {
      ok: false,
      code: 'invalid_period',
      message: `period_end ${periodEnd.toISOString()} must be after period_start ${periodStart.toISOString()}`,
    };
  }
  if (periodEnd.getTime() <= subscriptionStart.getTime()) {
    return {
      ok: false,
      code: 'period_before_subscription_start',
      message: `the period ends at ${periodEnd.toISOString()}, not after the subscription's start_date ${subscriptionStart.toISOString()}`,
    };
  }
  const start = new Date(Math.max(periodStart.getTime(), subscriptionStart.getTime()));
  let end = periodEnd;
  if (canceledAt) end = new Date(Math.min(periodEnd.getTime(), Math.max(start.getTime(), canceledAt.getTime())));
  return { ok: true, start, end, billable: end.getTime() > start.getTime() };
}
