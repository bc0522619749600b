import { Client } from 'pg';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { BillingScenario, expectStatus } from '@abaxus/testing/invoicing/billing-scenario.factory';
import { FakeStripeServer } from '@abaxus/services/invoicing/testing/fake-stripe-server';
import { InvoiceEventListener, listenToInvoiceEvents } from '@abaxus/testing/invoicing/invoice-event-listener';
import { paymentIntentEvent, signedDelivery } from '@abaxus/services/invoicing/testing/stripe-webhook.factory';

/*
 * Charging invoices with the real Stripe SDK against a Stripe-shaped server, and Stripe's
 * webhook (signed like Stripe signs it), through the gateway on the Kafka bus.
 */
describe('invoice payments (kafka)', () => {
  const webhookSecret = 'whsec_test_abaxus';
  let stripe: FakeStripeServer;
  let engine: TestEngine;
  let scenario: BillingScenario;
  let listener: InvoiceEventListener;
  let db: Client;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    engine = await startTestEngine({
      bus: 'kafka',
      env: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_TIMEOUT_MS: '1000' },
    });
    scenario = new BillingScenario(engine);
    listener = await listenToInvoiceEvents(engine, 'kafka');
    db = new Client({ connectionString: engine.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await listener?.stop();
    await engine?.stop();
    await stripe?.stop();
  });

  afterEach(() => stripe.respondAfter(0));

  /** An issued invoice of 41.50 USD (6 units, Stripe's tier example) for a customer paying with `paymentMethod`. */
  async function issuedInvoice(paymentMethod = 'pm_card_visa', options: Parameters<BillingScenario['customerWithUsage']>[0] = {}) {
    const setup = await scenario.customerWithUsage({
      units: '6',
      customer: { payment_method: { provider_customer_id: 'cus_acme', provider_payment_method: paymentMethod } },
      ...options,
    });
    const invoice = expectStatus(await engine.api('POST', '/v1/invoices', { customer_id: setup.customerId, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
    return { setup, invoice };
  }
  const charge = (invoiceId: string) => engine.api('POST', `/v1/invoices/${invoiceId}/charge`);
  const getInvoice = async (invoiceId: string) => expectStatus(await engine.api('GET', `/v1/invoices/${invoiceId}`), 200).body;
  const creationsFor = (invoiceId: string) => stripe.creations().filter((request) => request.form['metadata[invoice_id]'] === invoiceId);
  const intentsFor = (invoiceId: string) => [...stripe.paymentIntents.values()].filter((intent) => intent.metadata.invoice_id === invoiceId);
  const deliver = (event: object, secret = webhookSecret) => {
    const { body, signature } = signedDelivery(event, secret);
    return engine.api('POST', '/v1/webhooks/stripe', body, { 'stripe-signature': signature });
  };

  it('charges the total in minor units off-session with the saved card, and marks the invoice paid', async () => {
    const { invoice } = await issuedInvoice();
    const response = expectStatus(await charge(invoice.id), 200);
    expect(response.body).toEqual({ status: 'paid', invoice_id: invoice.id, payment_intent: expect.stringMatching(/^pi_/) });

    const [request] = creationsFor(invoice.id);
    expect(request.idempotencyKey).toBe(`abaxus-${invoice.id}-charge-1`);
    expect(request.form).toMatchObject({
      amount: '4150',
      currency: 'usd',
      customer: 'cus_acme',
      payment_method: 'pm_card_visa',
      off_session: 'true',
      confirm: 'true',
      'metadata[invoice_id]': invoice.id,
      'metadata[invoice_number]': invoice.number,
    });
    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'paid',
      payment_intent: response.body.payment_intent,
      paid_at: expect.any(String),
      payment_attempts: [{ attempt: 1, status: 'succeeded', payment_intent: response.body.payment_intent }],
    });
    await pollUntil(async () =>
      expect(
        listener.events.find((event) => event.envelope.type === 'invoice.paid' && event.envelope.data.invoice_id === invoice.id)?.envelope.data,
      ).toMatchObject({
        status: 'paid',
        payment_intent: response.body.payment_intent,
        total_amount: '41.50',
      }),
    );

    const twice = await charge(invoice.id);
    expect([twice.status, twice.body.code]).toEqual([409, 'invalid_transition']);
    expect(creationsFor(invoice.id)).toHaveLength(1);
    expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/archive`), 200);
    const archived = await charge(invoice.id);
    expect([archived.status, archived.body.code]).toEqual([409, 'invalid_transition']);
    const history = await db.query('SELECT action, from_status, to_status FROM invoicing.invoice_history WHERE invoice_id = $1 ORDER BY id', [invoice.id]);
    expect(history.rows.map((row: { action: string; to_status: string }) => `${row.action}→${row.to_status}`)).toEqual([
      'issue→issued',
      'charge→paid',
      'archive→archived',
    ]);
  });

  it("answers a decline with 402 and Stripe's codes, keeps the invoice issued, and retries with a new attempt", async () => {
    const { setup, invoice } = await issuedInvoice('pm_card_chargeDeclinedInsufficientFunds');
    const declined = await charge(invoice.id);
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      payment_intent: expect.stringMatching(/^pi_/),
      attempt: 1,
    });
    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'issued',
      payment_attempts: [{ attempt: 1, status: 'failed', failure_code: 'card_declined', decline_code: 'insufficient_funds' }],
    });
    await pollUntil(async () =>
      expect(
        listener.events.find((event) => event.envelope.type === 'invoice.payment_failed' && event.envelope.data.invoice_id === invoice.id)?.envelope.data,
      ).toMatchObject({
        status: 'issued',
        failure_code: 'insufficient_funds',
      }),
    );

    expectStatus(
      await engine.api('PATCH', `/v1/customers/${setup.customerId}`, {
        payment_method: { provider_customer_id: 'cus_acme', provider_payment_method: 'pm_card_visa' },
      }),
      200,
    );
    expectStatus(await charge(invoice.id), 200);
    expect(creationsFor(invoice.id).map((request) => [request.idempotencyKey, request.form.payment_method])).toEqual([
      [`abaxus-${invoice.id}-charge-1`, 'pm_card_chargeDeclinedInsufficientFunds'],
      [`abaxus-${invoice.id}-charge-2`, 'pm_card_visa'],
    ]);
  });

  it('answers 402 requires_action when the customer must authenticate; the webhook then marks it paid, once', async () => {
    const { invoice } = await issuedInvoice('pm_card_authenticationRequired');
    const first = await charge(invoice.id);
    expect(first.status).toBe(402);
    expect(first.body).toMatchObject({ code: 'requires_action', payment_intent: expect.stringMatching(/^pi_/), provider_code: 'authentication_required' });
    const paymentIntent: string = first.body.payment_intent;

    // Charging again looks the payment up instead of creating a second PaymentIntent.
    const again = await charge(invoice.id);
    expect([again.status, again.body.code, again.body.payment_intent]).toEqual([402, 'requires_action', paymentIntent]);
    expect(intentsFor(invoice.id)).toHaveLength(1);
    expect(stripe.requests.some((request) => request.method === 'GET' && request.path === `/v1/payment_intents/${paymentIntent}`)).toBe(true);

    const event = paymentIntentEvent('payment_intent.succeeded', stripe.completeAuthentication(paymentIntent));
    expect(expectStatus(await deliver(event), 200).body).toEqual({ received: true, result: 'paid' });
    const paid = await getInvoice(invoice.id);
    expect(paid).toMatchObject({ status: 'paid', payment_intent: paymentIntent, payment_attempts: [{ attempt: 1, status: 'succeeded' }] });

    expect(expectStatus(await deliver(event), 200).body).toEqual({ received: true, result: 'duplicate' });
    expect(await getInvoice(invoice.id)).toEqual(paid);
    const marks = await db.query(`SELECT count(*)::int AS n FROM invoicing.invoice_history WHERE invoice_id = $1 AND to_status = 'paid'`, [invoice.id]);
    expect(marks.rows[0].n).toBe(1);
  });

  it('leaves a timed-out charge unknown and retries it with the same idempotency key: one PaymentIntent', async () => {
    const { invoice } = await issuedInvoice();
    stripe.respondAfter(2500);
    const lost = await charge(invoice.id);
    expect([lost.status, lost.body.code]).toEqual([502, 'payment_outcome_unknown']);
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'issued', payment_attempts: [{ attempt: 1, status: 'unknown' }] });
    expect(intentsFor(invoice.id)).toHaveLength(1); // Stripe did charge; its answer was lost

    stripe.respondAfter(0);
    const retried = expectStatus(await charge(invoice.id), 200);
    expect(retried.body.payment_intent).toBe(intentsFor(invoice.id)[0].id);
    expect(creationsFor(invoice.id).map((request) => request.idempotencyKey)).toEqual([`abaxus-${invoice.id}-charge-1`, `abaxus-${invoice.id}-charge-1`]);
    expect(intentsFor(invoice.id)).toHaveLength(1);
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', payment_attempts: [{ attempt: 1, status: 'succeeded' }] });
  });

  it("settles a charge whose answer was lost when Stripe's webhook reports it", async () => {
    const { invoice } = await issuedInvoice();
    stripe.respondAfter(2500);
    expect((await charge(invoice.id)).status).toBe(502);
    stripe.respondAfter(0);
    const [intent] = intentsFor(invoice.id);
    expect(expectStatus(await deliver(paymentIntentEvent('payment_intent.succeeded', { ...intent })), 200).body.result).toBe('paid');
    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'paid',
      payment_intent: intent.id,
      payment_attempts: [{ attempt: 1, status: 'succeeded', payment_intent: intent.id }],
    });
    expect((await charge(invoice.id)).status).toBe(409);
    expect(creationsFor(invoice.id)).toHaveLength(1);
  });

  it('lets one of two concurrent charges through; the other gets 409 and Stripe sees one PaymentIntent', async () => {
    const { invoice } = await issuedInvoice();
    stripe.respondAfter(300);
    const answers = await Promise.all([charge(invoice.id), charge(invoice.id)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(creationsFor(invoice.id)).toHaveLength(1);
    expect(intentsFor(invoice.id)).toHaveLength(1);
  });

  it('refuses before calling Stripe: below the minimum charge, or no saved payment method (422)', async () => {
    const small = await issuedInvoice('pm_card_visa', {
      charge: (metricKey) => ({ metric_key: metricKey, model: 'per_unit', properties: { unit_amount: '0.04' } }),
    });
    expect(small.invoice.total_amount).toBe('0.24');
    const below = await charge(small.invoice.id);
    expect([below.status, below.body.code, below.body.detail]).toEqual([422, 'amount_below_minimum', expect.stringContaining('0.50 USD')]);
    expect(creationsFor(small.invoice.id)).toHaveLength(0);

    const setup = await scenario.customerWithUsage({ units: '6', customer: { payment_method: null } });
    const invoice = expectStatus(await engine.api('POST', '/v1/invoices', { customer_id: setup.customerId, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
    const missing = await charge(invoice.id);
    expect([missing.status, missing.body.code]).toEqual([422, 'payment_method_missing']);
    expect((await charge('inv_missing')).status).toBe(404);
  });

  it('verifies webhook signatures, records payment failures and ignores unknown payments', async () => {
    const { invoice } = await issuedInvoice('pm_card_authenticationRequired');
    const paymentIntent: string = (await charge(invoice.id)).body.payment_intent;
    const intent = { ...stripe.paymentIntents.get(paymentIntent)! };

    const forged = await deliver(paymentIntentEvent('payment_intent.succeeded', { ...intent, status: 'succeeded' }), 'whsec_someone_else');
    expect([forged.status, forged.body.code]).toEqual([400, 'invalid_signature']);
    const unsigned = await engine.api('POST', '/v1/webhooks/stripe', JSON.stringify(paymentIntentEvent('payment_intent.succeeded', intent)));
    expect([unsigned.status, unsigned.body.code]).toEqual([400, 'invalid_signature']);
    expect((await getInvoice(invoice.id)).status).toBe('issued');

    const failure = {
      ...intent,
      status: 'requires_payment_method' as const,
      last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'expired_card', message: 'Your card has expired.' },
    };
    expect(expectStatus(await deliver(paymentIntentEvent('payment_intent.payment_failed', failure)), 200).body).toEqual({
      received: true,
      result: 'payment_failed',
    });
    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'issued',
      payment_attempts: [{ attempt: 1, status: 'failed', failure_code: 'card_declined', decline_code: 'expired_card' }],
    });

    const stranger = { ...intent, id: 'pi_unknown_to_abaxus', metadata: {} };
    expect(expectStatus(await deliver(paymentIntentEvent('payment_intent.succeeded', stranger)), 200).body).toEqual({ received: true, result: 'ignored' });
    expect(expectStatus(await deliver({ ...paymentIntentEvent('payment_intent.succeeded', intent), type: 'customer.created' }), 200).body.result).toBe(
      'ignored',
    );
  });
});
