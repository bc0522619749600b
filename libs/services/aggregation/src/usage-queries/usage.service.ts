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
import { formatDecimal } from '@abaxus/domain/money/decimal';
import { TOPICS } from '@abaxus/contracts/topics';
import { CatalogCopyService } from '@abaxus/usage-events/catalog-copy/catalog-copy.service';
import { partitionForKey } from '@abaxus/platform/bus/key-partition';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { parseLatePeriodsQuery, parseUsageQuery, UsageQuery } from './usage-query-params';
import { UsageQueryRepository, UsageScope } from './usage-query.repository';
import { histogramSize, histogramSpans, planPeriod, Span } from './usage-window';

export interface UsageValue {
  value: string | null;
  meta: { consistency: 'eventual' | 'strong'; as_of: string };
}

export interface UsageHistogram {
  buckets: Array<{ start: string; end: string; value: string | null }>;
  meta: { consistency: 'eventual'; as_of: string };
}

export interface BillableEventValues {
  /** Every event's value in the period, in no particular order (null values are left out). */
  values: string[];
  meta: { consistency: 'strong'; as_of: string };
}

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
    const type = await this.aggregationTypeFor(query);
    const [state, asOf] = await Promise.all([this.bucketedState(type, scopeOf(query), query), this.asOf()]);
    return { value: finalValue(state, periodOf(query)), meta: { consistency: 'eventual', as_of: asOf } };
  }

  async histogram(input: unknown): Promise<UsageHistogram> {
    const query = this.parse(input, true);
    if (histogramSize(query, query.granularity!) > MAX_HISTOGRAM_BUCKETS) {
      throw ProblemException.validation([
        { field: 'granularity', message: `the period would have more than ${MAX_HISTOGRAM_BUCKETS} buckets; use a coarser granularity or a shorter period` },
      ]);
    }
    const type = await this.aggregationTypeFor(query);
    const scope = scopeOf(query);
    const spans = histogramSpans(query, query.granularity!);
    const plan = planPeriod(query);
    const [rows, edgeStates, asOf, heldBefore] = await Promise.all([
      plan.toHour > plan.fromHour ? this.repository.hourlyBuckets(scope, plan.fromHour, plan.toHour) : Promise.resolve([]),
      Promise.all(plan.edges.map((edge) => this.repository.eventsState(type, scope, edge))),
      this.asOf(),
      this.heldBefore(type, scope, query),
    ]);
    const states: AggregationState[] = spans.map(() => emptyState(type));
    const starts = spans.map((span) => span.start.epochMillis);
    for (const row of rows) {
      const index = lastAtOrBefore(starts, row.hourMillis);
      states[index] = mergeStates(states[index], deserializeState(row.state));
    }
    plan.edges.forEach((edge, i) => {
      const index = lastAtOrBefore(starts, edge.start.epochMillis);
      states[index] = mergeStates(states[index], edgeStates[i]);
    });
    // weighted_sum: each bucket starts from the level the previous ones (or the time before the period) left.
    let held = heldBefore;
    const values = spans.map((span, index) => {
      if (held === null) return finalValue(states[index]);
      const withHeld = mergeStates(held, states[index]);
      held = heldAtEnd(withHeld as WeightedSumState);
      return finalValue(withHeld, { start: span.start.iso, end: span.end.iso });
    });
    return {
      buckets: spans.map((span, index) => ({ start: span.start.iso, end: span.end.iso, value: values[index] })),
      meta: { consistency: 'eventual', as_of: asOf },
    };
  }

  async compute(input: unknown): Promise<UsageValue> {
    const query = this.parse(input, false);
    const type = await this.aggregationTypeFor(query);
    await this.awaitPipeline(query.customerId);
    const asOf = new Date().toISOString();
    if (type === 'weighted_sum') {
      // The period's change points straight from the events table (no buckets), plus the level held into it.
      const [state, held] = await Promise.all([
        this.repository.eventsState(type, scopeOf(query), query),
        this.repository.heldBefore(scopeOf(query), query.start),
      ]);
      return { value: finalValue(mergeStates(held, state), periodOf(query)), meta: { consistency: 'strong', as_of: asOf } };
    }
    const raw = await this.repository.exactAggregate(type, scopeOf(query), query);
    return { value: formatExact(type, raw), meta: { consistency: 'strong', as_of: asOf } };
  }

  /**
   * The figure pricing bills: as strong as compute (it waits for the pipeline to pass every
   * acknowledged event), read from the hourly buckets plus the exact edge hours. Buckets are
   * written in the same transaction as their events (and rebuilt by backfill in its own), so once
   * the pipeline has passed, they hold exactly what the events table holds — at the cost of a
   * month's 744 buckets instead of every event of the month.
   */
  async billable(input: unknown): Promise<UsageValue> {
    const query = this.parse(input, false);
    const type = await this.aggregationTypeFor(query);
    await this.awaitPipeline(query.customerId);
    const asOf = new Date().toISOString();
    const state = await this.bucketedState(type, scopeOf(query), query);
    return { value: finalValue(state, periodOf(query)), meta: { consistency: 'strong', as_of: asOf } };
  }

  /**
   * Each event's value in the period, as strong as billable: a charge priced per event
   * (percentage, with a fixed fee and bounds per event) cannot be priced from a total.
   */
  async billableValues(input: unknown): Promise<BillableEventValues> {
    const query = this.parse(input, false);
    await this.aggregationTypeFor(query);
    await this.awaitPipeline(query.customerId);
    const asOf = new Date().toISOString();
    const values = await this.repository.eventValues(scopeOf(query), query);
    return { values, meta: { consistency: 'strong', as_of: asOf } };
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

  private parse(input: unknown, histogram: boolean): UsageQuery {
    const parsed = parseUsageQuery(input, { granularity: histogram });
    if (!parsed.ok) throw ProblemException.validation(parsed.errors, 'The usage query is not valid.');
    return parsed.query;
  }

  private async aggregationTypeFor(query: UsageQuery): Promise<AggregationType> {
    const facts = await this.catalogCopy.resolve({
      metricKeys: [query.metricKey],
      customerIds: [query.customerId],
      subscriptionIds: query.subscriptionId === null ? [] : [query.subscriptionId],
    });
    const metric = facts.metric(query.metricKey);
    if (!metric) throw ProblemException.notFound('Metric', query.metricKey);
    if (!facts.hasCustomer(query.customerId)) throw ProblemException.notFound('Customer', query.customerId);
    if (query.subscriptionId !== null) {
      const owner = facts.subscriptionOwner(query.subscriptionId);
      if (owner === undefined) throw ProblemException.notFound('Subscription', query.subscriptionId);
      if (owner !== query.customerId) {
        throw ProblemException.validation([
          { field: 'subscription_id', message: `subscription "${query.subscriptionId}" does not belong to customer "${query.customerId}"` },
        ]);
      }
    }
    return metric.aggregationType;
  }

  /** Whole hours from the buckets, partial edge hours from the events table, merged (weighted_sum: with the level held into the span). */
  private async bucketedState(type: AggregationType, scope: UsageScope, span: Span): Promise<AggregationState> {
    const plan = planPeriod(span);
    const [rows, edges, held] = await Promise.all([
      plan.toHour > plan.fromHour ? this.repository.hourlyBuckets(scope, plan.fromHour, plan.toHour) : Promise.resolve([]),
      Promise.all(plan.edges.map((edge) => this.repository.eventsState(type, scope, edge))),
      this.heldBefore(type, scope, span),
    ]);
    let state = held ?? emptyState(type);
    for (const row of rows) state = mergeStates(state, deserializeState(row.state));
    for (const edge of edges) state = mergeStates(state, edge);
    return state;
  }

  /** weighted_sum only: the level held into the span (the latest event before it); null for other types. */
  private async heldBefore(type: AggregationType, scope: UsageScope, span: Span): Promise<AggregationState | null> {
    return type === 'weighted_sum' ? this.repository.heldBefore(scope, span.start) : null;
  }

  /**
   * Read-your-writes: every event of the customer acknowledged before this call lies below the
   * end offset of the partition its key (customer_id) maps to; wait (bounded) until the consumer
   * has stored past it, or refuse with 503. Only that partition: a stalled partition (a replica
   * that died and still holds it until its session times out) delays only its own customers.
   */
  private async awaitPipeline(customerId: string): Promise<void> {
    const deadline = Date.now() + this.config.strongReadTimeoutMs;
    let ends: Map<number, string>;
    try {
      const all = await this.bus.endOffsets(TOPICS.usageEvents);
      const partition = partitionForKey(customerId, all.size);
      ends = new Map([[partition, all.get(partition) ?? '0']]);
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

function scopeOf(query: UsageQuery): UsageScope {
  return { customerId: query.customerId, metricKey: query.metricKey, subscriptionId: query.subscriptionId };
}

/** SQL's figures in the domain's canonical form (numeric may carry trailing zeros). */
function formatExact(type: AggregationType, raw: string | null): string | null {
  if (raw === null) return type === 'sum' || type === 'count' || type === 'unique_count' ? '0' : null;
  return type === 'latest' ? raw : formatDecimal(new Big(raw));
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
