import { randomBytes } from 'node:crypto';

/* Request bodies for catalog tests: sensible defaults, overridden per test. */

export function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export function metricBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { key: uniqueId('metric'), aggregation_type: 'sum', value_type: 'integer', ...overrides };
}

export function tieredCharge(metricKey: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metric_key: metricKey,
    model: 'tiered',
    properties: {
      tiers: [
        { up_to: 10000, unit_amount: '0.001' },
        { up_to: null, unit_amount: '0.0005' },
      ],
    },
    ...overrides,
  };
}

export function pricePlanBody(metricKey: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: uniqueId('plan'), currency: 'USD', charges: [tieredCharge(metricKey)], ...overrides };
}

export function customerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uniqueId('cust'),
    name: 'Acme',
    email: 'billing@acme.test',
    billing: { provider: 'stripe' },
    payment_method: { provider_customer_id: 'cus_test123', provider_payment_method: 'pm_test456' },
    ...overrides,
  };
}

export function subscriptionBody(customerId: string, planId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { customer_id: customerId, plan_id: planId, start_date: '2026-01-01T00:00:00Z', ...overrides };
}
