import { Injectable, Logger } from '@nestjs/common';
import Big from 'big.js';
import type { AlertPeriod } from '@abaxus/domain/alerts/alert-period';
import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

/** A neighbour could not be asked: the batch is tried again later (its position does not move). */
export class MeasurementUnavailableError extends Error {
  override readonly name = 'MeasurementUnavailableError';
}

const CALL_TIMEOUT_MS = 30_000;

/**
 * The figures alerts compare with their thresholds, asked of the services that own them: the
 * exact (strong, read-your-writes) usage of a metric from aggregation, and what the customer's
 * subscriptions cost so far from pricing (its internal preview, nothing stored). An answer that
 * says the question makes no sense (4xx) counts as nothing measured; an unavailable neighbour
 * throws MeasurementUnavailableError.
 */
@Injectable()
export class AlertMeasurements {
  private readonly logger = new Logger(AlertMeasurements.name);

  constructor(
    private readonly http: ServiceHttpClient,
    private readonly catalog: CatalogClient,
  ) {}

  async usage(customerId: string, metricKey: string, period: AlertPeriod): Promise<Big | undefined> {
    const response = await this.call<{ value: string }>('aggregation', '/v1/usage/compute', {
      customer_id: customerId,
      metric_key: metricKey,
      period_start: period.start.toISOString(),
      period_end: period.end.toISOString(),
    });
    return response === undefined ? undefined : new Big(response.value);
  }

  /** Per currency: the priced total of the customer's subscriptions in the period, or of one metric's line items. */
  async amounts(customerId: string, metricKey: string | null, period: AlertPeriod): Promise<Map<string, Big>> {
    const totals = new Map<string, Big>();
    let subscriptions;
    try {
      subscriptions = await this.catalog.subscriptionsOf(customerId);
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() >= 500) throw this.unavailable('catalog', error);
      this.logger.warn(`the catalog refused to list the subscriptions of ${customerId}: ${error.problem.detail}; nothing measured`);
      return totals;
    }
    for (const subscription of subscriptions) {
      const startsBeforeEnd = new Date(subscription.start_date).getTime() < period.end.getTime();
      const runsAfterStart = subscription.canceled_at === null || new Date(subscription.canceled_at).getTime() > period.start.getTime();
      if (!startsBeforeEnd || !runsAfterStart) continue;
      const priced = await this.call<Omit<CalculationJson, 'calculation_id' | 'created_at'>>('pricing', '/internal/v1/pricing/preview', {
        customer_id: customerId,
        subscription_id: subscription.id,
        period_start: period.start.toISOString(),
        period_end: period.end.toISOString(),
      });
      if (priced === undefined) continue;
      const amount =
        metricKey === null
          ? new Big(priced.total_amount)
          : priced.line_items.filter((item) => item.metric_key === metricKey).reduce((sum, item) => sum.plus(item.amount), new Big(0));
      totals.set(priced.currency, (totals.get(priced.currency) ?? new Big(0)).plus(amount));
    }
    return totals;
  }

  private async call<T>(service: 'aggregation' | 'pricing', path: string, body: unknown): Promise<T | undefined> {
    let response;
    try {
      response = await this.http.call<T>(service, 'POST', path, body, CALL_TIMEOUT_MS);
    } catch (error) {
      throw this.unavailable(service, error);
    }
    if (response.status === 200) return response.body;
    if (response.status >= 500 || response.status === 429) {
      throw new MeasurementUnavailableError(`${service} answered ${response.status} to POST ${path}`);
    }
    this.logger.warn(`${service} refused POST ${path} with ${response.status}: ${JSON.stringify(response.body)}; nothing measured`);
    return undefined;
  }

  private unavailable(service: string, error: unknown): MeasurementUnavailableError {
    return new MeasurementUnavailableError(`${service} cannot be asked: ${(error as Error).message}`);
  }
}
