import { Inject, Injectable } from '@nestjs/common';
import Big from 'big.js';
import {
  AggregationState,
  AggregationType,
  deserializeState,
  emptyState,
  finalValue,
  mergeStates,
  ValuePeriod,
} from '@abaxus/domain/aggregation/aggregation-state';
import { heldAtEnd, WeightedSumState } from '@abaxus/domain/aggregation/weighted-sum';
import { checkSelectionDimensions, DimensionValues, groupOf, groupToJson, UsageSelection } from '@abaxus/domain/aggregation/usage-selection';
import { formatDecimal } from '@abaxus/domain/money/decimal';
import { TOPICS } from '@abaxus/contracts/topics';
import { CatalogCopyService } from '@abaxus/usage-events/catalog-copy/catalog-copy.service';
import type { CatalogFacts } from '@abaxus/usage-events/usage-event-rules';
import { partitionForKey } from '@abaxus/platform/bus/key-partition';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { BatchItemProblem, batchItemProblem, ProblemException } from '@abaxus/platform/http/problem.exception';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { parseBillableBatch, parseLatePeriodsQuery, parseUsageQuery, UsageQuery } from './usage-query-params';
import { BucketTotalRow, Grouped, UsageQueryRepository, UsageScope } from './usage-query.repository';
import { histogramSize, histogramSpans, planPeriod, Span } from './usage-window';
import { mergesInSql } from '../hourly-buckets/daily-rollups';

/** One group's figure: the group_by properties' values (null: the events had none). */
export interface GroupValue<T = string | null> {
  dimensions: Record<string, string | null>;
  value: T;
}

/** Without group_by: `value`; with group_by: `groups` (one value per group present in the period) instead. */
export interface UsageValue {
  value?: string | null;
  groups?: GroupValue[];
  meta: { consistency: 'eventual' | 'strong'; as_of: string };
}

export interface UsageHistogram {
  buckets: Array<{ start: string; end: string; value?: string | null; groups?: GroupValue[] }>;
  meta: { consistency: 'eventual'; as_of: string };
}

/**
 * One billable query's answer: `value` without group_by, `groups` with it; when the query asked
 * for them, every selected event's value in the period (in no particular order, null values left
 * out), as `values` beside the value or in each group.
 */
export interface BillableAnswer {
  value?: string | null;
  values?: string[];
  groups?: Array<GroupValue & { values?: string[] }>;
}

export interface BillableBatchAnswer {
  /** One per query, in the order asked. */
  answers: BillableAnswer[];
  meta: { consistency: 'strong'; as_of: string };
}

interface MetricShape {
  type: AggregationType;
  dimensioned: boolean;
}

/** The reads of one batch, shared by its identical queries. */
interface BatchReads {
  figures: Memo<Array<Grouped<string | null>>>;
  values: Memo<Array<Grouped<string>>>;
  /** Across the batches of one billable-batches call. */
  totals?: BucketTotalsBatcher;
}

export interface BillableBatchesAnswer {
  /** One per batch, in the order asked: its answer, or the problem it was refused with. */
  results: Array<BillableBatchAnswer | { error: BatchItemProblem }>;
}

/** At most this many batches (subscriptions) in one billable-batches call: a billing run's claimed batch and then some. */
const MAX_BATCHES = 500;
const MAX_HISTOGRAM_BUCKETS = 10_000;
const CATCH_UP_POLL_MS = 20;
const RETRY_AFTER_SECONDS = 1;

/**
 * Usage figures. Summary and histogram read the hourly buckets (plus the partial edge hours from
 * the events table), so once the pipeline caught up they equal compute, which aggregates the
 * events table itself after waiting for the consumer to pass every offset acknowledged so far.
 */
@Injectable()
export class UsageService {
  constructor(
    private readonly repository: UsageQueryRepository,
    private readonly catalogCopy: CatalogCopyService,
    private readonly bus: MessageBus,
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
  ) {}

