import { Client } from 'pg';
import { TOPICS } from '@abaxus/contracts/topics';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import type { InvoiceJson } from './invoice-json';
import { expectStatus } from '../testing/expect-status';
import { FakeStripeServer } from '../testing/fake-stripe-server';
import { InvoicingNeighbourStubs } from '../testing/neighbour-stubs';
import { InvoicingAppModule } from '../invoicing-app.module';

/*
 * Single-service tier: voiding invoices (API.md Part II §6) with catalog and pricing stubbed, the
 * real Stripe SDK against the Stripe-shaped test server, on a real PostgreSQL.
 */
describe('voiding invoices (service alone)', () => {
  let stripe: FakeStripeServer;
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;
  let db: Client;
  let events: TopicRecorder;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), {
      stub: ['catalog', 'pricing', 'aggregation'],
      env: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, STRIPE_WEBHOOK_SECRET: 'whsec_test_abaxus', ABAXUS_BILLING_RUN_INTERVAL_MS: '0' },
    });
    neighbours = new InvoicingNeighbourStubs(sut);
    events = await sut.listen(TOPICS.invoiceEvents);
    db = new Client({ connectionString: sut.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await sut?.stop();
    await stripe?.stop();
  });

  const issue = async (customerId: string, cutoff: string): Promise<InvoiceJson> =>
    expectStatus(await sut.api('POST', '/v1/invoices', { customer_id: customerId, cutoff_date: cutoff }), 201).body;
  const voidInvoice = (id: string) => sut.api('POST', `/v1/invoices/${id}/void`);
  const numberOf = (invoice: { number: string }) => Number(invoice.number.replace('INV-', ''));
  const eventsOf = (invoiceId: string) => events.messages.map((message) => JSON.parse(message.value)).filter((event) => event.data.invoice_id === invoiceId);

  it('voids an issued invoice, keeps its number used, and bills its period again from where it started on the next invoice', async () => {
    const customer = neighbours.customer({ amount: '12.00' });
    const first = await issue(customer.id, '2026-04-01T00:00:00Z');

    const voided = expectStatus(await voidInvoice(first.id), 200).body;
    expect(voided).toMatchObject({ id: first.id, number: first.number, status: 'voided', total_amount: '12.00', period_end: '2026-04-01T00:00:00.000Z' });
    expect(expectStatus(await sut.api('GET', `/v1/invoices/${first.id}`), 200).body.status).toBe('voided');
    expect((await sut.api('GET', `/v1/invoices?customer_id=${customer.id}&status=voided`)).body.data.map((invoice: InvoiceJson) => invoice.id)).toEqual([
      first.id,
    ]);
    const history = await db.query('SELECT action, from_status, to_status FROM invoicing.invoice_history WHERE invoice_id = $1 ORDER BY id', [first.id]);
    expect(history.rows.at(-1)).toEqual({ action: 'void', from_status: 'issued', to_status: 'voided' });

    const next = await issue(customer.id, '2026-05-01T00:00:00Z');
    expect(next).toMatchObject({ period_start: '2026-01-01T00:00:00.000Z', period_end: '2026-05-01T00:00:00.000Z' });
    // Gapless: the voided number stays taken, nothing reuses it.
    const numbers = (await db.query('SELECT number FROM invoicing.invoices ORDER BY sequence')).rows.map(numberOf);
    expect(numbers).toEqual(numbers.map((_, index) => numbers[0] + index));
    expect(numberOf(next)).toBeGreaterThan(numberOf(first));

    await pollUntil(async () => expect(eventsOf(first.id).map((event) => event.type)).toEqual(['invoice.issued', 'invoice.voided']));
    expect(eventsOf(first.id)[1].data).toMatchObject({ number: first.number, status: 'voided', customer_id: customer.id });
  });

  it('refuses to void a voided, paid or archived invoice (409 invalid_transition), and a voided one cannot be charged or archived', async () => {
    const voidedOne = await issue(neighbours.customer().id, '2026-04-01T00:00:00Z');
    expectStatus(await voidInvoice(voidedOne.id), 200);
    for (const [method, path] of [
      ['POST', `/v1/invoices/${voidedOne.id}/void`],
      ['POST', `/v1/invoices/${voidedOne.id}/charge`],
      ['POST', `/v1/invoices/${voidedOne.id}/archive`],
    ] as const) {
      expect(expectStatus(await sut.api(method, path), 409).body.code).toBe('invalid_transition');
    }
    expect(stripe.creations().filter((request) => request.form['metadata[invoice_id]'] === voidedOne.id)).toEqual([]);

    const paid = await issue(neighbours.customer().id, '2026-04-01T00:00:00Z');
    expect(expectStatus(await sut.api('POST', `/v1/invoices/${paid.id}/charge`), 200).body.status).toBe('paid');
    expect(expectStatus(await voidInvoice(paid.id), 409).body).toMatchObject({ code: 'invalid_transition', detail: expect.stringContaining('paid') });
    expect(expectStatus(await sut.api('GET', `/v1/invoices/${paid.id}`), 200).body.status).toBe('paid');

    const archived = await issue(neighbours.customer().id, '2026-04-01T00:00:00Z');
    expectStatus(await sut.api('POST', `/v1/invoices/${archived.id}/archive`), 200);
    expect(expectStatus(await voidInvoice(archived.id), 409).body.code).toBe('invalid_transition');
    expect(expectStatus(await voidInvoice('inv_nothing'), 404).body.code).toBe('not_found');
  });

  it('voids an invoice whose charge was declined (still unpaid)', async () => {
    const customer = neighbours.customer({ paymentMethod: 'pm_card_chargeDeclined' });
    const invoice = await issue(customer.id, '2026-04-01T00:00:00Z');
    expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/charge`), 402);
    expect(expectStatus(await voidInvoice(invoice.id), 200).body.status).toBe('voided');
  });

  it('refuses to void an invoice when a later one already bills the time after it (409 later_invoice_exists), changing nothing', async () => {
    const customer = neighbours.customer();
    const older = await issue(customer.id, '2026-03-01T00:00:00Z');
    const later = await issue(customer.id, '2026-04-01T00:00:00Z');
    expect(expectStatus(await voidInvoice(older.id), 409).body).toMatchObject({ code: 'later_invoice_exists', detail: expect.stringContaining(later.number) });
    expect(expectStatus(await sut.api('GET', `/v1/invoices/${older.id}`), 200).body.status).toBe('issued');
    expect(
      (await db.query('SELECT count(*)::int AS n FROM invoicing.invoice_periods WHERE invoice_id = $1 AND voided_at IS NOT NULL', [older.id])).rows[0].n,
    ).toBe(0);
    // The latest can be voided; then the older one is the latest again.
    expectStatus(await voidInvoice(later.id), 200);
    expectStatus(await voidInvoice(older.id), 200);
    expect((await issue(customer.id, '2026-04-01T00:00:00Z')).period_start).toBe('2026-01-01T00:00:00.000Z');
  });

  it('on a billing cycle: the voided cycle is invoiced again by the next run, and its automatic collection stops', async () => {
    const clock = expectStatus(await sut.api('POST', '/v1/test-clocks', { frozen_time: '2026-04-01T00:00:00Z' }), 201).body;
    const customer = await neighbours.cycledCustomer({ interval: 'month', startDate: '2026-04-01T00:00:00.000Z', fee: '30.00', testClock: clock.id });
    expectStatus(await sut.api('PUT', `/v1/customers/${customer.id}/auto-collection`, { email: false, charge: true }), 200);
    neighbours.setPaymentMethod(customer.id, 'pm_card_chargeDeclined');
    const advance = async (to: string) => {
      expectStatus(await sut.api('POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: to }), 200);
      await pollUntil(async () => expect((await sut.api('GET', `/v1/test-clocks/${clock.id}`)).body.status).toBe('ready'), { timeoutMs: 30_000 });
    };
    const invoicesOf = async (): Promise<InvoiceJson[]> => (await sut.api('GET', `/v1/invoices?customer_id=${customer.id}&limit=100`)).body.data.reverse();

    await advance('2026-05-01T01:00:00Z');
    const [april] = await invoicesOf();
    expect(april).toMatchObject({ period_start: '2026-04-01T00:00:00.000Z', period_end: '2026-05-01T00:00:00.000Z', total_amount: '30.00' });
    expect(april.collection).toMatchObject({ state: 'retrying' });

    const voided = expectStatus(await voidInvoice(april.id), 200).body;
    expect(voided.collection).toEqual({ attempts: 1, next_attempt_at: null, state: 'canceled' });
    neighbours.setPaymentMethod(customer.id, 'pm_card_visa');
    await advance('2026-05-10T00:00:00Z');
    const invoices = await invoicesOf();
    expect(invoices.map((invoice) => [invoice.number === april.number, invoice.status, invoice.period_start, invoice.period_end])).toEqual([
      [true, 'voided', '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'],
      [false, 'paid', '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'],
    ]);
    // The voided invoice was not charged again by its dunning schedule.
    expect(stripe.creations().filter((request) => request.form['metadata[invoice_id]'] === april.id)).toHaveLength(1);
  });
});
