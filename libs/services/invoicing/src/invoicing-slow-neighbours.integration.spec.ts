import { expectStatus } from './testing/expect-status';
import { FakeStripeServer } from './testing/fake-stripe-server';
import { InvoicingNeighbourStubs } from './testing/neighbour-stubs';
import { SmtpTestServer } from './testing/smtp-test-server';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { InvoicingAppModule } from './invoicing-app.module';

/*
 * Single-service tier: invoicing alone on a real PostgreSQL with a pool of TWO connections, the
 * real Stripe SDK against a Stripe-shaped server and a real SMTP server; catalog and pricing
 * stubbed. Stripe (for some customers) and pricing (for one) answer after 20 s: no connection or
 * row lock is held across those calls, so everyone else is served at once.
 */
describe('invoicing while Stripe and pricing are slow (service alone, pool of 2)', () => {
  const SLOW_MS = 20_000;
  let stripe: FakeStripeServer;
  let smtp: SmtpTestServer;
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    smtp = await new SmtpTestServer().start();
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), {
      stub: ['catalog', 'pricing', 'aggregation'],
      env: {
        ABAXUS_DB_POOL_SIZE: '2',
        STRIPE_SECRET_KEY: stripe.secretKey,
        STRIPE_API_URL: stripe.url,
        STRIPE_TIMEOUT_MS: '30000',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'invoices@abaxus.test',
      },
    });
    neighbours = new InvoicingNeighbourStubs(sut);
  });

  afterAll(async () => {
    await sut?.stop();
    await smtp?.stop();
    await stripe?.stop();
  });

  const issue = (customerId: string) => sut.api('POST', '/v1/invoices', { customer_id: customerId, cutoff_date: '2026-04-01T00:00:00Z' });

  it("issues, charges, emails and reads other customers' invoices at once while three charges and one issue wait 20 s", async () => {
    stripe.respondAfter(SLOW_MS, 'cus_slow');
    const slowPayers = [1, 2, 3].map(() => neighbours.customer({ providerCustomer: 'cus_slow' }));
    const slowInvoices = await Promise.all(slowPayers.map(async (customer) => expectStatus(await issue(customer.id), 201).body));
    const slowPriced = neighbours.customer({ pricingDelayMs: SLOW_MS });

    const slowCharges = slowInvoices.map((invoice) => sut.api('POST', `/v1/invoices/${invoice.id}/charge`).then((answer) => ({ answer, at: Date.now() })));
    const slowIssue = issue(slowPriced.id).then((answer) => ({ answer, at: Date.now() }));
    // All four are now waiting on the network: Stripe has the three requests, pricing the fourth.
    await pollUntil(async () => expect(stripe.creations().filter((request) => request.form.customer === 'cus_slow')).toHaveLength(3));
    await pollUntil(async () => expect(sut.stubs.pricing!.requests.some((request) => request.body.subscription_id === slowPriced.subscriptionId)).toBe(true));

    const started = Date.now();
    const other = neighbours.customer({ email: 'ap@globex.test' });
    const invoice = expectStatus(await issue(other.id), 201).body;
    expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/send-email`), 200);
    expect(expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/charge`), 200).body.status).toBe('paid');
    const read = expectStatus(await sut.api('GET', `/v1/invoices/${invoice.id}`), 200).body;
    const fastDone = Date.now();
    expect(read).toMatchObject({ status: 'paid', sent_at: expect.any(String), payment_attempts: [{ attempt: 1, status: 'succeeded' }] });
    expect(smtp.messages.some((mail) => mail.subject?.startsWith(`Invoice ${invoice.number}: 41.50 USD due `))).toBe(true);
    expect(fastDone - started).toBeLessThan(5_000);

    // The slow ones complete afterwards, each paid by exactly one PaymentIntent.
    const charged = await Promise.all(slowCharges);
    expect(charged.map(({ answer }) => [answer.status, answer.body.status])).toEqual([
      [200, 'paid'],
      [200, 'paid'],
      [200, 'paid'],
    ]);
    for (const { at } of charged) expect(at - fastDone).toBeGreaterThan(5_000);
    for (const slow of slowInvoices) {
      expect([...stripe.paymentIntents.values()].filter((intent) => intent.metadata.invoice_id === slow.id)).toHaveLength(1);
    }
    const issued = await slowIssue;
    expect(issued.answer.status).toBe(201);
    expect(issued.at - fastDone).toBeGreaterThan(5_000);
  }, 90_000);

  it('refuses a second send of one invoice while its mail is going out (409), and records the send once', async () => {
    const customer = neighbours.customer({ email: 'ap@initech.test' });
    const invoice = expectStatus(await issue(customer.id), 201).body;
    smtp.acceptAfter(1_500);
    try {
      const first = sut.api('POST', `/v1/invoices/${invoice.id}/send-email`);
      await pollUntil(async () => expect(smtp.messages.some((mail) => mail.subject?.includes(invoice.number))).toBe(true));
      const second = await sut.api('POST', `/v1/invoices/${invoice.id}/send-email`);
      expect([second.status, second.body.code]).toEqual([409, 'email_in_progress']);
      expect((await first).status).toBe(200);
    } finally {
      smtp.acceptAfter(0);
    }
    expect(smtp.messages.filter((mail) => mail.subject?.includes(invoice.number))).toHaveLength(1);
    expect(expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/send-email`), 200).body.sent_at).toEqual(expect.any(String));
  });
});