  async summary(input: unknown): Promise<UsageValue> {
    const query = this.parse(input, false);
    const { type, dimensioned } = await this.metricOf(query);
    const [states, asOf] = await Promise.all([this.bucketedStates(type, dimensioned, scopeOf(query), query, query.selection), this.asOf()]);
    return {
      ...groupedAnswer(
        query.selection,
        states.map(({ group, figure }) => ({ group, figure: finalValue(figure, periodOf(query)) })),
      ),
      meta: { consistency: 'eventual', as_of: asOf },
    };
  }

  async histogram(input: unknown): Promise<UsageHistogram> {
    const query = this.parse(input, true);
    if (histogramSize(query, query.granularity!) > MAX_HISTOGRAM_BUCKETS) {
      throw ProblemException.validation([
        { field: 'granularity', message: `the period would have more than ${MAX_HISTOGRAM_BUCKETS} buckets; use a coarser granularity or a shorter period` },
      ]);
    }
    const { type, dimensioned } = await this.metricOf(query);
    const scope = scopeOf(query);
    const selection = query.selection;
    const spans = histogramSpans(query, query.granularity!);
    const plan = planPeriod(query);
    const [rows, edgeStates, asOf, heldBefore] = await Promise.all([
      plan.toHour > plan.fromHour ? this.repository.hourlyBuckets(scope, plan.fromHour, plan.toHour, selection, dimensioned) : Promise.resolve([]),
      Promise.all(plan.edges.map((edge) => this.repository.eventsState(type, scope, edge, selection))),
      this.asOf(),
      this.heldBefore(type, scope, query, selection),
    ]);
    // Per group, one state per span of the histogram.
    const perGroup = new GroupedStates<AggregationState[]>(() => spans.map(() => emptyState(type)));
    if (selection.groupBy.length === 0) perGroup.at([]);
    const starts = spans.map((span) => span.start.epochMillis);
    const keys = new DimensionKeyReader(selection.groupBy);
    for (const row of rows) {
      const states = perGroup.at(keys.groupOf(row.dimensionKey));
      const index = lastAtOrBefore(starts, row.hourMillis);
      states[index] = mergeStates(states[index], deserializeState(row.state));
    }
    plan.edges.forEach((edge, i) => {
      const index = lastAtOrBefore(starts, edge.start.epochMillis);
      for (const { group, figure } of edgeStates[i]) {
        const states = perGroup.at(group);
        states[index] = mergeStates(states[index], figure);
      }
    });
    const heldByGroup = new GroupedStates<AggregationState | null>(() => null);
    for (const { group, figure } of heldBefore ?? []) {
      heldByGroup.set(group, figure);
      perGroup.at(group);
    }
    // weighted_sum: each bucket starts from the level the previous ones (or the time before the period) left.
    const valuesByGroup = perGroup.entries().map(({ group, figure: states }) => {
      let held = heldBefore === null ? null : (heldByGroup.get(group) ?? emptyState(type));
      return spans.map((span, index) => {
        if (held === null) return finalValue(states[index]);
        const withHeld = mergeStates(held, states[index]);
        held = heldAtEnd(withHeld as WeightedSumState);
        return finalValue(withHeld, { start: span.start.iso, end: span.end.iso });
      });
    });
    const groups = perGroup.entries().map((entry) => entry.group);
    return {
      buckets: spans.map((span, index) => ({
        start: span.start.iso,
        end: span.end.iso,
        ...groupedAnswer(
          selection,
          groups.map((group, g) => ({ group, figure: valuesByGroup[g][index] })),
        ),
      })),
      meta: { consistency: 'eventual', as_of: asOf },
    };
  }

