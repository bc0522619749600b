import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AggregationState, AggregationType, SerializedAggregationState } from '@abaxus/domain/aggregation/aggregation-state';
import { AggregateRow, stateAggregateSql, stateFromAggregateRow } from '../hourly-buckets/aggregate-sql';
import { NO_DIMENSION_VALUES_KEY, UsageSelection, WHOLE_USAGE } from '@abaxus/domain/aggregation/usage-selection';
import { ALL_DIMENSION_VALUES_KEY, NO_SUBSCRIPTION } from '../hourly-buckets/hourly-buckets';
import { selectionSql } from './selection-sql';
import { MERGED_IN_SQL, wholeDays } from '../hourly-buckets/daily-rollups';
import { EventInstant } from '@abaxus/usage-events/event-timestamp';
import { Span } from './usage-window';

/** Whose usage: a customer's events, or a subscription's (its events plus the customer's without one). */
export interface UsageScope {
  customerId: string;
  metricKey: string;
  subscriptionId: string | null;
}

/** Buckets merged over a span, per dimension key. */
export interface BucketTotalRow {
  state: SerializedAggregationState;
  dimensionKey: string;
}

export interface HourlyBucketRow {
  hourMillis: number;
  state: SerializedAggregationState;
  /** The bucket's dimension values (`{}` when the selection does not group). */
  dimensionKey: string;
}

/** One group's figure; `group` holds one value (or null) per group_by property, empty without grouping. */
export interface Grouped<T> {
  group: Array<string | null>;
  figure: T;
}

const SCOPE_WHERE = `e.customer_id = $1 AND e.metric_key = $2 AND e.ts >= $3 AND e.ts < $4
  AND ($5::text IS NULL OR e.subscription_id = $5 OR e.subscription_id IS NULL)`;

