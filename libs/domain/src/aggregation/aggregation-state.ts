import Big from 'big.js';
import { formatDecimal, parseDecimal } from '../money/decimal';
import { compareTimestamps, parsePreciseInstant } from '../time/rfc3339-timestamp';
import {
  aggregateWeightedSum,
  deserializeWeightedSum,
  emptyWeightedSum,
  mergeWeightedSums,
  SerializedWeightedSumState,
  serializeWeightedSum,
  WeightedSumState,
  weightedSumValue,
} from './weighted-sum';

/*
 * Aggregations as mergeable partial states (a commutative monoid per type): a state can be built
 * per bucket, per partition or per batch and merged in any order and grouping, with emptyState as
 * the identity, and always gives the same final value as aggregating every event at once.
 * States are immutable: every function returns a new state and never changes its inputs.
 */

export type AggregationType = 'sum' | 'count' | 'max' | 'min' | 'unique_count' | 'latest' | 'weighted_sum';

export const AGGREGATION_TYPES: readonly AggregationType[] = ['sum', 'count', 'max', 'min', 'unique_count', 'latest', 'weighted_sum'];

/** One event as aggregation sees it; `value` is already normalised by parseMetricValue. */
export interface AggregationEvent {
  /** Ignored by count (and may then be null); required by every other type. */
  value: string | null;
  /** RFC 3339 with offset. Only `latest` and `weighted_sum` look at it. */
  timestamp: string;
  /** Ingestion order as a non-negative bigint string; breaks timestamp ties for `latest`. */
  sequence: string;
}

export interface LatestEntry {
  value: string;
  timestamp: string;
  sequence: string;
}

export type AggregationState =
  | { type: 'sum'; sum: Big }
  | { type: 'count'; count: Big }
  | { type: 'max'; max: Big | null }
  | { type: 'min'; min: Big | null }
  | { type: 'unique_count'; values: ReadonlySet<string> }
  | { type: 'latest'; latest: LatestEntry | null }
  | WeightedSumState;

/** JSON-safe form for a jsonb column: strings (and null for "no value yet") only. */
export type SerializedAggregationState =
  | { type: 'sum'; sum: string }
  | { type: 'count'; count: string }
  | { type: 'max'; max: string | null }
  | { type: 'min'; min: string | null }
  | { type: 'unique_count'; values: string[] }
  | { type: 'latest'; latest: LatestEntry | null }
  | SerializedWeightedSumState;

export function isAggregationType(value: unknown): value is AggregationType {
  return typeof value === 'string' && (AGGREGATION_TYPES as readonly string[]).includes(value);
}

export function emptyState(type: AggregationType): AggregationState {
  switch (type) {
    case 'sum':
      return { type, sum: new Big(0) };
    case 'count':
      return { type, count: new Big(0) };
    case 'max':
      return { type, max: null };
    case 'min':
      return { type, min: null };
    case 'unique_count':
      return { type, values: new Set<string>() };
    case 'latest':
      return { type, latest: null };
    case 'weighted_sum':
      return emptyWeightedSum();
  }
}

/** Adds one event. Throws on a value the type cannot aggregate (validate with parseMetricValue first). */
export function addValue(state: AggregationState, event: AggregationEvent): AggregationState {
  return addValues(state, [event]);
}

/** Adds many events at once; for unique_count this copies the value set once instead of per event. */
export function addValues(state: AggregationState, events: Iterable<AggregationEvent>): AggregationState {
  switch (state.type) {
    case 'sum': {
      let sum = state.sum;
      for (const event of events) sum = sum.plus(numericValue(event));
      return { type: 'sum', sum };
    }
    case 'count': {
      let count = state.count;
      for (const _event of events) count = count.plus(1);
      return { type: 'count', count };
    }
    case 'max': {
      let max = state.max;
      for (const event of events) {
        const value = numericValue(event);
        if (max === null || value.gt(max)) max = value;
      }
      return { type: 'max', max };
    }
    case 'min': {
      let min = state.min;
      for (const event of events) {
        const value = numericValue(event);
        if (min === null || value.lt(min)) min = value;
      }
      return { type: 'min', min };
    }
    case 'unique_count': {
      const values = new Set(state.values);
      for (const event of events) values.add(requiredValue(event));
      return { type: 'unique_count', values };
    }
    case 'latest': {
      let latest = state.latest;
      for (const event of events) {
        const entry = latestEntry(event);
        latest = latest === null || compareLatest(entry, latest) > 0 ? entry : latest;
      }
      return { type: 'latest', latest };
    }
    case 'weighted_sum':
      return mergeWeightedSums(state, aggregateWeightedSum(events));
  }
}

