import Big from 'big.js';
import { fractionDigits, formatDecimal, parseDecimal } from '../money/decimal';
import { parsePreciseInstant, PreciseInstant } from '../time/rfc3339-timestamp';
import type { AggregationEvent, LatestEntry } from './aggregation-state';

/*
 * `weighted_sum` (seats, gigabytes stored): the value of the latest event holds until the next one,
 * and a period's usage is Σ value × (time held / length of the period).
 *
 * The mergeable state is the set of change points: per instant, the event that wins there (the
 * latest by sequence, as for `latest`), since earlier events at the same instant hold for no time.
 * Union keeping each instant's winner is associative, commutative and idempotent with the empty
 * set as identity, so hourly buckets, out-of-order batches and backfills merge exactly in any
 * order. The price is size: a bucket holds one point per distinct instant of its hour — right for
 * gauges such as seats or storage, which change rarely; a compact (first, last, area) summary is
 * only mergeable for adjacent spans and would break on late events.
 */

export interface WeightedSumState {
  type: 'weighted_sum';
  /** Sorted by instant, one per instant. */
  points: readonly LatestEntry[];
}

export interface SerializedWeightedSumState {
  type: 'weighted_sum';
  points: LatestEntry[];
}

/** The weighted value's fractional digits: Σ value × held / period is rarely a finite decimal. */
export const WEIGHTED_SUM_FRACTION_DIGITS = 12;

export function emptyWeightedSum(): WeightedSumState {
  return { type: 'weighted_sum', points: [] };
}

export function aggregateWeightedSum(events: Iterable<AggregationEvent>): WeightedSumState {
  const points: LatestEntry[] = [];
  for (const event of events) points.push(changePoint(event));
  return { type: 'weighted_sum', points: canonicalPoints(points) };
}

export function mergeWeightedSums(a: WeightedSumState, b: WeightedSumState): WeightedSumState {
  return { type: 'weighted_sum', points: canonicalPoints([...a.points, ...b.points]) };
}

/**
 * The usage of [start, end): each point's value held from its instant until the next point (or
 * the end), divided by the period's length — or by `weighedOver`'s when [start, end) is a piece of
 * a longer period (a plan phase of a cycle), so that pieces add up to the whole — rounded half-up (away from zero) to
 * WEIGHTED_SUM_FRACTION_DIGITS once. The level at `start` is the last point before it, so the
 * caller merges in the state of the latest event before the period; with none the level is 0.
 * Points after the period are ignored.
 */
export function weightedSumValue(state: WeightedSumState, start: string, end: string, weighedOver?: { start: string; end: string }): string {
  const from = nanosOf(requireInstant(start));
  const to = nanosOf(requireInstant(end));
  if (to <= from) throw new RangeError('the period must end after it starts');
  const overFrom = weighedOver ? nanosOf(requireInstant(weighedOver.start)) : from;
  const overTo = weighedOver ? nanosOf(requireInstant(weighedOver.end)) : to;
  if (overFrom > from || overTo < to) throw new RangeError('the period weighed over must contain the period');
  let level = new Big(0);
  let since = from;
  let area = new Big(0);
  for (const point of state.points) {
    const at = nanosOf(requireInstant(point.timestamp));
    if (at >= to) break;
    if (at > since) {
      area = area.plus(level.times(String(at - since)));
      since = at;
    }
    level = new Big(point.value);
  }
  area = area.plus(level.times(String(to - since)));
  return formatDecimal(divideRoundHalfUp(area, overTo - overFrom, WEIGHTED_SUM_FRACTION_DIGITS));
}

/** Only the last point: what a later period starts from (keeps a histogram's running level small). */
export function heldAtEnd(state: WeightedSumState): WeightedSumState {
  return { type: 'weighted_sum', points: state.points.slice(-1) };
}

export function serializeWeightedSum(state: WeightedSumState): SerializedWeightedSumState {
  return { type: 'weighted_sum', points: state.points.map((point) => ({ ...point })) };
}

export function deserializeWeightedSum(raw: unknown): WeightedSumState {
  const record = raw as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || record.type !== 'weighted_sum' || !Array.isArray(record.points)) {
    throw new Error('invalid serialized weighted_sum state: needs type weighted_sum and a points array');
  }
  return aggregateWeightedSum(
    record.points.map((point: unknown) => {
      const { value, timestamp, sequence } = (point ?? {}) as Record<string, unknown>;
      if (typeof value !== 'string' || typeof timestamp !== 'string' || typeof sequence !== 'string') {
        throw new Error('invalid serialized weighted_sum state: each point needs string value, timestamp and sequence');
      }
      return { value, timestamp, sequence };
    }),
  );
}

/** Sorted by instant; per instant the highest sequence wins (then value, then spelling, so ties never depend on order). */
function canonicalPoints(points: LatestEntry[]): LatestEntry[] {
  const keyed = points.map((point) => ({ point, at: nanosOf(requireInstant(point.timestamp)), sequence: BigInt(point.sequence) }));
  keyed.sort(
    (x, y) =>
      compareBig(x.at, y.at) ||
      compareBig(x.sequence, y.sequence) ||
      compareText(x.point.value, y.point.value) ||
      compareText(x.point.timestamp, y.point.timestamp),
  );
  const winners: LatestEntry[] = [];
  keyed.forEach((entry, index) => {
    const next = keyed[index + 1];
    if (next === undefined || next.at !== entry.at) winners.push(entry.point);
  });
  return winners;
}

function changePoint(event: AggregationEvent): LatestEntry {
  if (event.value === null || event.value === undefined) throw new TypeError('weighted_sum needs an event value');
  const parsed = parseDecimal(event.value, { allowNegative: true });
  if (!parsed.ok) throw new TypeError(`event value ${JSON.stringify(event.value)} ${parsed.message}`);
  requireInstant(event.timestamp);
  if (!/^\d+$/.test(event.sequence)) throw new TypeError(`invalid event sequence: ${event.sequence}`);
  return { value: formatDecimal(parsed.value), timestamp: event.timestamp, sequence: event.sequence };
}

function requireInstant(text: string): PreciseInstant {
  const instant = parsePreciseInstant(text);
  if (!instant) throw new TypeError(`invalid timestamp: ${text}`);
  return instant;
}

function nanosOf(instant: PreciseInstant): bigint {
  return BigInt(instant.epochMillis) * 1_000_000n + BigInt(instant.subMillisNanos);
}

/** numerator / divisor rounded half-up (away from zero) to `places`, with integer arithmetic only (independent of Big.DP). */
function divideRoundHalfUp(numerator: Big, divisor: bigint, places: number): Big {
  const scale = fractionDigits(numerator);
  const scaled = BigInt(numerator.times(new Big(`1e${scale}`)).toFixed(0)) * 10n ** BigInt(places);
  const denominator = divisor * 10n ** BigInt(scale);
  const negative = scaled < 0n;
  const magnitude = negative ? -scaled : scaled;
  let quotient = magnitude / denominator;
  if ((magnitude % denominator) * 2n >= denominator) quotient += 1n;
  return new Big(`${negative ? '-' : ''}${quotient}e-${places}`);
}

function compareBig(a: bigint, b: bigint): number {
  return a === b ? 0 : a > b ? 1 : -1;
}

function compareText(a: string, b: string): number {
  return a === b ? 0 : a > b ? 1 : -1;
}
