import { EventInstant, HOUR_MS, hourStartOf } from '@abaxus/usage-events/event-timestamp';
import { Granularity } from './usage-query-params';

const DAY_MS = 24 * HOUR_MS;

/** A half-open interval of instants, as epoch milliseconds plus microseconds. */
export interface Span {
  start: EventInstant;
  end: EventInstant;
}

/**
 * How a period is read: whole UTC hours [fromHour, toHour) from the hourly buckets, and the
 * partial hours at its edges (at most two spans) from the events table.
 */
export interface PeriodPlan {
  fromHour: number;
  toHour: number;
  edges: Span[];
}

function instantAt(epochMillis: number): EventInstant {
  return { epochMillis, micros: 0, iso: new Date(epochMillis).toISOString() };
}

function isHourAligned(instant: EventInstant): boolean {
  return instant.micros === 0 && instant.epochMillis % HOUR_MS === 0;
}

export function planPeriod(span: Span): PeriodPlan {
  const fromHour = isHourAligned(span.start) ? span.start.epochMillis : hourStartOf(span.start.epochMillis) + HOUR_MS;
  const toHour = hourStartOf(span.end.epochMillis);
  if (fromHour >= toHour) return { fromHour: 0, toHour: 0, edges: [span] };
  const edges: Span[] = [];
  if (span.start.epochMillis < fromHour) edges.push({ start: span.start, end: instantAt(fromHour) });
  if (!isHourAligned(span.end)) edges.push({ start: instantAt(toHour), end: span.end });
  return { fromHour, toHour, edges };
}

/** Histogram buckets: UTC hours or days, the first and last clipped to the period. */
export function histogramSpans(period: Span, granularity: Granularity): Span[] {
  const size = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const spans: Span[] = [];
  let start = period.start;
  for (;;) {
    const boundary = Math.floor(start.epochMillis / size) * size + size;
    const endsPeriod = boundary > period.end.epochMillis || (boundary === period.end.epochMillis && period.end.micros === 0);
    const end = endsPeriod ? period.end : instantAt(boundary);
    spans.push({ start, end });
    if (endsPeriod) return spans;
    start = end;
  }
}

/** How many histogram buckets the period would have, without building them. */
export function histogramSize(period: Span, granularity: Granularity): number {
  const size = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const endMillis = period.end.epochMillis + (period.end.micros > 0 ? 1 : 0);
  return Math.floor((endMillis - 1) / size) - Math.floor(period.start.epochMillis / size) + 1;
}
