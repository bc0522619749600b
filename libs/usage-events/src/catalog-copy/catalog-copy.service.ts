import { Injectable, Logger } from '@nestjs/common';
import { isAggregationType } from '@abaxus/domain/aggregation/aggregation-state';
import { isValueTypeAllowed, VALUE_TYPES, ValueType } from '@abaxus/domain/aggregation/metric-value';
import { CatalogEventEnvelope, MetricRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';
import { CatalogFacts, MetricFacts } from '../usage-event-rules';
import { CatalogCopyRepository, MetricRow } from './catalog-copy.repository';

export interface CatalogRefs {
  metricKeys: Iterable<string>;
  customerIds: Iterable<string>;
  subscriptionIds: Iterable<string>;
}

/** Past this many entries a memory map is dropped and refilled from the table on demand. */
const MAX_MEMORY_ENTRIES = 1_000_000;
const HTTP_LOOKUP_CONCURRENCY = 16;

/**
 * The catalog facts usage validation needs: memory, then this service's read copy table (fed by
 * catalog events), then the catalog itself over HTTP. Only positive answers are remembered, so a
 * customer or metric created a moment ago is never refused from a stale cache. Everything kept
 * is immutable (a metric's types, a subscription's customer), so remembered answers never expire.
 */
@Injectable()
export class CatalogCopyService {
  private readonly logger = new Logger(CatalogCopyService.name);
  private readonly metrics = new Map<string, MetricFacts>();
  private readonly customers = new Set<string>();
  private readonly subscriptions = new Map<string, string>();

  constructor(
    private readonly repository: CatalogCopyRepository,
    private readonly http: ServiceHttpClient,
  ) {}

  /** Looks up everything the refs name; throws a 503 problem when the catalog cannot be asked. */
  async resolve(refs: CatalogRefs): Promise<CatalogFacts> {
    const metrics = new Map<string, MetricFacts>();
    const customers = new Set<string>();
    const subscriptions = new Map<string, string>();
    const missingMetrics: string[] = [];
    const missingCustomers: string[] = [];
    const missingSubscriptions: string[] = [];
    for (const key of new Set(refs.metricKeys)) {
      const known = this.metrics.get(key);
      if (known) metrics.set(key, known);
      else missingMetrics.push(key);
    }
    for (const id of new Set(refs.customerIds)) {
      if (this.customers.has(id)) customers.add(id);
      else missingCustomers.push(id);
    }
    for (const id of new Set(refs.subscriptionIds)) {
      const owner = this.subscriptions.get(id);
      if (owner !== undefined) subscriptions.set(id, owner);
      else missingSubscriptions.push(id);
    }
    if (missingMetrics.length + missingCustomers.length + missingSubscriptions.length > 0) {
      await Promise.all([
        this.loadMetrics(missingMetrics, metrics),
        this.loadCustomers(missingCustomers, customers),
        this.loadSubscriptions(missingSubscriptions, subscriptions),
      ]);
    }
    return {
      metric: (key) => metrics.get(key),
      hasCustomer: (id) => customers.has(id),
      subscriptionOwner: (id) => subscriptions.get(id),
    };
  }

  /** Applies catalog events (at least once, in order per entity) to the read copy. */
  async apply(events: CatalogEventEnvelope[]): Promise<void> {
    const metrics: MetricRow[] = [];
    const customers: string[] = [];
    const subscriptions: Array<{ id: string; customerId: string }> = [];
    for (const event of events) {
      if (event.type === 'metric.created') {
        const facts = metricFacts(event.data);
        if (facts) metrics.push({ key: event.data.key, ...facts });
      } else if (event.type === 'customer.created' || event.type === 'customer.updated') {
        if (typeof event.data?.id === 'string') customers.push(event.data.id);
      } else if (event.type === 'subscription.created' || event.type === 'subscription.canceled') {
        if (typeof event.data?.id === 'string' && typeof event.data.customer_id === 'string') {
          subscriptions.push({ id: event.data.id, customerId: event.data.customer_id });
        }
      }
    }
    await this.repository.saveMetrics(metrics);
    await this.repository.saveCustomers(customers);
    await this.repository.saveSubscriptions(subscriptions);
    for (const metric of metrics) this.rememberMetric(metric.key, metric);
    for (const id of customers) this.rememberCustomer(id);
    for (const subscription of subscriptions) this.rememberSubscription(subscription.id, subscription.customerId);
  }

  private async loadMetrics(keys: string[], into: Map<string, MetricFacts>): Promise<void> {
    if (keys.length === 0) return;
    const stored = await this.repository.findMetrics(keys);
    for (const row of stored) {
      into.set(row.key, row);
      this.rememberMetric(row.key, row);
    }
    const fetched: MetricRow[] = [];
    await forEachLimited(
      keys.filter((key) => !into.has(key)),
      async (key) => {
        const record = await this.fetch<MetricRecord>(`/v1/metrics/${encodeURIComponent(key)}`);
        const facts = record && metricFacts(record);
        if (facts) fetched.push({ key, ...facts });
      },
    );
    await this.repository.saveMetrics(fetched);
    for (const row of fetched) {
      into.set(row.key, row);
      this.rememberMetric(row.key, row);
    }
  }

  private async loadCustomers(ids: string[], into: Set<string>): Promise<void> {
    if (ids.length === 0) return;
    for (const id of await this.repository.findCustomers(ids)) {
      into.add(id);
      this.rememberCustomer(id);
    }
    const fetched: string[] = [];
    await forEachLimited(
      ids.filter((id) => !into.has(id)),
      async (id) => {
        if (await this.fetch(`/v1/customers/${encodeURIComponent(id)}`)) fetched.push(id);
      },
    );
    await this.repository.saveCustomers(fetched);
    for (const id of fetched) {
      into.add(id);
      this.rememberCustomer(id);
    }
  }

  private async loadSubscriptions(ids: string[], into: Map<string, string>): Promise<void> {
    if (ids.length === 0) return;
    for (const row of await this.repository.findSubscriptions(ids)) {
      into.set(row.id, row.customerId);
      this.rememberSubscription(row.id, row.customerId);
    }
    const fetched: Array<{ id: string; customerId: string }> = [];
    await forEachLimited(
      ids.filter((id) => !into.has(id)),
      async (id) => {
        const record = await this.fetch<SubscriptionRecord>(`/v1/subscriptions/${encodeURIComponent(id)}`);
        if (record && typeof record.customer_id === 'string') fetched.push({ id, customerId: record.customer_id });
      },
    );
    await this.repository.saveSubscriptions(fetched);
    for (const row of fetched) {
      into.set(row.id, row.customerId);
      this.rememberSubscription(row.id, row.customerId);
    }
  }

  /** The record, or undefined when the catalog says it does not exist (404). */
  private async fetch<T>(path: string): Promise<T | undefined> {
    const response = await this.http.call<T>('catalog', 'GET', path, undefined, 10_000);
    if (response.status === 404) return undefined;
    if (response.status !== 200) {
      this.logger.warn(`catalog answered ${response.status} to GET ${path}`);
      throw new ProblemException(
        503,
        'catalog_unavailable',
        'The catalog cannot be asked about the metric, customer or subscription of this event; retry later.',
      );
    }
    return response.body;
  }

  private rememberMetric(key: string, facts: MetricFacts): void {
    if (this.metrics.size >= MAX_MEMORY_ENTRIES) this.metrics.clear();
    this.metrics.set(key, { aggregationType: facts.aggregationType, valueType: facts.valueType });
  }

  private rememberCustomer(id: string): void {
    if (this.customers.size >= MAX_MEMORY_ENTRIES) this.customers.clear();
    this.customers.add(id);
  }

  private rememberSubscription(id: string, customerId: string): void {
    if (this.subscriptions.size >= MAX_MEMORY_ENTRIES) this.subscriptions.clear();
    this.subscriptions.set(id, customerId);
  }
}

function metricFacts(record: Partial<MetricRecord> | undefined): MetricFacts | undefined {
  if (!record || !isAggregationType(record.aggregation_type)) return undefined;
  const valueType = record.value_type as ValueType;
  if (!VALUE_TYPES.includes(valueType) || !isValueTypeAllowed(record.aggregation_type, valueType)) return undefined;
  return { aggregationType: record.aggregation_type, valueType };
}

async function forEachLimited<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += HTTP_LOOKUP_CONCURRENCY) {
    await Promise.all(items.slice(start, start + HTTP_LOOKUP_CONCURRENCY).map(work));
  }
}
