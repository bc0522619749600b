import { Client } from 'pg';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { TestClock } from '@abaxus/platform/testing/test-clock';
import { expectStatus } from '../testing/expect-status';
import { FakeStripeServer } from '../testing/fake-stripe-server';
import { InvoicingNeighbourStubs, restartOnSameDatabase } from '../testing/neighbour-stubs';
import { paymentIntentEvent, signedDelivery } from '../testing/stripe-webhook.factory';
import { InvoicingAppModule } from '../invoicing-app.module';
import { StripePaymentsClient } from './stripe-payments.client';

/*
 * Single-service tier: charging with the real Stripe SDK against a Stripe-shaped server, on a
 * real PostgreSQL; catalog and pricing stubbed; time from a clock the test moves. A process that
 * dies between recording an attempt `pending` and recording its outcome is played by a pending
 * row exactly as the engine writes it (and, where Stripe got the request, that very request).
 */
describe('charging invoices (service alone, real Stripe SDK)', () => {
  const webhookSecret = 'whsec_test_abaxus';
  const HOUR = 60 * 60 * 1000;
  let stripe: FakeStripeServer;
  let clock: TestClock;
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;
  let db: Client;
  const env = () => ({ STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_TIMEOUT_MS: '1000' });

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    clock = new TestClock();
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot({ ...runtime, clock }), {
      stub: ['catalog', 'pricing', 'aggregation'],
      env: env(),
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

  afterEach(() => stripe.respondAfter(0));

  async function issuedInvoice(): Promise<{ id: string; number: string }> {
    const customer = neighbours.customer();
    return expectStatus(await sut.api('POST', '/v1/invoices', { customer_id: customer.id, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
  }
  const charge = (invoiceId: string) => sut.api('POST', `/v1/invoices/${invoiceId}/charge`);
  const getInvoice = async (invoiceId: string) => expectStatus(await sut.api('GET', `/v1/invoices/${invoiceId}`), 200).body;
  const creationsFor = (invoiceId: string) => stripe.creations().filter((request) => request.form['metadata[invoice_id]'] === invoiceId);
  const intentsFor = (invoiceId: string) => [...stripe.paymentIntents.values()].filter((intent) => intent.metadata.invoice_id === invoiceId);

  /** What a process killed after committing attempt 1 `pending` leaves behind; `sent` = its request had reached Stripe. */
  async function attemptLeftByKilledProcess(invoice: { id: string; number: string }, options: { sent: boolean; status?: 'pending' | 'unknown'; age?: number }) {
    const key = `abaxus-${invoice.id}-charge-1`;
    const createdAt = new Date(clock.now().getTime() - (options.age ?? 0));
    await db.query(
      `INSERT INTO invoicing.payment_attempts
         (invoice_id, attempt_number, idempotency_key, status, amount_minor, currency, provider_customer_id, provider_payment_method,
          claimed_by, claimed_until, created_at, updated_at)
       VALUES ($1, 1, $2, $3, '4150', 'USD', 'cus_acme', 'pm_card_visa', $4, $5, $6, $6)`,
      [
        invoice.id,
        key,
        options.status ?? 'pending',
        options.status === 'unknown' ? null : 'killed-process',
        options.status === 'unknown' ? null : new Date(createdAt.getTime() + 61_000),
        createdAt,
      ],
    );
    if (options.sent) {
      // The very request the killed process sent (same SDK, same parameters, same key).
      const killed = new StripePaymentsClient(loadConfig({ STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url }));
      const outcome = await killed.chargeOffSession({
        amountMinor: '4150',
        currency: 'USD',
        customer: 'cus_acme',
        paymentMethod: 'pm_card_visa',
        idempotencyKey: key,
        invoiceId: invoice.id,
        invoiceNumber: invoice.number,
        attempt: 1,
      });
      expect(outcome.kind).toBe('succeeded');
    }
  }

  it('lets one of 20 concurrent charges through (409 for the others): Stripe sees one PaymentIntent', async () => {
    const invoice = await issuedInvoice();
    stripe.respondAfter(300);
    const answers = await Promise.all(Array.from({ length: 20 }, () => charge(invoice.id)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(19);
    for (const refused of answers.filter((answer) => answer.status === 409)) {
      expect(['payment_in_progress', 'invoice_busy', 'invalid_transition']).toContain(refused.body.code);
    }
    expect(creationsFor(invoice.id)).toHaveLength(1);
    expect(intentsFor(invoice.id)).toHaveLength(1);
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', payment_attempts: [{ attempt: 1, status: 'succeeded' }] });
  });

  it('shows an attempt in flight as pending, and refuses a second charge and an archive meanwhile (409)', async () => {
    const invoice = await issuedInvoice();
    stripe.respondAfter(700);
    const first = charge(invoice.id);
    await pollUntil(async () => expect(creationsFor(invoice.id)).toHaveLength(1));
    expect((await getInvoice(invoice.id)).payment_attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'pending' })]);
    const second = await charge(invoice.id);
    expect([second.status, second.body.code]).toEqual([409, 'payment_in_progress']);
    const archive = await sut.api('POST', `/v1/invoices/${invoice.id}/archive`);
    expect([archive.status, archive.body.code]).toEqual([409, 'payment_in_progress']);
    expect((await first).status).toBe(200);
    expect(intentsFor(invoice.id)).toHaveLength(1);
  });

  it('takes over an attempt its killed process left pending once the claim expires, with the same key: one PaymentIntent', async () => {
    const invoice = await issuedInvoice();
    await attemptLeftByKilledProcess(invoice, { sent: true });
    const meanwhile = await charge(invoice.id);
    expect([meanwhile.status, meanwhile.body.code]).toEqual([409, 'payment_in_progress']);

    clock.advance(2 * 60_000);
    const settled = expectStatus(await charge(invoice.id), 200);
    const [intent] = intentsFor(invoice.id);
    expect(settled.body).toEqual({ status: 'paid', invoice_id: invoice.id, payment_intent: intent.id });
    expect(creationsFor(invoice.id).map((request) => request.idempotencyKey)).toEqual([`abaxus-${invoice.id}-charge-1`, `abaxus-${invoice.id}-charge-1`]);
    expect(intentsFor(invoice.id)).toHaveLength(1);
  });

  it('settles attempts left pending by a killed process at the next start-up, with no double charge', async () => {
    const reached = await issuedInvoice(); // Stripe got its request before the kill
    const lost = await issuedInvoice(); // the kill came before the request left
    await attemptLeftByKilledProcess(reached, { sent: true });
    await attemptLeftByKilledProcess(lost, { sent: false });

    const later = new TestClock();
    later.advance(clock.now().getTime() - Date.now() + 2 * 60_000);
    const restarted = await restartOnSameDatabase(sut, (runtime) => InvoicingAppModule.forRoot(runtime), { env: env(), clock: later });
    try {
      for (const invoice of [reached, lost]) {
        await pollUntil(async () =>
          expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', payment_attempts: [{ attempt: 1, status: 'succeeded' }] }),
        );
        expect(intentsFor(invoice.id)).toHaveLength(1);
        expect((await getInvoice(invoice.id)).payment_intent).toBe(intentsFor(invoice.id)[0].id);
      }
    } finally {
      await restarted.stop();
    }
  });

  it("settles an attempt left pending by a killed process when Stripe's webhook reports its PaymentIntent", async () => {
    const invoice = await issuedInvoice();
    await attemptLeftByKilledProcess(invoice, { sent: true });
    const [intent] = intentsFor(invoice.id);
    const { body, signature } = signedDelivery(paymentIntentEvent('payment_intent.succeeded', { ...intent }), webhookSecret, clock.now());
    expect(expectStatus(await sut.api('POST', '/v1/webhooks/stripe', body, { 'stripe-signature': signature }), 200).body.result).toBe('paid');
    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'paid',
      payment_intent: intent.id,
      payment_attempts: [{ attempt: 1, status: 'succeeded', payment_intent: intent.id }],
    });
    expect((await charge(invoice.id)).status).toBe(409);
    expect(intentsFor(invoice.id)).toHaveLength(1);
  });

  it('settles an attempt of unknown outcome older than 24 hours by looking its PaymentIntent up, not by creating one', async () => {
    const invoice = await issuedInvoice();
    stripe.respondAfter(2500);
    const lost = await charge(invoice.id);
    expect([lost.status, lost.body.code]).toEqual([502, 'payment_outcome_unknown']);
    expect(intentsFor(invoice.id)).toHaveLength(1); // Stripe did charge; its answer was lost
    stripe.respondAfter(0);

    stripe.forgetIdempotencyKeys(); // as Stripe does after 24 hours: the same key again would charge twice
    clock.advance(25 * HOUR);
    const settled = expectStatus(await charge(invoice.id), 200);
    expect(settled.body.payment_intent).toBe(intentsFor(invoice.id)[0].id);
    expect(creationsFor(invoice.id)).toHaveLength(1);
    expect(intentsFor(invoice.id)).toHaveLength(1);
    expect(stripe.requests.some((request) => request.path === '/v1/payment_intents/search')).toBe(true);
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', payment_attempts: [{ attempt: 1, status: 'succeeded' }] });
  });

  it('finds no PaymentIntent for an unknown attempt older than 24 hours: records it failed and charges with a new attempt', async () => {
    const invoice = await issuedInvoice();
    await attemptLeftByKilledProcess(invoice, { sent: false, status: 'unknown', age: 25 * HOUR });
    const charged = expectStatus(await charge(invoice.id), 200);
    expect(creationsFor(invoice.id).map((request) => request.idempotencyKey)).toEqual([`abaxus-${invoice.id}-charge-2`]);
    expect(intentsFor(invoice.id)).toHaveLength(1);
    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'paid',
      payment_intent: charged.body.payment_intent,
      payment_attempts: [
        { attempt: 1, status: 'failed', failure_code: 'payment_not_found' },
        { attempt: 2, status: 'succeeded', payment_intent: charged.body.payment_intent },
      ],
    });
  });
});
