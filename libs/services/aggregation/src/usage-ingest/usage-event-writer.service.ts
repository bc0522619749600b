import { Injectable } from '@nestjs/common';
import { deserializeState, emptyState, mergeStates, serializeState } from '@abaxus/domain/aggregation/aggregation-state';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { stateFromAggregateRow } from '../hourly-buckets/aggregate-sql';
import { bucketDeltas, bucketId, touchedBuckets } from '../hourly-buckets/hourly-buckets';
import { StoredEvent, UsageStoreTransaction } from './usage-store.repository';

/**
 * How events enter the store inside a transaction: key and event together (a key is seen only
 * with its event), then the hourly buckets, either merged with the new events' states (stream)
 * or rebuilt from the events table (backfill, which may land in any old hour). The database keeps
 * the daily rollups of those buckets (triggers, migration 1710000000800).
 */
@Injectable()
export class UsageEventWriter {
  /** Stores the events whose key is new and merges them into their buckets. */
  async storeAndMerge(tx: UsageStoreTransaction, events: ValidUsageEvent[]): Promise<StoredEvent[]> {
    const stored = await tx.insertNewEvents(firstPerKey(events));
    if (stored.length === 0) return stored;
    const deltas = bucketDeltas(stored);
    const existing = await tx.insertOrLockBuckets(deltas.map((delta) => ({ ...delta, state: serializeState(delta.state) })));
    const deltaById = new Map(deltas.map((delta) => [bucketId(delta), delta]));
    await tx.updateBuckets(
      existing.map((row) => ({ ...row, state: serializeState(mergeStates(deserializeState(row.state), deltaById.get(bucketId(row))!.state)) })),
    );
    return stored;
  }

  /** Stores the events whose key is new and rebuilds every bucket they touch from the events table. */
  async storeAndRebuild(tx: UsageStoreTransaction, events: ValidUsageEvent[]): Promise<StoredEvent[]> {
    const stored = await tx.insertNewEvents(firstPerKey(events));
    if (stored.length === 0) return stored;
    const touched = touchedBuckets(stored);
    // Lock first, then read the events: a concurrent writer of these hours has committed by then.
    await tx.insertOrLockBuckets(touched.map((bucket) => ({ ...bucket, state: serializeState(emptyState(bucket.aggregationType)) })));
    for (const type of new Set(touched.map((bucket) => bucket.aggregationType))) {
      const ofType = touched.filter((bucket) => bucket.aggregationType === type);
      const aggregates = await tx.aggregateBuckets(type, ofType);
      await tx.updateBuckets(ofType.map((bucket) => ({ ...bucket, state: serializeState(stateFromAggregateRow(type, aggregates.get(bucketId(bucket)))) })));
    }
    return stored;
  }
}

/** The first event of each idempotency key wins, within a batch as across batches. */
export function firstPerKey(events: ValidUsageEvent[]): ValidUsageEvent[] {
  const seen = new Set<string>();
  const unique: ValidUsageEvent[] = [];
  for (const event of events) {
    if (seen.has(event.idempotencyKey)) continue;
    seen.add(event.idempotencyKey);
    unique.push(event);
  }
  return unique;
}
