import { randomBytes } from 'node:crypto';
import type { ApiResponse, TestEngine } from '../test-engine';

/*
 * Catalog and usage set up through the gateway, as a user would: a metric, a plan, a customer
 * with a saved card, a subscription and its events. Defaults everywhere, overrides per test.
 */

export function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Fails with the answer's text unless it has the expected status. */
export function expectStatus<T = any>(response: ApiResponse<T>, status: number): ApiResponse<T> {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${response.text}`);
  return response;
}

export interface Tier {
  up_to: number | string | null;
  unit_amount: string;
  flat_amount?: string;
}

/** Stripe's documentation example: 1–5 at 7, 6–10 at 6.5, then 6. */
export const STRIPE_EXAMPLE_TIERS: Tier[] = [
  { up_to: 5, unit_amount: '7' },
  { up_to: 10, unit_amount: '6.5' },
  { up_to: null, unit_amount: '6' },
];

export interface CustomerSetup {
  customerId: string;
  subscriptionId: string;
  planId: string;
  metricKey: string;
}

export class BillingScenario {
  constructor(private readonly engine: TestEngine) {}

  async metric(overrides: Record<string, unknown> = {}): Promise<string> {
    const body = { key: uniqueId('metric'), name: 'API calls', aggregation_type: 'sum', value_type: 'integer', ...overrides };
    expectStatus(await this.engine.api('POST', '/v1/metrics', body), 201);
    return body.key as string;
  }

  async plan(charges: unknown[], currency = 'USD', id = uniqueId('plan')): Promise<string> {
    expectStatus(await this.engine.api('POST', '/v1/price-plans', { id, name: 'Plan', currency, charges }), 201);
    return id;
  }

  async customer(overrides: Record<string, unknown> = {}): Promise<string> {
    const body = {
      id: uniqueId('cust'),
      name: 'Acme Corp',
      email: 'billing@acme.test',
      billing: { provider: 'stripe' },
      payment_method: { provider_customer_id: 'cus_acme', provider_payment_method: 'pm_card_visa' },
      ...overrides,
    };
    expectStatus(await this.engine.api('POST', '/v1/customers', body), 201);
    return body.id as string;
  }

  async subscription(customerId: string, planId: string, startDate = '2026-01-01T00:00:00Z'): Promise<string> {
    const response = expectStatus(await this.engine.api('POST', '/v1/subscriptions', { customer_id: customerId, plan_id: planId, start_date: startDate }), 201);
    return response.body.id as string;
  }

  /** Events for one subscription, each [timestamp, value]; fails unless every one was accepted. */
  async usage(setup: Pick<CustomerSetup, 'customerId' | 'subscriptionId' | 'metricKey'>, events: Array<[string, string]>): Promise<void> {
    for (let offset = 0; offset < events.length; offset += 500) {
      const batch = events.slice(offset, offset + 500).map(([timestamp, value]) => ({
        customer_id: setup.customerId,
        subscription_id: setup.subscriptionId,
        metric_key: setup.metricKey,
        value,
        timestamp,
        idempotency_key: uniqueId('evt'),
      }));
      const response = expectStatus(await this.engine.api('POST', '/v1/events/batch', { events: batch }), 207);
      const refused = (response.body.results as Array<{ status: number }>).filter((result) => result.status !== 202);
      if (refused.length > 0) throw new Error(`events refused: ${JSON.stringify(refused)}`);
    }
  }

  /** A customer subscribed to a one-charge plan on a fresh metric, with `total` units used in March 2026. */
  async customerWithUsage(
    options: {
      charge?: (metricKey: string) => Record<string, unknown>;
      currency?: string;
      units?: string;
      customer?: Record<string, unknown>;
      startDate?: string;
    } = {},
  ): Promise<CustomerSetup> {
    const metricKey = await this.metric();
    const charge = options.charge?.(metricKey) ?? { metric_key: metricKey, model: 'tiered', properties: { tiers: STRIPE_EXAMPLE_TIERS } };
    const planId = await this.plan([charge], options.currency ?? 'USD');
    const customerId = await this.customer(options.customer);
    const subscriptionId = await this.subscription(customerId, planId, options.startDate);
    const setup = { customerId, subscriptionId, planId, metricKey };
    if (options.units !== undefined && options.units !== '0') await this.usage(setup, [['2026-03-17T14:00:00Z', options.units]]);
    return setup;
  }
}
