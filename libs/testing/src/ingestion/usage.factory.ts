import { randomBytes } from 'node:crypto';
import { TestEngine } from '../test-engine';

/* Catalog entities created through the gateway, and usage event bodies, for usage tests. */

export function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

async function created<T>(engine: TestEngine, path: string, body: Record<string, unknown>): Promise<T> {
  const response = await engine.api(`POST`, path, body);
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${response.text}`);
  return response.body as T;
}

export async function createMetric(engine: TestEngine, aggregationType: string, valueType = 'integer'): Promise<string> {
  const key = uniqueId(`m_${aggregationType}`);
  await created(engine, '/v1/metrics', { key, aggregation_type: aggregationType, value_type: valueType });
  return key;
}

export async function createCustomer(engine: TestEngine): Promise<string> {
  const id = uniqueId('cust');
  await created(engine, '/v1/customers', { id, name: 'Usage Test Co', email: 'billing@usage.test' });
  return id;
}

/** A subscription on a flat-fee plan (usage tests only need the subscription to exist). */
export async function createSubscription(engine: TestEngine, customerId: string): Promise<string> {
  const planId = uniqueId('plan');
  await created(engine, '/v1/price-plans', { id: planId, currency: 'USD', charges: [{ model: 'flat_fee', properties: { amount: '10' } }] });
  const subscription = await created<{ id: string }>(engine, '/v1/subscriptions', {
    customer_id: customerId,
    plan_id: planId,
    start_date: '2026-01-01T00:00:00Z',
  });
  return subscription.id;
}

export function usageEvent(customerId: string, metricKey: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customer_id: customerId,
    metric_key: metricKey,
    value: '1',
    timestamp: '2026-03-17T14:00:00Z',
    idempotency_key: uniqueId('evt'),
    ...overrides,
  };
}