  async compute(input: unknown): Promise<UsageValue> {
    const query = this.parse(input, false);
    const { type } = await this.metricOf(query);
    await this.awaitPipeline(query.customerId);
    const asOf = new Date().toISOString();
    const scope = scopeOf(query);
    if (type === 'weighted_sum') {
      // The period's change points straight from the events table (no buckets), plus the level held into it.
      const [states, held] = await Promise.all([
        this.repository.eventsState(type, scope, query, query.selection),
        this.repository.heldBefore(scope, query.start, query.selection),
      ]);
      const merged = new GroupedStates<AggregationState>(() => emptyState(type));
      if (query.selection.groupBy.length === 0) merged.at([]);
      for (const { group, figure } of [...held, ...states]) merged.set(group, mergeStates(merged.at(group), figure));
      const values = merged.entries().map(({ group, figure }) => ({ group, figure: finalValue(figure, periodOf(query)) }));
      return { ...groupedAnswer(query.selection, values), meta: { consistency: 'strong', as_of: asOf } };
    }
    const raw = await this.repository.exactAggregate(type, scope, query, query.selection);
    const values = sortGroups(raw).map(({ group, figure }) => ({ group, figure: formatExact(type, figure) }));
    return { ...groupedAnswer(query.selection, values), meta: { consistency: 'strong', as_of: asOf } };
  }

  /**
   * The figures pricing bills, one answer per query in order, as strong as compute: the pipeline
   * has passed every event of the customer acknowledged so far, checked once for the whole batch.
   * Each figure is read from the hourly buckets plus the exact edge hours. Buckets are written in
   * the same transaction as their events (and rebuilt by backfill in its own), so once the
   * pipeline has passed, they hold exactly what the events table holds — at the cost of a month's
   * 744 buckets instead of every event of the month. A query asking for `values` also gets each
   * event's value (a charge priced per event cannot be priced from a total). Identical reads in a
   * batch are read once.
   */
  async billableBatch(input: unknown): Promise<BillableBatchAnswer> {
    const parsed = parseBillableBatch(input);
    if (!parsed.ok) throw ProblemException.validation(parsed.errors, 'The usage queries are not valid.');
    const { customerId, subscriptionId, queries } = parsed.batch;
    const metrics = await this.metricsOf(
      customerId,
      subscriptionId,
      queries.map(({ query }) => query),
      (index) => `queries[${index}].`,
    );
    await this.awaitPipeline(customerId);
    const asOf = new Date().toISOString();
    const reads: BatchReads = { figures: new Memo(), values: new Memo() };
    const answers = await Promise.all(queries.map(({ query, values }, index) => this.billableAnswer(query, metrics[index], values, reads)));
    return { answers, meta: { consistency: 'strong', as_of: asOf } };
  }