/** Reads of the events store: hourly buckets, exact aggregates of events, consumer positions. */
@Injectable()
export class UsageQueryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Bucket rows of whole hours [fromHour, toHour), every subscription key in scope, of the selected
   * dimension values. A metric with dimensions is read from its hourly rollups when the selection
   * takes everything ungrouped, else from its combinations' buckets.
   */
  async hourlyBuckets(
    scope: UsageScope,
    fromHour: number,
    toHour: number,
    selection: UsageSelection = WHOLE_USAGE,
    hasDimensions = false,
  ): Promise<HourlyBucketRow[]> {
    const { params, select } = this.bucketsSql(scope, fromHour, toHour, selection, hasDimensions);
    const sql = select('usage_hourly', 'b.hour >= $3 AND b.hour < $4', 'b.hour, ');
    const rows: Array<{ hour: Date; state: SerializedAggregationState; dimension_key: string }> = await this.dataSource.query(sql, params);
    return rows.map((row) => ({ hourMillis: row.hour.getTime(), state: row.state, dimensionKey: row.dimension_key }));
  }

  /**
   * The bucket rows in scope, of the selected dimension values: `time` is the row's time column
   * with its bounds as SQL parameters. A metric with dimensions is read from its rollups (`*`)
   * when the selection takes everything ungrouped, else from its combinations' buckets.
   * With `scopes`, several scopes at once (bucketTotalsMany): $1 and $5 are arrays, read through k.
   */
  private bucketsSql(
    scope: UsageScope,
    fromHour: number,
    toHour: number,
    selection: UsageSelection,
    hasDimensions: boolean,
    scopes?: { customerIds: string[]; subscriptionIds: Array<string | null> },
  ): { params: unknown[]; select: (table: 'usage_hourly' | 'usage_daily', time: string, columns?: string) => string } {
    const params: unknown[] = [
      scopes ? scopes.customerIds : scope.customerId,
      scope.metricKey,
      new Date(fromHour).toISOString(),
      new Date(toHour).toISOString(),
      scopes ? scopes.subscriptionIds : scope.subscriptionId,
      NO_SUBSCRIPTION,
    ];
    // Grouped by the caller from the key, which is only read (and sent) when the answer is grouped.
    const { where } = selectionSql({ ...selection, groupBy: [] }, 'buckets', params);
    const whole = where === 'TRUE' && selection.groupBy.length === 0;
    const buckets = !hasDimensions
      ? where
      : whole
        ? `b.dimension_key = '${ALL_DIMENSION_VALUES_KEY}'`
        : `b.dimension_key <> '${ALL_DIMENSION_VALUES_KEY}' AND ${where}`;
    const key = selection.groupBy.length > 0 ? 'b.dimension_key' : `'${NO_DIMENSION_VALUES_KEY}'`;
    const select = (table: 'usage_hourly' | 'usage_daily', time: string, columns = ''): string =>
      scopes
        ? `SELECT ${columns}k.scope, b.state, ${key} AS dimension_key
           FROM unnest($1::text[], $5::text[]) WITH ORDINALITY AS k(customer_id, subscription_id, scope)
           JOIN aggregation.${table} b ON b.customer_id = k.customer_id AND b.metric_key = $2 AND ${time}
             AND (k.subscription_id IS NULL OR b.subscription_key = k.subscription_id OR b.subscription_key = $6) AND ${buckets}`
        : `SELECT ${columns}b.state, ${key} AS dimension_key FROM aggregation.${table} b
           WHERE b.customer_id = $1 AND b.metric_key = $2 AND ${time}
             AND ($5::text IS NULL OR b.subscription_key = $5 OR b.subscription_key = $6) AND ${buckets}`;
    return { params, select };
  }

  /**
   * The rows bucketTotals merges: the daily rollups of the whole UTC days inside [fromHour,
   * toHour), the hourly buckets of the hours around them.
   */
  private totalsSql(
    scope: UsageScope,
    fromHour: number,
    toHour: number,
    selection: UsageSelection,
    hasDimensions: boolean,
    scopes?: { customerIds: string[]; subscriptionIds: Array<string | null> },
  ): { sql: string; params: unknown[] } {
    const { params, select } = this.bucketsSql(scope, fromHour, toHour, selection, hasDimensions, scopes);
    const { fromDay, toDay } = wholeDays(fromHour, toHour);
    params.push(new Date(fromDay).toISOString(), new Date(toDay).toISOString());
    const [dayFrom, dayTo] = [`$${params.length - 1}`, `$${params.length}`];
    const sql = [
      select('usage_hourly', `b.hour >= $3 AND b.hour < ${dayFrom}`),
      select('usage_daily', `b.day >= ${dayFrom} AND b.day < ${dayTo}`),
      select('usage_hourly', `b.hour >= ${dayTo} AND b.hour < $4`),
    ].join(' UNION ALL ');
    return { sql, params };
  }

  /**
   * The same buckets as hourlyBuckets, merged per dimension key. For sum, count, max and min the
   * database merges them (exact `numeric`) from the daily rollups and the hours around them: one
   * row per group instead of one per hour, which is most of a month's read. Other types are merged
   * by the caller, hour by hour.
   */
  async bucketTotals(
    type: AggregationType,
    scope: UsageScope,
    fromHour: number,
    toHour: number,
    selection: UsageSelection = WHOLE_USAGE,
    hasDimensions = false,
  ): Promise<BucketTotalRow[]> {
    const merge = MERGED_IN_SQL[type];
    if (!merge) return this.hourlyBuckets(scope, fromHour, toHour, selection, hasDimensions);
    const { sql, params } = this.totalsSql(scope, fromHour, toHour, selection, hasDimensions);
    const rows: Array<{ total: string | null; dimension_key: string }> = await this.dataSource.query(
      `SELECT ${merge}((b.state ->> '${type}')::numeric)::text AS total, dimension_key FROM (${sql}) b GROUP BY dimension_key`,
      params,
    );
    return rows.map((row) => ({ state: { type, [type]: row.total } as SerializedAggregationState, dimensionKey: row.dimension_key }));
  }

  /**
   * bucketTotals for several scopes (customer, subscription) of one metric, span and selection in
   * one statement (a batch of calculations): one list of rows per scope, in order. Only for the
   * types merged in the database.
   */
  async bucketTotalsMany(
    type: AggregationType,
    scopes: ReadonlyArray<Omit<UsageScope, 'metricKey'>>,
    metricKey: string,
    fromHour: number,
    toHour: number,
    selection: UsageSelection = WHOLE_USAGE,
    hasDimensions = false,
  ): Promise<BucketTotalRow[][]> {
    const merge = MERGED_IN_SQL[type];
    if (!merge) throw new Error(`bucketTotalsMany: ${type} is not merged in the database`);
    const { sql, params } = this.totalsSql({ customerId: '', metricKey, subscriptionId: null }, fromHour, toHour, selection, hasDimensions, {
      customerIds: scopes.map((scope) => scope.customerId),
      subscriptionIds: scopes.map((scope) => scope.subscriptionId),
    });
    const rows: Array<{ scope: string; total: string | null; dimension_key: string }> = await this.dataSource.query(
      `SELECT b.scope::text AS scope, ${merge}((b.state ->> '${type}')::numeric)::text AS total, dimension_key FROM (${sql}) b GROUP BY b.scope, dimension_key`,
      params,
    );
    const answers: BucketTotalRow[][] = scopes.map(() => []);
    for (const row of rows) {
      answers[Number(row.scope) - 1].push({ state: { type, [type]: row.total } as SerializedAggregationState, dimensionKey: row.dimension_key });
    }
    return answers;
  }

  /** The mergeable state of the selected events in a span, per group (used for the partial hours of a period). */
  async eventsState(type: AggregationType, scope: UsageScope, span: Span, selection: UsageSelection = WHOLE_USAGE): Promise<Array<Grouped<AggregationState>>> {
    const params: unknown[] = [scope.customerId, scope.metricKey, span.start.iso, span.end.iso, scope.subscriptionId];
    const { where, groups } = selectionSql(selection, 'events', params);
    const rows: Array<AggregateRow & Record<string, string | null>> = await this.dataSource.query(
      `SELECT ${groupColumns(groups)}${stateAggregateSql(type)} FROM aggregation.events e
       WHERE ${SCOPE_WHERE} AND ${where} ${groupByClause(groups)}`,
      params,
    );
    return rows.map((row) => ({ group: groupOfRow(row, groups.length), figure: stateFromAggregateRow(type, row) }));
  }

  /**
   * The exact aggregate straight from the events table per group, as SQL computes it best for a
   * long period (count distinct, newest by index); the caller formats it like the domain does.
   */
  async exactAggregate(
    type: Exclude<AggregationType, 'weighted_sum'>,
    scope: UsageScope,
    span: Span,
    selection: UsageSelection = WHOLE_USAGE,
  ): Promise<Array<Grouped<string | null>>> {
    const params: unknown[] = [scope.customerId, scope.metricKey, span.start.iso, span.end.iso, scope.subscriptionId];
    const { where, groups } = selectionSql(selection, 'events', params);
    const from = `FROM aggregation.events e WHERE ${SCOPE_WHERE} AND ${where}`;
    const columns = groupColumns(groups);
    const select: Record<Exclude<AggregationType, 'weighted_sum'>, string> = {
      sum: `SELECT ${columns}coalesce(sum(e.value::numeric), 0)::text AS value ${from} ${groupByClause(groups)}`,
      count: `SELECT ${columns}count(*)::text AS value ${from} ${groupByClause(groups)}`,
      max: `SELECT ${columns}max(e.value::numeric)::text AS value ${from} ${groupByClause(groups)}`,
      min: `SELECT ${columns}min(e.value::numeric)::text AS value ${from} ${groupByClause(groups)}`,
      unique_count: `SELECT ${columns}count(DISTINCT e.value)::text AS value ${from} ${groupByClause(groups)}`,
      latest:
        groups.length === 0
          ? `SELECT e.value ${from} ORDER BY e.ts DESC, e.seq DESC LIMIT 1`
          : `SELECT DISTINCT ON (${groups.join(', ')}) ${columns}e.value ${from} ORDER BY ${groups.join(', ')}, e.ts DESC, e.seq DESC`,
    };
    const rows: Array<Record<string, string | null>> = await this.dataSource.query(select[type], params);
    if (groups.length === 0) return [{ group: [], figure: rows[0]?.value ?? null }];
    return rows.map((row) => ({ group: groupOfRow(row, groups.length), figure: row.value }));
  }

  /** Per group, the state of the latest selected event before `before` (a weighted_sum level held into a period). */
  async heldBefore(scope: UsageScope, before: EventInstant, selection: UsageSelection = WHOLE_USAGE): Promise<Array<Grouped<AggregationState>>> {
    const params: unknown[] = [scope.customerId, scope.metricKey, before.iso, scope.subscriptionId];
    const { where, groups } = selectionSql(selection, 'events', params);
    const latest =
      groups.length === 0
        ? `SELECT e.* FROM aggregation.events e WHERE ${HELD_WHERE} AND ${where} ORDER BY e.ts DESC, e.seq DESC LIMIT 1`
        : `SELECT DISTINCT ON (${groups.join(', ')}) e.*, ${groups.map((expr, index) => `${expr} AS g${index}`).join(', ')}
           FROM aggregation.events e WHERE ${HELD_WHERE} AND ${where} ORDER BY ${groups.join(', ')}, e.ts DESC, e.seq DESC`;
    const outerGroups = groups.map((_, index) => `e.g${index}`);
    const rows: Array<AggregateRow & Record<string, string | null>> = await this.dataSource.query(
      `SELECT ${groupColumns(outerGroups)}${stateAggregateSql('weighted_sum')} FROM (${latest}) e ${groupByClause(outerGroups)}`,
      params,
    );
    return rows.map((row) => ({ group: groupOfRow(row, groups.length), figure: stateFromAggregateRow('weighted_sum', row) }));
  }

  /** Every selected event's value in a span with its group (events without a value are left out). */
  async eventValues(scope: UsageScope, span: Span, selection: UsageSelection = WHOLE_USAGE): Promise<Array<Grouped<string>>> {
    const params: unknown[] = [scope.customerId, scope.metricKey, span.start.iso, span.end.iso, scope.subscriptionId];
    const { where, groups } = selectionSql(selection, 'events', params);
    const rows: Array<Record<string, string | null>> = await this.dataSource.query(
      `SELECT ${groupColumns(groups)}e.value FROM aggregation.events e WHERE ${SCOPE_WHERE} AND e.value IS NOT NULL AND ${where}`,
      params,
    );
    return rows.map((row) => ({ group: groupOfRow(row, groups.length), figure: row.value! }));
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

  /** periodsWithEventsStoredAfter for many subscriptions in one statement: each one's late period indexes, in order. */
  async periodsWithEventsStoredAfterMany(
    queries: ReadonlyArray<{ customerId: string; subscriptionId: string; periods: ReadonlyArray<{ start: Date; end: Date; checkedAt: Date }> }>,
  ): Promise<number[][]> {
    const rows = queries.flatMap((query, q) => query.periods.map((period, i) => ({ query, period, q: q + 1, i: i + 1 })));
    const late: number[][] = queries.map(() => []);
    if (rows.length === 0) return late;
    const found: Array<{ q: string; i: string }> = await this.dataSource.query(
      `SELECT p.q::text AS q, p.i::text AS i
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::int[]) AS p(customer_id, subscription_id, s, e, c, q, i)
       WHERE EXISTS (
         SELECT 1 FROM aggregation.events ev
         WHERE ev.customer_id = p.customer_id AND ev.ts >= p.s AND ev.ts < p.e AND ev.received_at > p.c
           AND (ev.subscription_id = p.subscription_id OR ev.subscription_id IS NULL))
       ORDER BY p.q, p.i`,
      [
        rows.map(({ query }) => query.customerId),
        rows.map(({ query }) => query.subscriptionId),
        rows.map(({ period }) => period.start.toISOString()),
        rows.map(({ period }) => period.end.toISOString()),
        rows.map(({ period }) => period.checkedAt.toISOString()),
        rows.map(({ q }) => q),
        rows.map(({ i }) => i),
      ],
    );
    for (const row of found) late[Number(row.q) - 1].push(Number(row.i) - 1);
    return late;
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

const HELD_WHERE = `e.customer_id = $1 AND e.metric_key = $2 AND e.ts < $3 AND ($4::text IS NULL OR e.subscription_id = $4 OR e.subscription_id IS NULL)`;

function groupColumns(groups: string[]): string {
  return groups.map((expr, index) => `${expr} AS g${index}, `).join('');
}

function groupByClause(groups: string[]): string {
  return groups.length === 0 ? '' : `GROUP BY ${groups.map((_, index) => `g${index}`).join(', ')}`;
}

function groupOfRow(row: Record<string, unknown>, size: number): Array<string | null> {
  return Array.from({ length: size }, (_, index) => (row[`g${index}`] as string | null) ?? null);
}
