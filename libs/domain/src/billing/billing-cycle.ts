/*
 * Billing cycles of a subscription on a plan with a billing interval: cycle k is
 * [anchor + k·interval, anchor + (k+1)·interval), half-open, in UTC. Months and years are counted
 * from the anchor every time, never from the previous boundary, and a day the target month lacks
 * falls on its last day (Stripe's rule): an anchor on Jan 31 gives Feb 28 (29 in leap years),
 * then Mar 31 again; a yearly anchor on Feb 29 gives Feb 28 in common years.
 */

export const BILLING_INTERVALS = ['day', 'week', 'month', 'year'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

export function isBillingInterval(value: unknown): value is BillingInterval {
  return typeof value === 'string' && (BILLING_INTERVALS as readonly string[]).includes(value);
}

export interface Cycle {
  /** 0 for the cycle that starts at the anchor. */
  index: number;
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

function addMonthsClamped(anchor: Date, months: number): Date {
  const totalMonths = anchor.getUTCFullYear() * 12 + anchor.getUTCMonth() + months;
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths - year * 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  return new Date(Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}

/** The k-th boundary: anchor + k intervals (k may be negative). */
export function cycleBoundary(anchor: Date, interval: BillingInterval, k: number): Date {
  switch (interval) {
    case 'day':
      return new Date(anchor.getTime() + k * DAY_MS);
    case 'week':
      return new Date(anchor.getTime() + k * 7 * DAY_MS);
    case 'month':
      return addMonthsClamped(anchor, k);
    case 'year':
      return addMonthsClamped(anchor, 12 * k);
  }
}

/** The cycle holding `instant` (instants before the anchor fall in negative cycles). */
export function cycleContaining(anchor: Date, interval: BillingInterval, instant: Date): Cycle {
  const elapsed = instant.getTime() - anchor.getTime();
  let k: number;
  if (interval === 'day' || interval === 'week') {
    k = Math.floor(elapsed / ((interval === 'day' ? 1 : 7) * DAY_MS));
  } else {
    const months = (instant.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (instant.getUTCMonth() - anchor.getUTCMonth());
    k = interval === 'month' ? months : Math.floor(months / 12);
    // The estimate is off by at most one either way (day of month and time of day).
    while (cycleBoundary(anchor, interval, k).getTime() > instant.getTime()) k--;
    while (cycleBoundary(anchor, interval, k + 1).getTime() <= instant.getTime()) k++;
  }
  return { index: k, start: cycleBoundary(anchor, interval, k), end: cycleBoundary(anchor, interval, k + 1) };
}

/** Every cycle that overlaps the half-open window [from, to), in order (none when to <= from). */
export function cyclesOverlapping(anchor: Date, interval: BillingInterval, from: Date, to: Date): Cycle[] {
  const cycles: Cycle[] = [];
  if (to.getTime() <= from.getTime()) return cycles;
  let cycle = cycleContaining(anchor, interval, from);
  while (cycle.start.getTime() < to.getTime()) {
    cycles.push(cycle);
    const k = cycle.index + 1;
    cycle = { index: k, start: cycle.end, end: cycleBoundary(anchor, interval, k + 1) };
  }
  return cycles;
}

/**
 * The first cycle end strictly after `after`: where an invoice that starts at `after` closes when
 * the subscription runs on. With `endsAt` (a cancellation), never later than it.
 */
export function nextCycleEnd(anchor: Date, interval: BillingInterval, after: Date, endsAt?: Date | null): Date {
  const end = cycleContaining(anchor, interval, after).end;
  return endsAt && endsAt.getTime() < end.getTime() ? endsAt : end;
}

/**
 * The cycle a subscription is in at `now`: the first one before it starts; after a cancellation,
 * the cycle it ended in, cut at the cancellation.
 */
export function currentPeriod(anchor: Date, interval: BillingInterval, now: Date, canceledAt?: Date | null): { start: Date; end: Date } {
  const at =
    now.getTime() < anchor.getTime()
      ? anchor
      : canceledAt && canceledAt.getTime() <= now.getTime()
        ? new Date(Math.max(anchor.getTime(), canceledAt.getTime() - 1))
        : now;
  const cycle = cycleContaining(anchor, interval, at);
  return {
    start: cycle.start,
    end: canceledAt && canceledAt.getTime() < cycle.end.getTime() && canceledAt.getTime() >= cycle.start.getTime() ? canceledAt : cycle.end,
  };
}
