import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AggregationState, AggregationType, SerializedAggregationState } from '@abaxus/domain/aggregation/aggregation-state';
import { AggregateRow, stateAggregateSql, stateFromAggregateRow } from '../hourly-buckets/aggregate-sql';
import { NO_SUBSCRIPTION } from '../hourly-buckets/hourly-buckets';
import { EventInstant } from '@abaxus/usage-events/event-timestamp';
import { Span } from './usage-window';

/** Whose usage: a customer's events, or a subscription's (its events plus the customer's without one). */
export interface UsageScope {
  customerId: string;
  metricKey: string;
  subscriptionId: string | null;
}

export interface HourlyBucketRow {
  hourMillis: number;
  state: SerializedAggregationState;
}

/** Reads of the events store: hourly buckets, exact aggregates of events, consumer positions. */
@Injectable()
export class UsageQueryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Bucket rows of whole hours [fromHour, toHour), every subscription key in scope. */
  async hourlyBuckets(scope: UsageScope, fromHour: number, toHour: number): Promise<HourlyBucketRow[]> {
    const rows: Array<{ hour: Date; state: SerializedAggregationState }> = await this.dataSource.query(
      `SELECT hour, state FROM aggregation.usage_hourly
       WHERE customer_id = $1 AND metric_key = $2 AND hour >= $3 AND hour < $4
         AND ($5::text IS NULL OR subscription_key = $5 OR subscription_key = $6)`,
      [scope.customerId, scope.metricKey, new Date(fromHour).toISOString(), new Date(toHour).toISOString(), scope.subscriptionId, NO_SUBSCRIPTION],
    );
    return rows.map((row) => ({ hourMillis: row.hour.getTime(), state: row.state }));
  }

  /** The mergeable state of the events in a span (used for the partial hours of a period). */
  async eventsState(type: AggregationType, scope: UsageScope, span: Span): Promise<AggregationState> {
    const rows: AggregateRow[] = await this.dataSource.query(
      `SELECT ${stateAggregateSql(type)} FROM aggregation.events e
       WHERE e.customer_id = $1 AND e.metric_key = $2 AND e.ts >= $3 AND e.ts < $4
         AND ($5::text IS NULL OR e.subscription_id = $5 OR e.subscription_id IS NULL)`,
      [scope.customerId, scope.metricKey, span.start.iso, span.end.iso, scope.subscriptionId],
    );
    return stateFromAggregateRow(type, rows[0]);
  }

  /**
   * The exact aggregate straight from the events table, as SQL computes it best for a long period
   * (count distinct, newest by index); the caller formats it like the domain does.
   */
  async exactAggregate(type: Exclude<AggregationType, 'weighted_sum'>, scope: UsageScope, span: Span): Promise<string | null> {
    const where = `e.customer_id = $1 AND e.metric_key = $2 AND e.ts >= $3 AND e.ts < $4
      AND ($5::text IS NULL OR e.subscription_id = $5 OR e.subscription_id IS NULL)`;
    const params = [scope.customerId, scope.metricKey, span.start.iso, span.end.iso, scope.subscriptionId];
    const select: Record<Exclude<AggregationType, 'weighted_sum'>, string> = {
      sum: `SELECT coalesce(sum(e.value::numeric), 0)::text AS value FROM aggregation.events e WHERE ${where}`,
      count: `SELECT count(*)::text AS value FROM aggregation.events e WHERE ${where}`,
      max: `SELECT max(e.value::numeric)::text AS value FROM aggregation.events e WHERE ${where}`,
      min: `SELECT min(e.value::numeric)::text AS value FROM aggregation.events e WHERE ${where}`,
      unique_count: `SELECT count(DISTINCT e.value)::text AS value FROM aggregation.events e WHERE ${where}`,
      latest: `SELECT e.value FROM aggregation.events e WHERE ${where} ORDER BY e.ts DESC, e.seq DESC LIMIT 1`,
    };
    const rows: Array<{ value: string | null }> = await this.dataSource.query(select[type], params);
    return rows[0]?.value ?? null;
  }

  /** The state of the latest event before `before` in scope (a weighted_sum level held into a period); empty when none. */
  async heldBefore(scope: UsageScope, before: EventInstant): Promise<AggregationState> {
    const rows: AggregateRow[] = await this.dataSource.query(
      `SELECT ${stateAggregateSql('weighted_sum')} FROM (
         SELECT * FROM aggregation.events e
         WHERE e.customer_id = $1 AND e.metric_key = $2 AND e.ts < $3
           AND ($4::text IS NULL OR e.subscription_id = $4 OR e.subscription_id IS NULL)
         ORDER BY e.ts DESC, e.seq DESC LIMIT 1) e`,
      [scope.customerId, scope.metricKey, before.iso, scope.subscriptionId],
    );
    return stateFromAggregateRow('weighted_sum', rows[0]);
  }

  /** Every event's value in a span (events without a value are left out). */
  async eventValues(scope: UsageScope, span: Span): Promise<string[]> {
    const rows: Array<{ value: string }> = await this.dataSource.query(
      `SELECT e.value FROM aggregation.events e
       WHERE e.customer_id = $1 AND e.metric_key = $2 AND e.ts >= $3 AND e.ts < $4 AND e.value IS NOT NULL
         AND ($5::text IS NULL OR e.subscription_id = $5 OR e.subscription_id IS NULL)`,
      [scope.customerId, scope.metricKey, span.start.iso, span.end.iso, scope.subscriptionId],
    );
    return rows.map((row) => row.value);
  }

  /**
   * Which periods (0-based indexes) hold an event of the subscription (or of the customer without
   * one), any metric, stored after the period's `checkedAt`: usage that came late for it.
   */
  async periodsWithEventsStoredAfter(
    customerId: string,
    subscriptionId: string,
    periods: ReadonlyArray<{ start: Date; end: Date; checkedAt: Date }>,
  ): Promise<number[]> {
    const rows: Array<{ i: string }> = await this.dataSource.query(
      `SELECT p.i::text AS i FROM unnest($3::timestamptz[], $4::timestamptz[], $5::timestamptz[]) WITH ORDINALITY AS p(s, e, c, i)
       WHERE EXISTS (
         SELECT 1 FROM aggregation.events ev
         WHERE ev.customer_id = $1 AND ev.ts >= p.s AND ev.ts < p.e AND ev.received_at > p.c
           AND (ev.subscription_id = $2 OR ev.subscription_id IS NULL))
       ORDER BY p.i`,
      [
        customerId,
        subscriptionId,
        periods.map((period) => period.start.toISOString()),
        periods.map((period) => period.end.toISOString()),
        periods.map((period) => period.checkedAt.toISOString()),
      ],
    );
    return rows.map((row) => Number(row.i) - 1);
  }

  /** Next offset to store, per partition of the topic, as the aggregation consumer recorded it. */
  async positions(topic: string): Promise<Map<number, bigint>> {
    const rows: Array<{ partition: number; next_offset: string }> = await this.dataSource.query(
      'SELECT partition, next_offset FROM aggregation.consumer_positions WHERE topic = $1',
      [topic],
    );
    return new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
  }

  /** When the consumer last stored a batch: how fresh the buckets are. */
  async lastStoredAt(): Promise<Date | null> {
    const rows: Array<{ at: Date | null }> = await this.dataSource.query('SELECT max(updated_at) AS at FROM aggregation.consumer_positions');
    return rows[0]?.at ?? null;
  }
}
