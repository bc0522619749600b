import { Injectable } from '@nestjs/common';
import type { CustomerRecord, MetricRecord, PricePlanVersionRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import type { Charge } from '@abaxus/domain/pricing/models/registry';
import { parsePricePlanCharges } from '@abaxus/domain/pricing/price-plan-validation';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

/** A price plan version as the services that price and invoice need it: charges parsed (Big values). */
export interface PlanVersion {
  id: string;
  version: number;
  currency: string;
  charges: Charge[];
  /** The plan's minimum commitment per billing interval (Part II §7), or null. */
  minimumAmount?: string | null;
}

interface SubscriptionPage {
  data: SubscriptionRecord[];
  has_more: boolean;
  next_cursor: string | null;
}

const SUBSCRIPTION_PAGE_SIZE = 500;
/** Ids per internal look-up call (the catalog takes up to 500). */
const LOOKUP_PAGE_SIZE = 500;
export const PLAN_VERSION_CACHE_SIZE = 1000;
export const METRIC_CACHE_SIZE = 1000;

/**
 * What other services read from the catalog, over the catalog service's HTTP API (called
 * directly through the service directory, not through the gateway). Customers and subscriptions
 * are always asked afresh (they change: a subscription can be cancelled at any time); plan
 * versions and metrics never change once created, so they are cached for good, bounded, oldest out.
 */
@Injectable()
export class CatalogClient {
  private readonly planVersions = new Map<string, Promise<PlanVersion>>();
  private readonly metrics = new Map<string, Promise<MetricRecord>>();

  constructor(private readonly http: ServiceHttpClient) {}

  customer(id: string): Promise<CustomerRecord> {
    return this.http.expectOk<CustomerRecord>('catalog', 'GET', `/v1/customers/${encodeURIComponent(id)}`);
  }

  subscription(id: string): Promise<SubscriptionRecord> {
    return this.http.expectOk<SubscriptionRecord>('catalog', 'GET', `/v1/subscriptions/${encodeURIComponent(id)}`);
  }

  /**
   * Many customers in one call (a billing run's batch), as customer(id) answers each; an id the
   * catalog does not know is absent from the map.
   */
  customersById(ids: readonly string[]): Promise<Map<string, CustomerRecord>> {
    return this.lookUp<CustomerRecord>('customers', ids);
  }

  /** Many subscriptions in one call, as subscription(id) answers each; an unknown id is absent from the map. */
  subscriptionsById(ids: readonly string[]): Promise<Map<string, SubscriptionRecord>> {
    return this.lookUp<SubscriptionRecord>('subscriptions', ids);
  }

  /** The catalog's internal look-up of many ids, LOOKUP_PAGE_SIZE a call. */
  private async lookUp<T extends { id: string }>(kind: 'customers' | 'subscriptions', ids: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (let offset = 0; offset < ids.length; offset += LOOKUP_PAGE_SIZE) {
      const { data } = await this.http.expectOk<{ data: T[] }>('catalog', 'POST', `/internal/v1/catalog/${kind}`, {
        ids: ids.slice(offset, offset + LOOKUP_PAGE_SIZE),
      });
      for (const record of data) found.set(record.id, record);
    }
    return found;
  }

  /** Every subscription of the customer, all pages. */
  async subscriptionsOf(customerId: string): Promise<SubscriptionRecord[]> {
    const all: SubscriptionRecord[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `customer_id=${encodeURIComponent(customerId)}&limit=${SUBSCRIPTION_PAGE_SIZE}${cursor ? `&starting_after=${encodeURIComponent(cursor)}` : ''}`;
      const page: SubscriptionPage = await this.http.expectOk<SubscriptionPage>('catalog', 'GET', `/v1/subscriptions?${query}`);
      all.push(...page.data);
      cursor = page.has_more ? page.next_cursor : null;
    } while (cursor);
    return all;
  }

  /** Cached; a failed read is not (the next call asks again). */
  planVersion(planId: string, version: number): Promise<PlanVersion> {
    return remember(this.planVersions, `${planId}\u0000${version}`, PLAN_VERSION_CACHE_SIZE, () => this.fetchPlanVersion(planId, version));
  }

  /** Cached like plan versions: a metric's name and type never change. */
  metric(key: string): Promise<MetricRecord> {
    return remember(this.metrics, key, METRIC_CACHE_SIZE, () => this.http.expectOk<MetricRecord>('catalog', 'GET', `/v1/metrics/${encodeURIComponent(key)}`));
  }

  async planCurrency(planId: string, version: number): Promise<string> {
    return (await this.planVersion(planId, version)).currency;
  }

  private async fetchPlanVersion(planId: string, version: number): Promise<PlanVersion> {
    const record = await this.http.expectOk<PricePlanVersionRecord>('catalog', 'GET', `/v1/price-plans/${encodeURIComponent(planId)}/versions/${version}`);
    const parsed = parsePricePlanCharges(record.charges);
    // The catalog validated the plan when it was created; failing here means a broken record.
    if (!parsed.ok) throw new Error(`price plan ${planId} v${version} from the catalog is invalid: ${JSON.stringify(parsed.errors)}`);
    return { id: record.id, version: record.version, currency: record.currency, charges: parsed.charges, minimumAmount: record.minimum_amount ?? null };
  }
}

/** The cached promise for `key`, or a new one from `load`; a failed load is forgotten, the oldest entry leaves when full. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, size: number, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    const pending = value;
    pending.catch(() => {
      if (cache.get(key) === pending) cache.delete(key);
    });
    cache.set(key, value);
    if (cache.size > size) cache.delete(cache.keys().next().value!);
  }
  return value;
}
