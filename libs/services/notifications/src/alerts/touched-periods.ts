import { AlertPeriod, calendarMonthPeriod } from '@abaxus/domain/alerts/alert-period';

/** Per customer, per metric: the periods (by start, epoch ms) a batch of usage events falls in. */
export type TouchedPeriods = Map<string, Map<string, Map<number, AlertPeriod>>>;

/**
 * Reads what alerts need of usage messages: customer, metric and the period of the timestamp.
 * Unreadable or invalid messages are skipped here (aggregation dead-letters them; an alert only
 * counts what aggregation stored, which it asks aggregation for).
 */
export function touchedPeriods(values: string[], periodOf: (instant: Date) => AlertPeriod = calendarMonthPeriod): TouchedPeriods {
  const touched: TouchedPeriods = new Map();
  for (const value of values) {
    let event: unknown;
    try {
      event = JSON.parse(value);
    } catch {
      continue;
    }
    if (!event || typeof event !== 'object') continue;
    const { customer_id: customerId, metric_key: metricKey, timestamp } = event as Record<string, unknown>;
    if (typeof customerId !== 'string' || typeof metricKey !== 'string' || typeof timestamp !== 'string') continue;
    const instant = new Date(timestamp);
    if (Number.isNaN(instant.getTime())) continue;
    const period = periodOf(instant);
    let metrics = touched.get(customerId);
    if (!metrics) touched.set(customerId, (metrics = new Map()));
    let periods = metrics.get(metricKey);
    if (!periods) metrics.set(metricKey, (periods = new Map()));
    periods.set(period.start.getTime(), period);
  }
  return touched;
}

/** The periods of a customer's events: of one metric, or of any. */
export function periodsOf(touched: TouchedPeriods, customerId: string, metricKey: string | null): AlertPeriod[] {
  const metrics = touched.get(customerId);
  if (!metrics) return [];
  const periods = new Map<number, AlertPeriod>();
  for (const [key, ofMetric] of metrics) if (metricKey === null || key === metricKey) for (const [start, period] of ofMetric) periods.set(start, period);
  return [...periods.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}