  /**
   * billableBatch for many subscriptions in one call (pricing's batch of a billing run): the
   * catalog checked for all at once, the pipeline awaited once for all their customers' partitions,
   * each batch answered (or refused) on its own, in order.
   */
  async billableBatches(input: unknown): Promise<BillableBatchesAnswer> {
    const items = isRecord(input) ? input.batches : undefined;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCHES) {
      throw ProblemException.validation([{ field: 'batches', message: `must be an array of 1 to ${MAX_BATCHES} batches` }], 'The usage queries are not valid.');
    }
    const parsed = items.map((item: unknown) => parseBillableBatch(item));
    const batches = parsed.flatMap((result) => (result.ok ? [result.batch] : []));
    const facts = await this.catalogCopy.resolve({
      metricKeys: batches.flatMap(({ queries }) => queries.map(({ query }) => query.metricKey)),
      customerIds: batches.map(({ customerId }) => customerId),
      subscriptionIds: batches.flatMap(({ subscriptionId }) => (subscriptionId === null ? [] : [subscriptionId])),
    });
    const checked = parsed.map((result) => {
      if (!result.ok) return { error: ProblemException.validation(result.errors, 'The usage queries are not valid.') };
      try {
        const { customerId, subscriptionId, queries } = result.batch;
        return {
          batch: result.batch,
          metrics: this.metricsFrom(
            facts,
            customerId,
            subscriptionId,
            queries.map(({ query }) => query),
            (index) => `queries[${index}].`,
          ),
        };
      } catch (error) {
        return { error };
      }
    });
    await this.awaitPipeline(...checked.flatMap((entry) => (entry.batch ? [entry.batch.customerId] : [])));
    const asOf = new Date().toISOString();
    // The batches' identical bucket reads of different subscriptions go in one statement.
    const totals = new BucketTotalsBatcher(this.repository);
    const results = await Promise.all(
      checked.map(async (entry): Promise<BillableBatchAnswer | { error: BatchItemProblem }> => {
        if (!entry.batch) return { error: batchItemProblem(entry.error) };
        try {
          const reads: BatchReads = { figures: new Memo(), values: new Memo(), totals };
          const { metrics } = entry;
          const answers = await Promise.all(entry.batch.queries.map(({ query, values }, index) => this.billableAnswer(query, metrics[index], values, reads)));
          return { answers, meta: { consistency: 'strong', as_of: asOf } };
        } catch (error) {
          return { error: batchItemProblem(error) };
        }
      }),
    );
    return { results };
  }

  /** One query of a batch: its figures (weighed over the weight period when given) and, when asked, its events' values. */
  private async billableAnswer(query: UsageQuery, { type, dimensioned }: MetricShape, withValues: boolean, reads: BatchReads): Promise<BillableAnswer> {
    const { selection } = query;
    const span = [query.metricKey, query.start.iso, query.end.iso, selection];
    const [figures, eventValues] = await Promise.all([
      reads.figures.once([...span, query.weightPeriod?.start.iso, query.weightPeriod?.end.iso], async () =>
        (await this.bucketedStates(type, dimensioned, scopeOf(query), query, selection, reads.totals)).map(({ group, figure }) => ({
          group,
          figure: finalValue(figure, billedPeriodOf(query)),
        })),
      ),
      withValues ? reads.values.once(span, () => this.repository.eventValues(scopeOf(query), query, selection)) : undefined,
    ]);
    const answer = groupedAnswer(selection, figures);
    if (eventValues === undefined) return answer;
    if (selection.groupBy.length === 0) return { ...answer, values: eventValues.map((row) => row.figure) };
    const byGroup = new GroupedStates<string[]>(() => []);
    for (const row of eventValues) byGroup.at(row.group).push(row.figure);
    return {
      groups: figures.map(({ group, figure }) => ({ dimensions: groupToJson(selection.groupBy, group), value: figure, values: byGroup.get(group) ?? [] })),
    };
  }

  /**
   * Late usage (Part II §6): which closed periods of a subscription received events after they
   * were last priced. As strong as billable: the pipeline has passed every accepted event first.
   */
  async latePeriods(input: unknown): Promise<{ late: number[] }> {
    const parsed = parseLatePeriodsQuery(input);
    if (!parsed.ok) throw ProblemException.validation(parsed.errors, 'The late usage query is not valid.');
    await this.awaitPipeline(parsed.query.customerId);
    const { customerId, subscriptionId, periods } = parsed.query;
    return { late: periods.length === 0 ? [] : await this.repository.periodsWithEventsStoredAfter(customerId, subscriptionId, periods) };
  }

  /**
   * latePeriods for many subscriptions in one call (a billing run's batch): the pipeline awaited
   * once for all their customers, every period checked in one read; a query that is not valid is
   * refused on its own.
   */
  async latePeriodsBatch(input: unknown): Promise<{ results: Array<{ late: number[] } | { error: BatchItemProblem }> }> {
    const items = isRecord(input) ? input.queries : undefined;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCHES) {
      throw ProblemException.validation(
        [{ field: 'queries', message: `must be an array of 1 to ${MAX_BATCHES} queries` }],
        'The late usage queries are not valid.',
      );
    }
    const parsed = items.map((item: unknown) => parseLatePeriodsQuery(item));
    const valid = parsed.flatMap((result) => (result.ok ? [result.query] : []));
    await this.awaitPipeline(...valid.map((query) => query.customerId));
    const late = await this.repository.periodsWithEventsStoredAfterMany(valid);
    let next = 0;
    return {
      results: parsed.map((result) =>
        result.ok ? { late: late[next++] } : { error: batchItemProblem(ProblemException.validation(result.errors, 'The late usage query is not valid.')) },
      ),
    };
  }

  private parse(input: unknown, histogram: boolean): UsageQuery {
    const parsed = parseUsageQuery(input, { granularity: histogram });
    if (!parsed.ok) throw ProblemException.validation(parsed.errors, 'The usage query is not valid.');
    return parsed.query;
  }

  /** The metric's aggregation type and whether it has dimensions, once the query is checked against the catalog. */
  private async metricOf(query: UsageQuery): Promise<MetricShape> {
    const [metric] = await this.metricsOf(query.customerId, query.subscriptionId, [query], () => '');
    return metric;
  }

  /**
   * Each query's metric (aggregation type, whether it has dimensions), once the customer, the
   * subscription and every query are checked against the catalog in one look-up; a query's
   * dimension issues are named under `pathOf(its index)`.
   */
  private async metricsOf(
    customerId: string,
    subscriptionId: string | null,
    queries: ReadonlyArray<Pick<UsageQuery, 'metricKey' | 'selection'>>,
    pathOf: (index: number) => string,
  ): Promise<MetricShape[]> {
    const facts = await this.catalogCopy.resolve({
      metricKeys: queries.map((query) => query.metricKey),
      customerIds: [customerId],
      subscriptionIds: subscriptionId === null ? [] : [subscriptionId],
    });
    return this.metricsFrom(facts, customerId, subscriptionId, queries, pathOf);
  }

  /** metricsOf's checks, on facts already looked up. */
  private metricsFrom(
    facts: CatalogFacts,
    customerId: string,
    subscriptionId: string | null,
    queries: ReadonlyArray<Pick<UsageQuery, 'metricKey' | 'selection'>>,
    pathOf: (index: number) => string,
  ): MetricShape[] {
    const metrics = queries.map(({ metricKey }) => {
      const metric = facts.metric(metricKey);
      if (!metric) throw ProblemException.notFound('Metric', metricKey);
      return metric;
    });
    if (!facts.hasCustomer(customerId)) throw ProblemException.notFound('Customer', customerId);
    if (subscriptionId !== null) {
      const owner = facts.subscriptionOwner(subscriptionId);
      if (owner === undefined) throw ProblemException.notFound('Subscription', subscriptionId);
      if (owner !== customerId) {
        throw ProblemException.validation([
          { field: 'subscription_id', message: `subscription "${subscriptionId}" does not belong to customer "${customerId}"` },
        ]);
      }
    }
    const issues = queries.flatMap(({ metricKey, selection }, index) =>
      checkSelectionDimensions(selection, metricKey, metrics[index].dimensions ?? [], {
        filter: (property) => `${pathOf(index)}filter[${property}]`,
        groupBy: (position) => `${pathOf(index)}${selection.groupBy.length === 1 ? 'group_by' : `group_by[${position}]`}`,
      }),
    );
    if (issues.length > 0) throw ProblemException.validation(issues, 'Only the metric’s dimensions can be filtered or grouped by.');
    return metrics.map((metric) => ({ type: metric.aggregationType, dimensioned: (metric.dimensions ?? []).length > 0 }));
  }

  /**
   * Per group of the selection (sorted; the single group [] when ungrouped, even without usage):
   * whole hours from the buckets, partial edge hours from the events table, merged (weighted_sum:
   * with the level held into the span).
   */
  private async bucketedStates(
    type: AggregationType,
    dimensioned: boolean,
    scope: UsageScope,
    span: Span,
    selection: UsageSelection,
    totals?: BucketTotalsBatcher,
  ): Promise<Array<Grouped<AggregationState>>> {
    const plan = planPeriod(span);
    const [rows, edges, held] = await Promise.all([
      plan.toHour > plan.fromHour
        ? (totals ?? this.repository).bucketTotals(type, scope, plan.fromHour, plan.toHour, selection, dimensioned)
        : Promise.resolve([]),
      Promise.all(plan.edges.map((edge) => this.repository.eventsState(type, scope, edge, selection))),
      this.heldBefore(type, scope, span, selection),
    ]);
    const states = new GroupedStates<AggregationState>(() => emptyState(type));
    if (selection.groupBy.length === 0) states.at([]);
    const keys = new DimensionKeyReader(selection.groupBy);
    for (const { group, figure } of held ?? []) states.set(group, mergeStates(states.at(group), figure));
    for (const row of rows) {
      const group = keys.groupOf(row.dimensionKey);
      states.set(group, mergeStates(states.at(group), deserializeState(row.state)));
    }
    for (const { group, figure } of edges.flat()) states.set(group, mergeStates(states.at(group), figure));
    return states.entries();
  }

  /** weighted_sum only: the level held into the span per group (the latest event before it); null for other types. */
  private async heldBefore(type: AggregationType, scope: UsageScope, span: Span, selection: UsageSelection): Promise<Array<Grouped<AggregationState>> | null> {
    return type === 'weighted_sum' ? this.repository.heldBefore(scope, span.start, selection) : null;
  }

  /**
   * Read-your-writes: every event of the customer acknowledged before this call lies below the
   * end offset of the partition its key (customer_id) maps to; wait (bounded) until the consumer
   * has stored past it, or refuse with 503. Only that partition: a stalled partition (a replica
   * that died and still holds it until its session times out) delays only its own customers.
   */
  private async awaitPipeline(...customerIds: string[]): Promise<void> {
    const deadline = Date.now() + this.config.strongReadTimeoutMs;
    let ends: Map<number, string>;
    try {
      const all = await this.bus.endOffsets(TOPICS.usageEvents);
      // Several customers (a batch): the partitions of all of them.
      const partitions = new Set(customerIds.map((customerId) => partitionForKey(customerId, all.size)));
      ends = new Map([...partitions].map((partition) => [partition, all.get(partition) ?? '0']));
    } catch (error) {
      throw new ProblemException(503, 'bus_unavailable', `The usage pipeline cannot be checked: ${(error as Error).message}`).retryAfter(RETRY_AFTER_SECONDS);
    }
    for (;;) {
      const positions = await this.repository.positions(TOPICS.usageEvents);
      const behind = [...ends].filter(([partition, end]) => BigInt(end) > (positions.get(partition) ?? 0n));
      if (behind.length === 0) return;
      if (Date.now() >= deadline) {
        const lag = behind.reduce((sum, [partition, end]) => sum + (BigInt(end) - (positions.get(partition) ?? 0n)), 0n);
        throw new ProblemException(
          503,
          'usage_not_caught_up',
          `Usage aggregation is ${lag} events behind what was accepted; an exact figure is not available yet. Retry shortly.`,
          { lag: lag.toString() },
        ).retryAfter(RETRY_AFTER_SECONDS);
      }
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
    }
  }

  private async asOf(): Promise<string> {
    return ((await this.repository.lastStoredAt()) ?? new Date()).toISOString();
  }
}

