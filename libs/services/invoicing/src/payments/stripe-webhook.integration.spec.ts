import { Client } from 'pg';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { expectStatus } from '../testing/expect-status';
import { FakePaymentIntent, FakeStripeServer } from '../testing/fake-stripe-server';
import { InvoicingNeighbourStubs } from '../testing/neighbour-stubs';
import { paymentIntentEvent, signedDelivery } from '../testing/stripe-webhook.factory';
import { InvoicingAppModule } from '../invoicing-app.module';

/*
 * Single-service tier: Stripe's webhook settles an invoice only for a PaymentIntent the engine
 * created for one of its attempts, for its amount and currency; anything else is answered 200,
 * changes nothing and shows in the invoice's history.
 */
describe('Stripe webhook (service alone)', () => {
  const webhookSecret = 'whsec_test_abaxus';
  let stripe: FakeStripeServer;
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;
  let db: Client;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), {
      stub: ['catalog', 'pricing', 'aggregation'],
      env: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, STRIPE_WEBHOOK_SECRET: webhookSecret },
    });
    neighbours = new InvoicingNeighbourStubs(sut);
    db = new Client({ connectionString: sut.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await sut?.stop();
    await stripe?.stop();
  });

  /** A 10.00 USD invoice whose customer must authenticate: attempt 1 waits with its PaymentIntent. */
  async function invoiceAwaitingAuthentication() {
    const customer = neighbours.customer({ amount: '10.00', paymentMethod: 'pm_card_authenticationRequired' });
    const invoice = expectStatus(await sut.api('POST', '/v1/invoices', { customer_id: customer.id, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
    const charged = await sut.api('POST', `/v1/invoices/${invoice.id}/charge`);
    expect([charged.status, charged.body.code]).toEqual([402, 'requires_action']);
    return { invoice, intent: { ...stripe.paymentIntents.get(charged.body.payment_intent)! } };
  }
  const deliver = (event: object, signedAt?: Date) => {
    const { body, signature } = signedDelivery(event, webhookSecret, signedAt);
    return sut.api('POST', '/v1/webhooks/stripe', body, { 'stripe-signature': signature });
  };
  const succeeded = (intent: FakePaymentIntent) => paymentIntentEvent('payment_intent.succeeded', { ...intent, status: 'succeeded' });
  const getInvoice = async (id: string) => expectStatus(await sut.api('GET', `/v1/invoices/${id}`), 200).body;
  const history = async (invoiceId: string) =>
    (await db.query('SELECT action, from_status, to_status, detail FROM invoicing.invoice_history WHERE invoice_id = $1 ORDER BY id', [invoiceId])).rows;

  it('refuses a signed success for a PaymentIntent the engine never created (1 JPY naming a 10.00 USD invoice): 200, nothing changes, audited', async () => {
    const customer = neighbours.customer({ amount: '10.00' });
    const invoice = expectStatus(await sut.api('POST', '/v1/invoices', { customer_id: customer.id, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
    const tiny: FakePaymentIntent = {
      id: 'pi_tiny',
      object: 'payment_intent',
      amount: 1,
      currency: 'jpy',
      customer: 'cus_attacker',
      payment_method: 'pm_card_visa',
      status: 'succeeded',
      metadata: { invoice_id: invoice.id },
      last_payment_error: null,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    const event = succeeded(tiny);
    expect(expectStatus(await deliver(event), 200).body).toEqual({ received: true, result: 'refused' });
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'issued', paid_at: null, payment_intent: null, payment_attempts: [] });
    expect((await history(invoice.id)).at(-1)).toEqual({
      action: 'payment_event_refused',
      from_status: 'issued',
      to_status: 'issued',
      detail: expect.objectContaining({ stripe_event: event.id, payment_intent: 'pi_tiny', amount: '1', currency: 'jpy', reason: 'no_matching_attempt' }),
    });
    const recorded = await db.query('SELECT outcome, invoice_id FROM invoicing.stripe_events WHERE event_id = $1', [event.id]);
    expect(recorded.rows).toEqual([{ outcome: 'refused', invoice_id: invoice.id }]);
  });

  it("refuses another PaymentIntent naming the invoice's attempt, and the attempt's own with another amount or currency", async () => {
    const { invoice, intent } = await invoiceAwaitingAuthentication();
    const cases: Array<[Partial<FakePaymentIntent>, string]> = [
      [{ id: 'pi_someone_elses' }, 'payment_intent_mismatch'],
      [{ amount: 1 }, 'amount_mismatch'],
      [{ currency: 'eur' }, 'currency_mismatch'],
    ];
    for (const [change, reason] of cases) {
      expect(expectStatus(await deliver(succeeded({ ...intent, ...change })), 200).body.result).toBe('refused');
      expect((await history(invoice.id)).at(-1)).toMatchObject({ action: 'payment_event_refused', detail: { reason } });
    }
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'issued', payment_attempts: [{ attempt: 1, status: 'requires_action' }] });

    expect(expectStatus(await deliver(succeeded(stripe.completeAuthentication(intent.id))), 200).body.result).toBe('paid');
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', payment_intent: intent.id, payment_attempts: [{ attempt: 1, status: 'succeeded' }] });
  });

  it('refuses signatures dated beyond the tolerance, in the past or in the future', async () => {
    const { invoice, intent } = await invoiceAwaitingAuthentication();
    const event = succeeded(stripe.completeAuthentication(intent.id));
    for (const offsetMs of [10 * 60_000, -10 * 60_000]) {
      const answer = await deliver(event, new Date(Date.now() + offsetMs));
      expect([answer.status, answer.body.code]).toEqual([400, 'invalid_signature']);
    }
    expect((await getInvoice(invoice.id)).status).toBe('issued');
    expect(expectStatus(await deliver(event, new Date(Date.now() + 60_000)), 200).body.result).toBe('paid');
  });
});

describe('invoice actions without Stripe or SMTP configured (service alone)', () => {
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;

  beforeAll(async () => {
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), { stub: ['catalog', 'pricing', 'aggregation'] });
    neighbours = new InvoicingNeighbourStubs(sut);
  });
  afterAll(() => sut?.stop());

  it('answers 404 for a missing invoice before 503 "not configured"', async () => {
    for (const action of ['charge', 'send-email']) {
      const missing = await sut.api('POST', `/v1/invoices/inv_missing/${action}`);
      expect([missing.status, missing.body.code]).toEqual([404, 'not_found']);
    }
    const customer = neighbours.customer();
    const invoice = expectStatus(await sut.api('POST', '/v1/invoices', { customer_id: customer.id, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
    const charge = await sut.api('POST', `/v1/invoices/${invoice.id}/charge`);
    expect([charge.status, charge.body.code]).toEqual([503, 'payments_not_configured']);
    const email = await sut.api('POST', `/v1/invoices/${invoice.id}/send-email`);
    expect([email.status, email.body.code]).toEqual([503, 'email_not_configured']);
  });
});
