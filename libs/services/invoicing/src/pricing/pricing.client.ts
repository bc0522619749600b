import { Injectable } from '@nestjs/common';
import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

export interface CalculationRequest {
  customerId: string;
  subscriptionId: string;
  start: Date;
  end: Date;
  /** Price this plan version of the subscription (one of its phases') instead of the one in force now. */
  plan?: { plan_id: string; plan_version: number };
  /** The billed window a phase piece belongs to: a weighted_sum is weighed over it. */
  weightPeriod?: { start: Date; end: Date };
}

/** The pricing service's stored calculations: the figures an invoice is made of. */
@Injectable()
export class PricingClient {
  constructor(private readonly http: ServiceHttpClient) {}

  calculate(request: CalculationRequest): Promise<CalculationJson> {
    return this.http.expectOk<CalculationJson>('pricing', 'POST', '/v1/pricing/calculate', {
      customer_id: request.customerId,
      subscription_id: request.subscriptionId,
      period_start: request.start.toISOString(),
      period_end: request.end.toISOString(),
      ...(request.plan ? { plan_id: request.plan.plan_id, plan_version: request.plan.plan_version } : {}),
      ...(request.weightPeriod
        ? { weight_period_start: request.weightPeriod.start.toISOString(), weight_period_end: request.weightPeriod.end.toISOString() }
        : {}),
    });
  }
}
