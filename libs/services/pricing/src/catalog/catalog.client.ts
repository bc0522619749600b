import { Injectable } from '@nestjs/common';
import type { PricePlanVersionRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import type { Charge } from '@abaxus/domain/pricing/models/registry';
import { parsePricePlanCharges } from '@abaxus/domain/pricing/price-plan-validation';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

export interface PlanVersion {
  id: string;
  version: number;
  currency: string;
  charges: Charge[];
}

const PLAN_CACHE_SIZE = 1000;

/** What pricing reads from the catalog, over its public HTTP API. */
@Injectable()
export class CatalogClient {
  // Plan versions never change once created, so they are cached for good (bounded, oldest out).
  private readonly plans = new Map<string, Promise<PlanVersion>>();

  constructor(private readonly http: ServiceHttpClient) {}

  /** Always asked afresh: a subscription can be cancelled at any time. */
  subscription(id: string): Promise<SubscriptionRecord> {
    return this.http.expectOk<SubscriptionRecord>('catalog', 'GET', `/v1/subscriptions/${encodeURIComponent(id)}`);
  }

  planVersion(planId: string, version: number): Promise<PlanVersion> {
    const key = `${planId}\u0000${version}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = this.fetchPlanVersion(planId, version);
      plan.catch(() => this.plans.delete(key));
      this.plans.set(key, plan);
      if (this.plans.size > PLAN_CACHE_SIZE) this.plans.delete(this.plans.keys().next().value!);
    }
    return plan;
  }

  private async fetchPlanVersion(planId: string, version: number): Promise<PlanVersion> {
    const record = await this.http.expectOk<PricePlanVersionRecord>('catalog', 'GET', `/v1/price-plans/${encodeURIComponent(planId)}/versions/${version}`);
    const parsed = parsePricePlanCharges(record.charges);
    // The catalog validated the plan when it was created; failing here means a broken record.
    if (!parsed.ok) throw new Error(`price plan ${planId} v${version} from the catalog is invalid: ${JSON.stringify(parsed.errors)}`);
    return { id: record.id, version: record.version, currency: record.currency, charges: parsed.charges };
  }
}