/** All events aggregated from the empty state. */
export function aggregateEvents(type: AggregationType, events: Iterable<AggregationEvent>): AggregationState {
  return addValues(emptyState(type), events);
}

/** Associative and commutative, with emptyState(type) as identity. Throws on mismatched types. */
export function mergeStates(a: AggregationState, b: AggregationState): AggregationState {
  if (a.type !== b.type) throw new TypeError(`cannot merge a ${a.type} state with a ${b.type} state`);
  switch (a.type) {
    case 'sum':
      return { type: 'sum', sum: a.sum.plus((b as typeof a).sum) };
    case 'count':
      return { type: 'count', count: a.count.plus((b as typeof a).count) };
    case 'max': {
      const other = (b as typeof a).max;
      return { type: 'max', max: a.max === null || (other !== null && other.gt(a.max)) ? other : a.max };
    }
    case 'min': {
      const other = (b as typeof a).min;
      return { type: 'min', min: a.min === null || (other !== null && other.lt(a.min)) ? other : a.min };
    }
    case 'unique_count': {
      const values = new Set(a.values);
      for (const value of (b as typeof a).values) values.add(value);
      return { type: 'unique_count', values };
    }
    case 'latest': {
      const other = (b as typeof a).latest;
      const latest = a.latest === null || (other !== null && compareLatest(other, a.latest) > 0) ? other : a.latest;
      return { type: 'latest', latest };
    }
    case 'weighted_sum':
      return mergeWeightedSums(a, b as typeof a);
  }
}

/** A period [start, end) as RFC 3339 timestamps; weighted_sum's value depends on it. */
export interface ValuePeriod {
  start: string;
  end: string;
  /**
   * weighted_sum only: the period the held value is weighed over, when [start, end) is a piece of it
   * (a plan phase of a cycle). Its pieces' values then add up to the value of the whole period.
   */
  weighedOver?: { start: string; end: string };
}

/**
 * The metric's value for the aggregated events. With no events: "0" for sum, count and
 * unique_count (nothing used), null for max, min and latest (there is no value; the contract's
 * histogram shows empty buckets with this "empty value"). weighted_sum needs the period (its
 * state must hold the latest event before the period too, see weightedSumValue) and is "0" when
 * nothing was held.
 */
export function finalValue(state: AggregationState, period?: ValuePeriod): string | null {
  switch (state.type) {
    case 'sum':
      return formatDecimal(state.sum);
    case 'count':
      return formatDecimal(state.count);
    case 'max':
      return state.max === null ? null : formatDecimal(state.max);
    case 'min':
      return state.min === null ? null : formatDecimal(state.min);
    case 'unique_count':
      return String(state.values.size);
    case 'latest':
      return state.latest === null ? null : state.latest.value;
    case 'weighted_sum':
      if (!period) throw new RangeError('a weighted_sum value needs its period');
      return weightedSumValue(state, period.start, period.end, period.weighedOver);
  }
}

/** The value of a metric with no events in the window (see finalValue). */
export function emptyValue(type: AggregationType): string | null {
  return type === 'weighted_sum' ? '0' : finalValue(emptyState(type));
}

