import { Injectable } from '@nestjs/common';
import type { CustomerRecord, PricePlanVersionRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

interface SubscriptionPage {
  data: SubscriptionRecord[];
  has_more: boolean;
  next_cursor: string | null;
}

const PAGE_SIZE = 500;
const CURRENCY_CACHE_SIZE = 5000;

/** What invoicing reads from the catalog, over its public HTTP API (always current, never a stale copy). */
@Injectable()
export class CatalogClient {
  // A plan version never changes, so its currency is cached for good (bounded, oldest out).
  private readonly currencies = new Map<string, Promise<string>>();

  constructor(private readonly http: ServiceHttpClient) {}

  customer(id: string): Promise<CustomerRecord> {
    return this.http.expectOk<CustomerRecord>('catalog', 'GET', `/v1/customers/${encodeURIComponent(id)}`);
  }

  async subscriptionsOf(customerId: string): Promise<SubscriptionRecord[]> {
    const all: SubscriptionRecord[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `customer_id=${encodeURIComponent(customerId)}&limit=${PAGE_SIZE}${cursor ? `&starting_after=${encodeURIComponent(cursor)}` : ''}`;
      const page: SubscriptionPage = await this.http.expectOk<SubscriptionPage>('catalog', 'GET', `/v1/subscriptions?${query}`);
      all.push(...page.data);
      cursor = page.has_more ? page.next_cursor : null;
    } while (cursor);
    return all;
  }

  planCurrency(planId: string, version: number): Promise<string> {
    const key = `${planId}\u0000${version}`;
    let currency = this.currencies.get(key);
    if (!currency) {
      currency = this.http
        .expectOk<PricePlanVersionRecord>('catalog', 'GET', `/v1/price-plans/${encodeURIComponent(planId)}/versions/${version}`)
        .then((plan) => plan.currency);
      currency.catch(() => this.currencies.delete(key));
      this.currencies.set(key, currency);
      if (this.currencies.size > CURRENCY_CACHE_SIZE) this.currencies.delete(this.currencies.keys().next().value!);
    }
    return currency;
  }
}
