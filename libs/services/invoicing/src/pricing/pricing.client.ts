import { Injectable } from '@nestjs/common';
import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';
import { BatchItemProblem, fromBatchItemProblem } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';
import { Settled } from '@abaxus/platform/service/settled';

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
    return this.http.expectOk<CalculationJson>('pricing', 'POST', '/v1/pricing/calculate', bodyOf(request));
  }

  /**
   * Many calculations stored by pricing in one call per CALCULATIONS_PER_CALL (a billing run's
   * batch); each answers on its own, refused with the problem calculate would have answered.
   */
  async calculateMany(requests: readonly CalculationRequest[]): Promise<Array<Settled<CalculationJson>>> {
    const answered: Array<Settled<CalculationJson>> = [];
    for (let offset = 0; offset < requests.length; offset += CALCULATIONS_PER_CALL) {
      const chunk = requests.slice(offset, offset + CALCULATIONS_PER_CALL);
      const { results } = await this.http.expectOk<{ results: Array<{ calculation?: CalculationJson; error?: BatchItemProblem }> }>(
        'pricing',
        'POST',
        '/internal/v1/pricing/calculate-batch',
        { calculations: chunk.map(bodyOf) },
      );
      if (!Array.isArray(results) || results.length !== chunk.length) {
        throw new Error(`the pricing service answered ${Array.isArray(results) ? results.length : 'no'} calculations for ${chunk.length}`);
      }
      for (const result of results) {
        if (result.calculation) answered.push({ ok: true, value: result.calculation });
        else {
          answered.push({
            ok: false,
            error: fromBatchItemProblem(result.error ?? { status: 502, code: 'upstream_error', detail: 'The pricing service answered nothing.' }),
          });
        }
      }
    }
    return answered;
  }
}

/** Calculations per calculate-batch call (pricing takes up to 500). */
const CALCULATIONS_PER_CALL = 200;

function bodyOf(request: CalculationRequest): Record<string, unknown> {
  return {
    customer_id: request.customerId,
    subscription_id: request.subscriptionId,
    period_start: request.start.toISOString(),
    period_end: request.end.toISOString(),
    ...(request.plan ? { plan_id: request.plan.plan_id, plan_version: request.plan.plan_version } : {}),
    ...(request.weightPeriod
      ? { weight_period_start: request.weightPeriod.start.toISOString(), weight_period_end: request.weightPeriod.end.toISOString() }
      : {}),
  };
}