function periodOf(span: Span): ValuePeriod {
  return { start: span.start.iso, end: span.end.iso };
}

/** What billable prices: the period, weighed over the whole period it is a piece of when pricing asks. */
function billedPeriodOf(query: UsageQuery): ValuePeriod {
  return query.weightPeriod ? { ...periodOf(query), weighedOver: { start: query.weightPeriod.start.iso, end: query.weightPeriod.end.iso } } : periodOf(query);
}

function scopeOf(query: UsageQuery): UsageScope {
  return { customerId: query.customerId, metricKey: query.metricKey, subscriptionId: query.subscriptionId };
}

/** SQL's figures in the domain's canonical form (numeric may carry trailing zeros). */
function formatExact(type: AggregationType, raw: string | null): string | null {
  if (raw === null) return type === 'sum' || type === 'count' || type === 'unique_count' ? '0' : null;
  return type === 'latest' ? raw : formatDecimal(new Big(raw));
}

/** Figures per group, created on first use, listed in a stable order (by values, null last). */
class GroupedStates<T> {
  private readonly byId = new Map<string, Grouped<T>>();

  constructor(private readonly empty: () => T) {}

  at(group: Array<string | null>): T {
    const id = JSON.stringify(group);
    let entry = this.byId.get(id);
    if (!entry) {
      entry = { group, figure: this.empty() };
      this.byId.set(id, entry);
    }
    return entry.figure;
  }