/** Canonical JSON form: equal states serialise identically (unique values sorted). */
export function serializeState(state: AggregationState): SerializedAggregationState {
  switch (state.type) {
    case 'sum':
      return { type: 'sum', sum: formatDecimal(state.sum) };
    case 'count':
      return { type: 'count', count: formatDecimal(state.count) };
    case 'max':
      return { type: 'max', max: state.max === null ? null : formatDecimal(state.max) };
    case 'min':
      return { type: 'min', min: state.min === null ? null : formatDecimal(state.min) };
    case 'unique_count':
      return { type: 'unique_count', values: [...state.values].sort() };
    case 'latest':
      return { type: 'latest', latest: state.latest === null ? null : { ...state.latest } };
    case 'weighted_sum':
      return serializeWeightedSum(state);
  }
}

/** Reads a serialised state back (e.g. from jsonb). Throws an Error naming the problem when corrupt. */
export function deserializeState(raw: unknown): AggregationState {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw corrupt('not an object');
  const record = raw as Record<string, unknown>;
  const type = record.type;
  if (!isAggregationType(type)) throw corrupt(`unknown type ${JSON.stringify(type)}`);
  switch (type) {
    case 'sum':
      return { type, sum: storedDecimal(record.sum, 'sum') };
    case 'count':
      return { type, count: storedDecimal(record.count, 'count') };
    case 'max':
      return { type, max: record.max === null ? null : storedDecimal(record.max, 'max') };
    case 'min':
      return { type, min: record.min === null ? null : storedDecimal(record.min, 'min') };
    case 'unique_count': {
      const values = record.values;
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw corrupt('values must be strings');
      return { type, values: new Set(values as string[]) };
    }
    case 'latest': {
      if (record.latest === null) return { type, latest: null };
      const latest = record.latest as Record<string, unknown> | undefined;
      if (typeof latest !== 'object' || latest === null) throw corrupt('latest must be an object or null');
      const { value, timestamp, sequence } = latest;
      if (typeof value !== 'string' || typeof timestamp !== 'string' || typeof sequence !== 'string') {
        throw corrupt('latest needs string value, timestamp and sequence');
      }
      return { type, latest: latestEntry({ value, timestamp, sequence }) };
    }
    case 'weighted_sum':
      return deserializeWeightedSum(record);
  }
}

/**
 * Instant, then sequence (ingestion order). The value and the timestamp's spelling only break
 * ties that real data never has (one sequence per event), so the result never depends on merge
 * order: merge stays commutative even for duplicated events.
 */
function compareLatest(a: LatestEntry, b: LatestEntry): number {
  const byTime = compareTimestamps(a.timestamp, b.timestamp);
  if (byTime !== 0) return byTime;
  const sa = BigInt(a.sequence);
  const sb = BigInt(b.sequence);
  if (sa !== sb) return sa > sb ? 1 : -1;
  return compareStrings(a.value, b.value) || compareStrings(a.timestamp, b.timestamp);
}

function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a > b ? 1 : -1;
}

function latestEntry(event: AggregationEvent): LatestEntry {
  const value = requiredValue(event);
  if (!parsePreciseInstant(event.timestamp)) throw new TypeError(`invalid event timestamp: ${event.timestamp}`);
  if (!/^\d+$/.test(event.sequence)) throw new TypeError(`invalid event sequence: ${event.sequence}`);
  return { value, timestamp: event.timestamp, sequence: event.sequence };
}

function requiredValue(event: AggregationEvent): string {
  if (event.value === null || event.value === undefined) throw new TypeError('this aggregation needs an event value');
  return event.value;
}

function numericValue(event: AggregationEvent): Big {
  const parsed = parseDecimal(requiredValue(event), { allowNegative: true });
  if (!parsed.ok) throw new TypeError(`event value ${JSON.stringify(event.value)} ${parsed.message}`);
  return parsed.value;
}

// Stored sums may be longer than parseDecimal's input cap, so stored values get their own check.
function storedDecimal(raw: unknown, name: string): Big {
  if (typeof raw !== 'string' || !/^-?\d+(\.\d+)?$/.test(raw)) throw corrupt(`${name} must be a decimal string`);
  return new Big(raw);
}

function corrupt(reason: string): Error {
  return new Error(`invalid serialized aggregation state: ${reason}`);
}
