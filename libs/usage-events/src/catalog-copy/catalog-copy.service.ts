import { Injectable, Logger } from '@nestjs/common';
import { isAggregationType } from '@abaxus/domain/aggregation/aggregation-state';
import { isValueTypeAllowed, VALUE_TYPES, ValueType } from '@abaxus/domain/aggregation/metric-value';
import { CatalogEventEnvelope, MetricRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';
import { CatalogFacts, MetricFacts } from '../usage-event-rules';
import { CatalogCopyRepository, CustomerFacts, SubscriptionOwner } from './catalog-copy.repository';

export interface CatalogRefs {
  metricKeys: Iterable<string>;
  customerIds: Iterable<string>;
  subscriptionIds: Iterable<string>;
}

/** Past this many entries a memory map is dropped and refilled from the table on demand. */
const MAX_MEMORY_ENTRIES = 1_000_000;
const HTTP_LOOKUP_CONCURRENCY = 16;

/** One kind of catalog entity in the copy: where its answers are remembered, stored and asked for. */
interface CopiedEntity<T> {
  /** Positive answers only, by id. */
  readonly remembered: Map<string, T>;
  find(ids: string[]): Promise<Map<string, T>>;
  save(entries: Map<string, T>): Promise<void>;
  /** The catalog's endpoint for one entity. */
  catalogPath(id: string): string;
  /** What the copy keeps of the catalog's record; undefined when the record cannot be used. */
  fromRecord(record: unknown): T | undefined;
}

/**
 * The catalog facts usage validation needs: memory, then this service's read copy table (fed by
 * catalog events), then the catalog itself over HTTP. Only positive answers are remembered, so a
 * customer or metric created a moment ago is never refused from a stale cache. Everything kept
 * is immutable (a metric's types, a subscription's customer), so remembered answers never expire.
 */
@Injectable()
export class CatalogCopyService {
  private readonly logger = new Logger(CatalogCopyService.name);
  private readonly metrics: CopiedEntity<MetricFacts>;
  private readonly customers: CopiedEntity<CustomerFacts>;
  private readonly subscriptions: CopiedEntity<SubscriptionOwner>;

  constructor(
    repository: CatalogCopyRepository,
    private readonly http: ServiceHttpClient,
  ) {
    this.metrics = {
      remembered: new Map(),
      find: (keys) => repository.findMetrics(keys),
      save: (entries) => repository.saveMetrics(entries),
      catalogPath: (key) => `/v1/metrics/${encodeURIComponent(key)}`,
      fromRecord: (record) => metricFacts(record as Partial<MetricRecord>),
    };
    this.customers = {
      remembered: new Map(),
      find: (ids) => repository.findCustomers(ids),
      save: (entries) => repository.saveCustomers(entries),
      catalogPath: (id) => `/v1/customers/${encodeURIComponent(id)}`,
      fromRecord: () => true,
    };
    this.subscriptions = {
      remembered: new Map(),
      find: (ids) => repository.findSubscriptions(ids),
      save: (entries) => repository.saveSubscriptions(entries),
      catalogPath: (id) => `/v1/subscriptions/${encodeURIComponent(id)}`,
      fromRecord: (record) => {
        const customerId = (record as Partial<SubscriptionRecord>).customer_id;
        return typeof customerId === 'string' ? customerId : undefined;
      },
    };
  }

  /** Looks up everything the refs name; throws a 503 problem when the catalog cannot be asked. */
  async resolve(refs: CatalogRefs): Promise<CatalogFacts> {
    const [metrics, customers, subscriptions] = await Promise.all([
      this.lookUp(this.metrics, refs.metricKeys),
      this.lookUp(this.customers, refs.customerIds),
      this.lookUp(this.subscriptions, refs.subscriptionIds),
    ]);
    return {
      metric: (key) => metrics.get(key),
      hasCustomer: (id) => customers.has(id),
      subscriptionOwner: (id) => subscriptions.get(id),
    };
  }

  /** Applies catalog events (at least once, in order per entity) to the read copy. */
  async apply(events: CatalogEventEnvelope[]): Promise<void> {
    const metrics = new Map<string, MetricFacts>();
    const customers = new Map<string, CustomerFacts>();
    const subscriptions = new Map<string, SubscriptionOwner>();
    for (const event of events) {
      if (event.type === 'metric.created') {
        const facts = metricFacts(event.data);
        if (facts) metrics.set(event.data.key, facts);
      } else if (event.type === 'customer.created' || event.type === 'customer.updated') {
        if (typeof event.data?.id === 'string') customers.set(event.data.id, true);
      } else if (event.type === 'subscription.created' || event.type === 'subscription.canceled') {
        if (typeof event.data?.id === 'string' && typeof event.data.customer_id === 'string') subscriptions.set(event.data.id, event.data.customer_id);
      }
    }
    await this.store(this.metrics, metrics);
    await this.store(this.customers, customers);
    await this.store(this.subscriptions, subscriptions);
  }

  /** What the copy knows of the ids: from memory, else the table, else the catalog (then kept in both). */
  private async lookUp<T>(entity: CopiedEntity<T>, ids: Iterable<string>): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const known = entity.remembered.get(id);
      if (known !== undefined) found.set(id, known);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const stored = await entity.find(missing);
    for (const [id, entry] of stored) {
      found.set(id, entry);
      this.remember(entity, id, entry);
    }
    const fetched = new Map<string, T>();
    await forEachLimited(
      missing.filter((id) => !stored.has(id)),
      async (id) => {
        const record = await this.fetch(entity.catalogPath(id));
        const entry = record === undefined || record === null ? undefined : entity.fromRecord(record);
        if (entry !== undefined) fetched.set(id, entry);
      },
    );
    await this.store(entity, fetched);
    for (const [id, entry] of fetched) found.set(id, entry);
    return found;
  }

  private async store<T>(entity: CopiedEntity<T>, entries: Map<string, T>): Promise<void> {
    await entity.save(entries);
    for (const [id, entry] of entries) this.remember(entity, id, entry);
  }

  private remember<T>(entity: CopiedEntity<T>, id: string, entry: T): void {
    if (entity.remembered.size >= MAX_MEMORY_ENTRIES) entity.remembered.clear();
    entity.remembered.set(id, entry);
  }

  /** The record, or undefined when the catalog says it does not exist (404). */
  private async fetch(path: string): Promise<unknown> {
    const response = await this.http.call('catalog', 'GET', path, undefined, 10_000);
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
}

function metricFacts(record: Partial<MetricRecord> | undefined): MetricFacts | undefined {
  if (!record || !isAggregationType(record.aggregation_type)) return undefined;
  const valueType = record.value_type as ValueType;
  if (!VALUE_TYPES.includes(valueType) || !isValueTypeAllowed(record.aggregation_type, valueType)) return undefined;
  const dimensions = Array.isArray(record.dimensions) ? record.dimensions.filter((name): name is string => typeof name === 'string') : [];
  return { aggregationType: record.aggregation_type, valueType, dimensions };
}

async function forEachLimited<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += HTTP_LOOKUP_CONCURRENCY) {
    await Promise.all(items.slice(start, start + HTTP_LOOKUP_CONCURRENCY).map(work));
  }
}
