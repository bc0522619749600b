import { addValues, AggregationEvent, AggregationState, AggregationType, emptyState } from '@abaxus/domain/aggregation/aggregation-state';
import { hourStartOf } from '@abaxus/usage-events/event-timestamp';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';

/** Events without a subscription are bucketed under this key. */
export const NO_SUBSCRIPTION = '';

export interface BucketKey {
  customerId: string;
  /** The subscription id, or NO_SUBSCRIPTION. */
  subscriptionKey: string;
  metricKey: string;
  /** Start of the UTC hour, epoch milliseconds. */
  hourMillis: number;
  /** The event's values of the metric's dimensions (see dimensionKeyOf; `{}` when none). */
  dimensionKey: string;
}

/** The key of an hour's rollup bucket of a metric with dimensions (not JSON: never read as values). */
export const ALL_DIMENSION_VALUES_KEY = '*';

export interface BucketDelta extends BucketKey {
  aggregationType: AggregationType;
  state: AggregationState;
}

export function bucketId(key: BucketKey): string {
  return `${key.customerId}\u0001${key.subscriptionKey}\u0001${key.metricKey}\u0001${key.hourMillis}\u0001${key.dimensionKey}`;
}

/**
 * The buckets an event counts in: its combination of dimension values and, for a metric with
 * dimensions, also the hour's rollup of every combination, so a figure that neither filters nor
 * groups reads one bucket per hour, as fast as for a metric without dimensions.
 */
function bucketKeysOf(event: ValidUsageEvent): BucketKey[] {
  const key = {
    customerId: event.customerId,
    subscriptionKey: event.subscriptionId ?? NO_SUBSCRIPTION,
    metricKey: event.metricKey,
    hourMillis: hourStartOf(event.instant.epochMillis),
    dimensionKey: event.dimensionKey,
  };
  return event.dimensions.length === 0 ? [key] : [key, { ...key, dimensionKey: ALL_DIMENSION_VALUES_KEY }];
}

/** The events of a batch, aggregated per hourly bucket into mergeable states. */
export function bucketDeltas(events: Array<ValidUsageEvent & { seq: string }>): BucketDelta[] {
  const groups = new Map<string, { key: BucketKey; type: AggregationType; events: AggregationEvent[] }>();
  for (const event of events) {
    for (const key of bucketKeysOf(event)) {
      const id = bucketId(key);
      let group = groups.get(id);
      if (!group) {
        group = { key, type: event.aggregationType, events: [] };
        groups.set(id, group);
      }
      group.events.push({ value: event.value, timestamp: event.instant.iso, sequence: event.seq });
    }
  }
  return [...groups.values()].map((group) => ({ ...group.key, aggregationType: group.type, state: addValues(emptyState(group.type), group.events) }));
}

/** A bucket to rebuild from the events table: its metric's aggregation type and dimensions. */
export type TouchedBucket = BucketKey & { aggregationType: AggregationType; dimensions: readonly string[] };

/** Distinct bucket keys touched by the events, with the aggregation type and dimensions of their metric. */
export function touchedBuckets(events: ValidUsageEvent[]): TouchedBucket[] {
  const touched = new Map<string, TouchedBucket>();
  for (const event of events) {
    for (const key of bucketKeysOf(event)) {
      const id = bucketId(key);
      if (!touched.has(id)) touched.set(id, { ...key, aggregationType: event.aggregationType, dimensions: event.dimensions });
    }
  }
  return [...touched.values()];
}
