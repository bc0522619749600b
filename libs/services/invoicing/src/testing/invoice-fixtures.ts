import type { IssuedDocumentSnapshot } from '../documents/issued-document-snapshot';
import type { InvoiceJson, InvoiceLineItemJson } from '../invoices/invoice-json';

/*
 * A realistic invoice for document tests: a three-charge plan as a new user would set it up —
 * 185,000 API calls over three graduated tiers, seats on volume tiers, storage per unit and a
 * monthly flat fee — with an issuer and a customer that have every optional field.
 */

export const API_CALLS: InvoiceLineItemJson = {
  subscription_id: 'sub_1',
  metric_key: 'api_calls',
  model: 'tiered',
  quantity: '185000',
  amount: '72.00',
  tiers: [
    { from: '0', up_to: '10000', quantity: '10000', unit_amount: '0.001', flat_amount: '0', amount: '10' },
    { from: '10000', up_to: '100000', quantity: '90000', unit_amount: '0.0005', flat_amount: '0', amount: '45' },
    { from: '100000', up_to: null, quantity: '85000', unit_amount: '0.0002', flat_amount: '0', amount: '17' },
  ],
};

export const SEATS: InvoiceLineItemJson = {
  subscription_id: 'sub_1',
  metric_key: 'seats',
  model: 'volume',
  quantity: '42',
  amount: '356.00',
  tiers: [{ from: '10', up_to: '50', quantity: '42', unit_amount: '8', flat_amount: '20', amount: '356' }],
};

export const STORAGE: InvoiceLineItemJson = { subscription_id: 'sub_1', metric_key: 'storage_gb', model: 'per_unit', quantity: '1234.5', amount: '123.45' };

export const FLAT_FEE: InvoiceLineItemJson = { subscription_id: 'sub_1', metric_key: null, model: 'flat_fee', quantity: '1', amount: '29.00' };

export const METRIC_NAMES = new Map([
  ['api_calls', 'API calls'],
  ['seats', 'Seats'],
  ['storage_gb', 'Storage (GB-months)'],
]);

export function invoiceFixture(overrides: Partial<InvoiceJson> = {}): InvoiceJson {
  const lineItems = overrides.line_items ?? [API_CALLS, SEATS, STORAGE, FLAT_FEE];
  return {
    id: 'inv_1',
    number: 'INV-000042',
    customer_id: 'cust_acme',
    status: 'issued',
    currency: 'USD',
    period_start: '2026-11-01T00:00:00.000Z',
    period_end: '2026-12-01T00:00:00.000Z',
    total_amount: '580.45',
    line_groups: [
      {
        subscription_id: 'sub_1',
        plan_id: 'plan_growth',
        plan_version: 3,
        period_start: '2026-11-01T00:00:00.000Z',
        period_end: '2026-12-01T00:00:00.000Z',
        calculation_id: 'calc_1',
        amount: '580.45',
      },
    ],
    line_items: lineItems,
    calculation_ids: ['calc_1'],
    payment_intent: null,
    sent_at: null,
    paid_at: null,
    archived_at: null,
    created_at: '2026-12-01T08:00:00.000Z',
    payment_attempts: [],
    // No discount, tax or credit: every §7 amount follows the total.
    subtotal: overrides.total_amount ?? '580.45',
    discount_amount: '0.00',
    discounts: [],
    minimum_commitment: null,
    tax_amount: '0.00',
    taxes: [],
    line_taxes: [],
    credits_applied: '0.00',
    credits: [],
    amount_due: overrides.total_amount ?? '580.45',
    ...overrides,
  };
}

export function issuedFixture(overrides: Partial<IssuedDocumentSnapshot> = {}): IssuedDocumentSnapshot {
  return {
    issuer: {
      name: 'Abaxus Demo Ltd',
      address: { line1: '1 Long Lane', line2: 'Floor 3', city: 'London', postal_code: 'EC1A 9HF', state: null, country: 'GB' },
      tax_id: 'GB123456789',
      email: 'billing@abaxus.example',
      logo_sha256: null,
    },
    billed_to: {
      customer_id: 'cust_acme',
      name: 'Acme Corp',
      email: 'ap@acme.example',
      address: { line1: '500 Market Street', line2: 'Suite 200', city: 'San Francisco', postal_code: '94105', state: 'CA', country: 'US' },
      tax_id: '12-3456789',
    },
    payment_terms_days: 30,
    footer: 'Bank transfer: IBAN GB29 NWBK 6016 1331 9268 19, BIC NWBKGB2L. Thank you for your business.',
    ...overrides,
  };
}
