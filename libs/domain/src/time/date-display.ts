/*
 * Dates and periods as documents print them, in UTC: "1 Nov 2026", and a half-open period
 * [start, end) as the days it covers ("1 Nov 2026 – 30 Nov 2026"), with times only when an end
 * does not fall on midnight ("11 Nov 2026 14:38 – 1 Dec 2026 14:38 UTC").
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

export function displayDate(instant: Date): string {
  return `${instant.getUTCDate()} ${MONTHS[instant.getUTCMonth()]} ${instant.getUTCFullYear()}`;
}

const isMidnight = (instant: Date) => instant.getTime() % DAY_MS === 0;
const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** "14:38", or "14:38:03" / "14:38:03.891" when `precision` asks for seconds or milliseconds. */
function displayTime(instant: Date, precision: 'minutes' | 'seconds' | 'milliseconds'): string {
  const minutes = `${pad(instant.getUTCHours())}:${pad(instant.getUTCMinutes())}`;
  if (precision === 'minutes') return minutes;
  const seconds = `${minutes}:${pad(instant.getUTCSeconds())}`;
  return precision === 'seconds' ? seconds : `${seconds}.${pad(instant.getUTCMilliseconds(), 3)}`;
}

/**
 * A half-open period [start, end). Both ends on midnight UTC: the first and the last day covered
 * (one date when it is a single day). Otherwise both instants with their time, as precise as the
 * less round of the two needs (an exclusive end: the period stops just before it).
 */
export function displayPeriod(start: Date, end: Date): string {
  if (isMidnight(start) && isMidnight(end) && end.getTime() > start.getTime()) {
    const lastDay = new Date(end.getTime() - DAY_MS);
    return lastDay.getTime() === start.getTime() ? displayDate(start) : `${displayDate(start)} – ${displayDate(lastDay)}`;
  }
  const precision = [start, end].some((instant) => instant.getUTCMilliseconds() !== 0)
    ? 'milliseconds'
    : [start, end].some((instant) => instant.getUTCSeconds() !== 0)
      ? 'seconds'
      : 'minutes';
  return `${displayDate(start)} ${displayTime(start, precision)} – ${displayDate(end)} ${displayTime(end, precision)} UTC`;
}

/** The day an invoice is due: its issue instant plus the payment terms, in whole days. */
export function dueDate(issuedAt: Date, paymentTermsDays: number): Date {
  if (!Number.isInteger(paymentTermsDays) || paymentTermsDays < 0) throw new RangeError(`payment terms must be whole days, got ${paymentTermsDays}`);
  return new Date(issuedAt.getTime() + paymentTermsDays * DAY_MS);
}
