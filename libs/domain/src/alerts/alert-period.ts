/** The span an alert fires at most once in: half-open [start, end). */
export interface AlertPeriod {
  start: Date;
  end: Date;
}

/**
 * The calendar month (UTC) holding an instant: the period of usage alerts until billing cycles
 * exist (section 4). Alerts ask for their period through this one function, so a customer's
 * billing cycle can take its place without touching the rest.
 */
export function calendarMonthPeriod(instant: Date): AlertPeriod {
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth();
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}