  get(group: Array<string | null>): T | undefined {
    return this.byId.get(JSON.stringify(group))?.figure;
  }

  set(group: Array<string | null>, figure: T): void {
    this.byId.set(JSON.stringify(group), { group, figure });
  }

  entries(): Array<Grouped<T>> {
    return sortGroups([...this.byId.values()]);
  }
}

/** A bucket's dimension key read once per distinct key into its group. */
class DimensionKeyReader {
  private readonly groups = new Map<string, Array<string | null>>();

  constructor(private readonly groupBy: readonly string[]) {}

  groupOf(dimensionKey: string): Array<string | null> {
    if (this.groupBy.length === 0) return [];
    let group = this.groups.get(dimensionKey);
    if (!group) {
      group = groupOf(this.groupBy, JSON.parse(dimensionKey) as DimensionValues);
      this.groups.set(dimensionKey, group);
    }
    return group;
  }
}

function sortGroups<T>(groups: Array<Grouped<T>>): Array<Grouped<T>> {
  const compare = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return [...groups].sort((x, y) => {
    for (let i = 0; i < x.group.length; i++) {
      const order = compare(x.group[i], y.group[i]);
      if (order !== 0) return order;
    }
    return 0;
  });
}

/** `{value}` for an ungrouped selection (its single group), `{groups}` otherwise. */
function groupedAnswer(selection: UsageSelection, values: Array<Grouped<string | null>>): { value?: string | null; groups?: GroupValue[] } {
  if (selection.groupBy.length === 0) return { value: values[0]?.figure ?? null };
  return { groups: values.map(({ group, figure }) => ({ dimensions: groupToJson(selection.groupBy, group), value: figure })) };
}

