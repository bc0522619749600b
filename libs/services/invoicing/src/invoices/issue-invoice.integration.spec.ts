import { Client } from 'pg';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { expectStatus } from '../testing/expect-status';
import { InvoicingNeighbourStubs } from '../testing/neighbour-stubs';
import { InvoicingAppModule } from '../invoicing-app.module';

/* Single-service tier: issuing invoices with catalog and pricing stubbed, on a real PostgreSQL. */
describe('issuing invoices (service alone)', () => {
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;
  let db: Client;

  beforeAll(async () => {
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), { stub: ['catalog', 'pricing', 'aggregation'] });
    neighbours = new InvoicingNeighbourStubs(sut);
    db = new Client({ connectionString: sut.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await sut?.stop();
  });

  const issue = (customerId: string) => sut.api('POST', '/v1/invoices', { customer_id: customerId, cutoff_date: '2026-04-01T00:00:00Z' });
  const count = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0].n as number;
  const pricingCallsFor = (subscriptionId: string) => sut.stubs.pricing!.requests.filter((request) => request.body?.subscription_id === subscriptionId).length;

  it('refuses a zero total with 422 and leaves nothing behind in invoicing: no invoice, number, period, history or claim', async () => {
    const customer = neighbours.customer({ amount: '0.00' });
    const counterBefore = (await db.query('SELECT last_sequence::text AS n FROM invoicing.invoice_counter')).rows[0].n as string;
    const historyBefore = await count('SELECT count(*)::int AS n FROM invoicing.invoice_history');

    const refused = await issue(customer.id);
    expect([refused.status, refused.body.code]).toEqual([422, 'zero_amount_invoice']);
    expect(pricingCallsFor(customer.subscriptionId)).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM invoicing.invoices WHERE customer_id = $1', [customer.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM invoicing.invoice_periods WHERE subscription_id = $1', [customer.subscriptionId])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM invoicing.invoice_history')).toBe(historyBefore);
    expect(await count('SELECT count(*)::int AS n FROM invoicing.outbox')).toBe(0);
    expect((await db.query('SELECT last_sequence::text AS n FROM invoicing.invoice_counter')).rows[0].n).toBe(counterBefore);
    expect(await count('SELECT count(*)::int AS n FROM invoicing.customer_billing WHERE customer_id = $1 AND issuing_claim IS NULL', [customer.id])).toBe(1);

    // The period stays open, and the next invoice takes the next number.
    neighbours.reprice(customer.subscriptionId, '1.00');
    const issued = expectStatus(await issue(customer.id), 201).body;
    expect(issued).toMatchObject({
      period_start: '2026-01-01T00:00:00.000Z',
      total_amount: '1.00',
      number: `INV-${String(Number(counterBefore) + 1).padStart(6, '0')}`,
    });
    expect(issued.calculation_ids).toEqual([neighbours.calculations.at(-1)!.calculation_id]);
  });

  it("tells the catalog how far a subscription was invoiced: null before its first invoice, then the invoice's period end", async () => {
    const customer = neighbours.customer({ amount: '3.00' });
    const before = expectStatus(await sut.api('GET', `/internal/subscriptions/${customer.subscriptionId}/invoiced-until`), 200).body;
    expect(before).toEqual({ subscription_id: customer.subscriptionId, invoiced_until: null });
    expectStatus(await issue(customer.id), 201);
    const after = expectStatus(await sut.api('GET', `/internal/subscriptions/${customer.subscriptionId}/invoiced-until`), 200).body;
    expect(after).toEqual({ subscription_id: customer.subscriptionId, invoiced_until: '2026-04-01T00:00:00.000Z' });
  });

  it('lets one of 50 concurrent requests for a customer through, pricing only for it (409 for the others), with gapless numbers', async () => {
    const customer = neighbours.customer();
    const answers = await Promise.all(Array.from({ length: 50 }, () => issue(customer.id)));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(refused).toHaveLength(49);
    for (const answer of refused) expect(['invoice_in_progress', 'already_invoiced']).toContain(answer.body.code);
    expect(await count('SELECT count(*)::int AS n FROM invoicing.invoices WHERE customer_id = $1', [customer.id])).toBe(1);
    expect(pricingCallsFor(customer.subscriptionId)).toBe(1);

    const others = await Promise.all(Array.from({ length: 10 }, () => issue(neighbours.customer().id)));
    expect(others.map((answer) => answer.status)).toEqual(Array(10).fill(201));
    const numbers = (await db.query('SELECT number FROM invoicing.invoices ORDER BY sequence')).rows.map((row: { number: string }) =>
      Number(row.number.slice(4)),
    );
    expect(numbers).toEqual(numbers.map((_, index) => index + 1));
  });
});
