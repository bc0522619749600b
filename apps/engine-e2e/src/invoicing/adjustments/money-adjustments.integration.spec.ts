import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { BillingScenario, expectStatus } from '@abaxus/testing/invoicing/billing-scenario.factory';
import { FakeStripeServer } from '@abaxus/services/invoicing/testing/fake-stripe-server';

/*
 * Whole engine through the gateway (API.md Part II §7): a tax rate, a coupon and prepaid credit
 * reach one invoice in the contract's order, and charging asks Stripe for the amount due only.
 */
describe.each(['embedded', 'kafka'] as const)('credits, coupons and taxes through the gateway (%s bus)', (bus) => {
  let stripe: FakeStripeServer;
  let engine: TestEngine;
  let scenario: BillingScenario;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    engine = await startTestEngine({ bus, env: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url } });
    scenario = new BillingScenario(engine);
  });

  afterAll(async () => {
    await engine?.stop();
    await stripe?.stop();
  });

  it('issues subtotal → discount → tax → total → credits → amount due, and charges the amount due', async () => {
    expectStatus(await engine.api('POST', '/v1/tax-rates', { id: 'e2e_ny', display_name: 'NY sales tax', percentage: '8.875', inclusive: false }), 201);
    expectStatus(await engine.api('POST', '/v1/coupons', { id: 'E2E10', percent_off: '10', duration: 'once' }), 201);
    const setup = await scenario.customerWithUsage({
      units: '6',
      customer: { tax_rate_ids: ['e2e_ny'], payment_method: { provider_customer_id: 'cus_acme', provider_payment_method: 'pm_card_visa' } },
    });
    expectStatus(await engine.api('POST', `/v1/customers/${setup.customerId}/discounts`, { coupon_id: 'E2E10' }), 201);
    const grant = expectStatus(
      await engine.api('POST', `/v1/customers/${setup.customerId}/credit-grants`, { amount: '20.00', currency: 'USD', category: 'paid' }),
      201,
    ).body;
    expect(expectStatus(await engine.api('GET', `/v1/customers/${setup.customerId}/credit-balance`), 200).body.balances).toEqual([
      { currency: 'USD', balance: '20.00', grants: [expect.objectContaining({ id: grant.id, remaining_amount: '20.00' })] },
    ]);

    const invoice = expectStatus(await engine.api('POST', '/v1/invoices', { customer_id: setup.customerId, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
    // 41.50 − 10% (4.15) = 37.35; 8.875% of it is 3.3148… → 3.31; 40.66 − 20.00 credit = 20.66.
    expect(invoice).toMatchObject({
      status: 'issued',
      subtotal: '41.50',
      discount_amount: '4.15',
      tax_amount: '3.31',
      total_amount: '40.66',
      credits_applied: '20.00',
      amount_due: '20.66',
      discounts: [expect.objectContaining({ coupon_id: 'E2E10', amount: '4.15' })],
      taxes: [expect.objectContaining({ tax_rate_id: 'e2e_ny', taxable_amount: '37.35', amount: '3.31' })],
      credits: [{ grant_id: grant.id, amount: '20.00' }],
    });
    expect(expectStatus(await engine.api('GET', `/v1/customers/${setup.customerId}/credit-balance`), 200).body.balances[0].balance).toBe('0.00');

    expect(expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/charge`), 200).body.status).toBe('paid');
    const creation = stripe.creations().find((request) => request.form['metadata[invoice_id]'] === invoice.id)!;
    expect(creation.form.amount).toBe('2066');

    const pdf = await engine.api('GET', `/v1/invoices/${invoice.id}/pdf`);
    expect(pdf.status).toBe(200);
  });
});