/** One read per distinct key: identical queries of a batch share it. */
class Memo<T> {
  private readonly reads = new Map<string, Promise<T>>();

  once(key: unknown[], read: () => Promise<T>): Promise<T> {
    const id = JSON.stringify(key);
    let pending = this.reads.get(id);
    if (pending === undefined) {
      pending = read();
      this.reads.set(id, pending);
    }
    return pending;
  }
}

function lastAtOrBefore(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (sorted[mid] <= value) low = mid;
    else high = mid - 1;
  }
  return low;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * bucketTotals of many scopes gathered: the calls made in one turn of the event loop with the
 * same metric, span, selection and type go to the database as one bucketTotalsMany statement
 * (the same figures, one round trip for a whole batch of subscriptions).
 */
class BucketTotalsBatcher {
  private pending = new Map<
    string,
    {
      args: [AggregationType, string, number, number, UsageSelection, boolean];
      waiting: Array<{ scope: UsageScope; done: (rows: BucketTotalRow[]) => void; fail: (error: unknown) => void }>;
    }
  >();

  constructor(private readonly repository: UsageQueryRepository) {}

  bucketTotals(
    type: AggregationType,
    scope: UsageScope,
    fromHour: number,
    toHour: number,
    selection: UsageSelection,
    dimensioned: boolean,
  ): Promise<BucketTotalRow[]> {
    if (!mergesInSql(type)) return this.repository.bucketTotals(type, scope, fromHour, toHour, selection, dimensioned);
    const key = JSON.stringify([type, scope.metricKey, fromHour, toHour, selection, dimensioned]);
    return new Promise((done, fail) => {
      if (this.pending.size === 0) setImmediate(() => void this.flush());
      const entry = this.pending.get(key) ?? { args: [type, scope.metricKey, fromHour, toHour, selection, dimensioned], waiting: [] };
      entry.waiting.push({ scope, done, fail });
      this.pending.set(key, entry);
    });
  }

  private async flush(): Promise<void> {
    const groups = [...this.pending.values()];
    this.pending = new Map();
    await Promise.all(
      groups.map(async ({ args: [type, metricKey, fromHour, toHour, selection, dimensioned], waiting }) => {
        try {
          if (waiting.length === 1) {
            waiting[0].done(await this.repository.bucketTotals(type, waiting[0].scope, fromHour, toHour, selection, dimensioned));
            return;
          }
          const answers = await this.repository.bucketTotalsMany(
            type,
            waiting.map(({ scope }) => scope),
            metricKey,
            fromHour,
            toHour,
            selection,
            dimensioned,
          );
          waiting.forEach(({ done }, index) => done(answers[index]));
        } catch (error) {
          for (const { fail } of waiting) fail(error);
        }
      }),
    );
  }
}
