import Big from 'big.js';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TOPICS } from '@abaxus/contracts/topics';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import { TestClock } from '@abaxus/platform/testing/test-clock';
import type { InvoiceJson } from '../invoices/invoice-json';
import { expectStatus } from '../testing/expect-status';
import { FakeStripeServer } from '../testing/fake-stripe-server';
import { InvoicingNeighbourStubs } from '../testing/neighbour-stubs';
import { InvoicingAppModule } from '../invoicing-app.module';
import { CreditLedgerRepository } from './credit-ledger.repository';
import { CreditSpending } from './credit-spending';

/*
 * Single-service tier: credits, coupons and taxes (API.md Part II §7) with catalog and pricing
 * stubbed, the real Stripe SDK against the Stripe-shaped test server, on a real PostgreSQL.
 */
describe('credits, coupons and taxes on invoices (service alone)', () => {
  const clock = new TestClock();
  let stripe: FakeStripeServer;
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;
  let db: Client;
  let events: TopicRecorder;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), {
      stub: ['catalog', 'pricing', 'aggregation'],
      env: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, ABAXUS_BILLING_RUN_INTERVAL_MS: '0' },
      clock,
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

  const issue = async (customerId: string, cutoff = '2026-04-01T00:00:00Z'): Promise<InvoiceJson> =>
    expectStatus(await sut.api('POST', '/v1/invoices', { customer_id: customerId, cutoff_date: cutoff }), 201).body;
  const grant = async (customerId: string, body: Record<string, unknown>) =>
    expectStatus(await sut.api('POST', `/v1/customers/${customerId}/credit-grants`, { category: 'paid', ...body }), 201).body;
  const balance = async (customerId: string) => expectStatus(await sut.api('GET', `/v1/customers/${customerId}/credit-balance`), 200).body;
  const unbalancedMovements = async () =>
    (await db.query('SELECT movement_id FROM invoicing.credit_entries GROUP BY movement_id HAVING sum(amount) <> 0 OR count(*) <> 2')).rowCount;

  it('spends credit at issue by priority then earliest expiry, charges the amount due, and a void gives every grant back exactly what it took', async () => {
    const customer = neighbours.customer({ amount: '41.50' });
    const later = await grant(customer.id, { amount: '20.00', currency: 'USD', expires_at: '2027-06-01T00:00:00Z' });
    const sooner = await grant(customer.id, { amount: '15', currency: 'USD', expires_at: '2027-01-01T00:00:00Z', category: 'promotional' });
    const first = await grant(customer.id, { amount: '5.00', currency: 'USD', priority: 10 });
    expect(first).toMatchObject({ amount: '5.00', remaining_amount: '5.00', priority: 10, status: 'active', category: 'paid' });

    const invoice = await issue(customer.id);
    expect(invoice).toMatchObject({ subtotal: '41.50', discount_amount: '0.00', tax_amount: '0.00', total_amount: '41.50', credits_applied: '40.00' });
    expect(invoice.amount_due).toBe('1.50');
    expect(invoice.credits).toEqual([
      { grant_id: first.id, amount: '5.00' },
      { grant_id: sooner.id, amount: '15.00' },
      { grant_id: later.id, amount: '20.00' },
    ]);
    expect((await balance(customer.id)).balances).toEqual([{ currency: 'USD', balance: '0.00', grants: [] }]);
    // Spending 40 of 40 crossed the low mark (10% of the granted amount): one fact for the webhooks.
    const low = await pollUntil(async () => {
      const found = events.messages.map((message) => JSON.parse(message.value)).find((event) => event.type === 'credits.balance_low');
      if (!found) throw new Error('no credits.balance_low yet');
      return found;
    });
    expect(low.data).toEqual({ customer_id: customer.id, currency: 'USD', balance: '0.00' });

    expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/void`), 200);
    const restored = await balance(customer.id);
    expect(restored.balances[0].balance).toBe('40.00');
    expect(restored.balances[0].grants.map((row: { id: string; remaining_amount: string }) => [row.id, row.remaining_amount])).toEqual([
      [later.id, '20.00'],
      [sooner.id, '15.00'],
      [first.id, '5.00'],
    ]);
    expect(await unbalancedMovements()).toBe(0);

    // The next invoice spends the returned credit again, and charging asks Stripe for the amount due only.
    const next = await issue(customer.id, '2026-05-01T00:00:00Z');
    expect([next.credits_applied, next.amount_due]).toEqual(['40.00', '1.50']);
    expectStatus(await sut.api('POST', `/v1/invoices/${next.id}/charge`), 200);
    expect(stripe.creations().at(-1)!.form.amount).toBe('150');
  });

  it('settles an invoice its credit covers at once, without Stripe', async () => {
    const customer = neighbours.customer({ amount: '12.00' });
    await grant(customer.id, { amount: '100', currency: 'USD' });
    const before = stripe.creations().length;
    const invoice = await issue(customer.id);
    expect(invoice).toMatchObject({ status: 'paid', credits_applied: '12.00', amount_due: '0.00', total_amount: '12.00' });
    expect(stripe.creations()).toHaveLength(before);
    expect([(await sut.api('POST', `/v1/invoices/${invoice.id}/charge`)).status]).toEqual([409]);
  });

  it('stops counting a grant at its expiry instant (the injectable clock), and voids what is left of a grant once', async () => {
    const customer = neighbours.customer({ amount: '3', currency: 'KWD' });
    const now = clock.now();
    const expiring = await grant(customer.id, { amount: '1.250', currency: 'KWD', expires_at: new Date(now.getTime() + 60_000).toISOString() });
    const kept = await grant(customer.id, { amount: '2.000', currency: 'KWD' });
    expect((await balance(customer.id)).balances[0].balance).toBe('3.250');
    clock.advance(60_000);
    expect((await balance(customer.id)).balances[0]).toMatchObject({ balance: '2.000', grants: [expect.objectContaining({ id: kept.id })] });
    expect(expiring.id).not.toBe(kept.id);

    const voided = expectStatus(await sut.api('POST', `/v1/customers/${customer.id}/credit-grants/${kept.id}/void`), 200).body;
    expect(voided).toMatchObject({ status: 'voided', remaining_amount: '0.000' });
    expect((await sut.api('POST', `/v1/customers/${customer.id}/credit-grants/${kept.id}/void`)).body.code).toBe('credit_grant_voided');
    expect((await balance(customer.id)).balances[0].balance).toBe('0.000');
    expect(await unbalancedMovements()).toBe(0);
  });

  it('never spends the same credit twice: 50 concurrent spends for one customer, under the credit account lock', async () => {
    const customer = neighbours.customer();
    await grant(customer.id, { amount: '100.00', currency: 'USD' });
    await grant(customer.id, { amount: '23.45', currency: 'USD', priority: 1 });
    const dataSource = await new DataSource({ type: 'postgres', url: sut.databaseUrl, extra: { max: 20 } }).initialize();
    try {
      const spending = new CreditSpending(new CreditLedgerRepository());
      const taken = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          dataSource.transaction((manager) =>
            spending.consume({ manager, emit: () => undefined }, customer.id, 'USD', `inv_concurrent_${index}`, new Big('3.33'), clock.now()),
          ),
        ),
      );
      const spent = taken.reduce((sum, one) => sum.plus(one.applied), new Big(0));
      expect(spent.toFixed(2)).toBe('123.45');
      expect(taken.filter((one) => one.applied.eq('3.33'))).toHaveLength(37);
      expect((await balance(customer.id)).balances[0].balance).toBe('0.00');
      const perGrant = await db.query(
        `SELECT account, sum(amount)::text AS balance FROM invoicing.credit_entries WHERE customer_id = $1 AND account LIKE 'grant:%' GROUP BY account`,
        [customer.id],
      );
      for (const row of perGrant.rows) expect(row.balance).toBe('0.00');
    } finally {
      await dataSource.destroy();
    }
    expect(await unbalancedMovements()).toBe(0);
  });

  it('50 concurrent invoice requests for one customer: one invoice, which alone spends the credit', async () => {
    const customer = neighbours.customer({ amount: '41.50' });
    await grant(customer.id, { amount: '30.00', currency: 'USD' });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => sut.api('POST', '/v1/invoices', { customer_id: customer.id, cutoff_date: '2026-04-01T00:00:00Z' })),
    );
    const issued = answers.filter((answer) => answer.status === 201);
    expect(issued.map((answer) => [answer.body.credits_applied, answer.body.amount_due])).toEqual([['30.00', '11.50']]);
    const spent = await db.query(
      `SELECT coalesce(sum(amount), 0)::numeric(20, 2)::text AS spent FROM invoicing.credit_entries WHERE customer_id = $1 AND account LIKE 'invoice:%'`,
      [customer.id],
    );
    expect(spent.rows[0].spent).toBe('30.00');
    expect((await balance(customer.id)).balances[0].balance).toBe('0.00');
  });

  it('on a test clock: a cycle invoice spends credit live at its cycle end, not after its expiry; a once coupon reduces the first only', async () => {
    const testClock = expectStatus(await sut.api('POST', '/v1/test-clocks', { frozen_time: '2026-01-31T00:00:00Z' }), 201).body;
    const customer = await neighbours.cycledCustomer({
      interval: 'month',
      startDate: '2026-01-31T00:00:00.000Z',
      fee: '29.00',
      usageAmount: '1.50',
      testClock: testClock.id,
    });
    // The customer lives in the clock's time once its subscription reached invoicing.
    await pollUntil(async () => expect((await balance(customer.id)).as_of).toBe('2026-01-31T00:00:00.000Z'));
    const expiring = await grant(customer.id, { amount: '40.00', currency: 'USD', expires_at: '2026-03-15T00:00:00Z' });
    expectStatus(await sut.api('POST', '/v1/coupons', { id: 'FIRST10', percent_off: '10', duration: 'once' }), 201);
    expectStatus(await sut.api('POST', `/v1/customers/${customer.id}/discounts`, { coupon_id: 'FIRST10' }), 201);

    const advance = async (to: string) => {
      expectStatus(await sut.api('POST', `/v1/test-clocks/${testClock.id}/advance`, { frozen_time: to }), 200);
      await pollUntil(async () => expect((await sut.api('GET', `/v1/test-clocks/${testClock.id}`)).body.status).toBe('ready'), { timeoutMs: 30_000 });
    };
    // Mid-cycle, the upcoming invoice previews the discount and the credit it would take, spending nothing.
    await advance('2026-02-15T00:00:00Z');
    const upcoming = expectStatus(await sut.api('GET', `/v1/customers/${customer.id}/upcoming-invoice`), 200).body;
    expect(new Big(upcoming.discount_amount).gt(0)).toBe(true);
    expect(upcoming.total_amount).toBe(new Big(upcoming.subtotal).minus(upcoming.discount_amount).toFixed(2));
    expect([upcoming.credits_applied, upcoming.amount_due, upcoming.credits]).toEqual([
      upcoming.total_amount,
      '0.00',
      [{ grant_id: expiring.id, amount: upcoming.total_amount }],
    ]);
    expect((await balance(customer.id)).balances[0].balance).toBe('40.00');

    await advance('2026-04-30T01:00:00Z');
    const invoices: InvoiceJson[] = (await sut.api('GET', `/v1/invoices?customer_id=${customer.id}`)).body.data.reverse();
    expect(
      invoices.map((invoice) => [
        invoice.period_end,
        invoice.discount_amount,
        invoice.total_amount,
        invoice.credits_applied,
        invoice.amount_due,
        invoice.status,
      ]),
    ).toEqual([
      ['2026-02-28T00:00:00.000Z', '3.05', '27.45', '27.45', '0.00', 'paid'],
      ['2026-03-31T00:00:00.000Z', '0.00', '30.50', '0.00', '30.50', 'issued'],
      ['2026-04-30T00:00:00.000Z', '0.00', '30.50', '0.00', '30.50', 'issued'],
    ]);
    expect(invoices[0].credits).toEqual([{ grant_id: expiring.id, amount: '27.45' }]);
    expect((await balance(customer.id)).balances).toEqual([{ currency: 'USD', balance: '0.00', grants: [] }]);
  });

  it('keeps the ledger append-only and refuses, in the database, an entry that would leave a grant negative or a movement unbalanced', async () => {
    const customer = neighbours.customer();
    const row = await grant(customer.id, { amount: '1.00', currency: 'USD' });
    await expect(db.query('UPDATE invoicing.credit_entries SET amount = amount * 2 WHERE grant_id = $1', [row.id])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM invoicing.credit_entries WHERE grant_id = $1', [row.id])).rejects.toThrow(/append-only/);
    const insert = (movement: string, account: string, amount: string) =>
      db.query(
        `INSERT INTO invoicing.credit_entries (movement_id, kind, account, customer_id, currency, grant_id, invoice_id, amount, created_at)
         VALUES ($1, 'consumption', $2, $3, 'USD', $4, 'inv_x', $5, now())`,
        [movement, account, customer.id, row.id, amount],
      );
    await expect(insert('m-negative', `grant:${row.id}`, '-1.01')).rejects.toThrow(/negative/);
    await expect(insert('m-unbalanced', 'invoice:inv_x', '0.50')).rejects.toThrow(/sum to zero/);
    expect((await balance(customer.id)).balances[0].balance).toBe('1.00');
  });

  it('applies a coupon, then a tax rate per line (listed per rate), then credits', async () => {
    expectStatus(
      await sut.api('POST', '/v1/tax-rates', { id: 'nyc', display_name: 'NYC sales tax', percentage: '8.875', inclusive: false, jurisdiction: 'US-NY' }),
      201,
    );
    expectStatus(await sut.api('POST', '/v1/coupons', { id: 'TENOFF', percent_off: '10', duration: 'repeating', duration_in_cycles: 1 }), 201);
    const lineItems = [
      { metric_key: 'api_calls', model: 'per_unit' as const, quantity: '3333', amount: '33.33' },
      { metric_key: null, model: 'flat_fee' as const, quantity: '1', amount: '66.67' },
    ];
    const customer = neighbours.customer({ amount: '100.00', lineItems, taxRateIds: ['nyc'] });
    expectStatus(await sut.api('POST', `/v1/customers/${customer.id}/discounts`, { coupon_id: 'TENOFF' }), 201);
    await grant(customer.id, { amount: '20.00', currency: 'USD' });

    const invoice = await issue(customer.id);
    expect(invoice).toMatchObject({
      subtotal: '100.00',
      discount_amount: '10.00',
      tax_amount: '7.99',
      total_amount: '97.99',
      credits_applied: '20.00',
      amount_due: '77.99',
    });
    expect(invoice.discounts).toEqual([expect.objectContaining({ coupon_id: 'TENOFF', amount: '10.00', description: 'Coupon TENOFF (10% off)' })]);
    expect(invoice.taxes).toEqual([
      { tax_rate_id: 'nyc', display_name: 'NYC sales tax', percentage: '8.875', inclusive: false, taxable_amount: '90.00', amount: '7.99' },
    ]);
    expect(invoice.line_taxes.map((tax) => [tax.line, tax.amount])).toEqual([
      ['line_items[0]', '2.66'],
      ['line_items[1]', '5.33'],
    ]);
    // The coupon lasted one cycle: the next invoice has no discount.
    const next = await issue(customer.id, '2026-05-01T00:00:00Z');
    expect([next.discount_amount, next.subtotal]).toEqual(['0.00', '100.00']);
  });

  it("KWD: a plan's minimum commitment adds a true-up that is taxed like a line; a zero subtotal is then still invoiced", async () => {
    expectStatus(await sut.api('POST', '/v1/tax-rates', { id: 'kw_vat', display_name: 'VAT', percentage: '5', inclusive: false }), 201);
    const customer = neighbours.customer({ amount: '1.234', currency: 'KWD', minimumAmount: '5.000', taxRateIds: ['kw_vat'] });
    const invoice = await issue(customer.id);
    expect(invoice).toMatchObject({
      subtotal: '1.234',
      minimum_commitment: { minimum_amount: '5.000', true_up_amount: '3.766' },
      tax_amount: '0.250',
      total_amount: '5.250',
      amount_due: '5.250',
    });
    expect(invoice.line_taxes.map((tax) => [tax.line, tax.amount])).toEqual([
      ['line_items[0]', '0.062'],
      ['minimum_commitment', '0.188'],
    ]);
    const idle = neighbours.customer({ amount: '0', currency: 'KWD', minimumAmount: '2.500' });
    expect(await issue(idle.id)).toMatchObject({ subtotal: '0.000', total_amount: '2.500' });
  });

  it('names an unknown tax rate of the customer and issues nothing', async () => {
    const customer = neighbours.customer({ taxRateIds: ['nowhere'] });
    const refused = await sut.api('POST', '/v1/invoices', { customer_id: customer.id, cutoff_date: '2026-04-01T00:00:00Z' });
    expect([refused.status, refused.body.code, refused.body.errors]).toEqual([
      422,
      'unknown_tax_rate',
      [{ field: 'tax_rate_ids[0]', message: 'no tax rate nowhere' }],
    ]);
    expect((await db.query('SELECT count(*)::int AS n FROM invoicing.invoices WHERE customer_id = $1', [customer.id])).rows[0].n).toBe(0);
  });

  it('refuses bad grants, coupons and discounts as problem+json naming the field', async () => {
    const customer = neighbours.customer();
    const refusal = async (path: string, body: unknown) => {
      const answer = await sut.api('POST', path, body);
      return [answer.status, answer.body.code, answer.body.errors?.map((error: { field: string }) => error.field)];
    };
    expect(await refusal(`/v1/customers/${customer.id}/credit-grants`, { amount: '-5', currency: 'USD', category: 'paid' })).toEqual([
      400,
      'validation_failed',
      ['amount'],
    ]);
    expect(await refusal(`/v1/customers/${customer.id}/credit-grants`, { amount: '5', currency: 'XXX', category: 'paid' })).toEqual([
      400,
      'validation_failed',
      ['currency'],
    ]);
    expect(await refusal('/v1/coupons', { id: 'both', percent_off: '5', amount_off: '5', currency: 'USD', duration: 'once' })).toEqual([
      400,
      'validation_failed',
      ['amount_off'],
    ]);
    expect(await refusal('/v1/coupons', { id: 'greedy', percent_off: '101', duration: 'once' })).toEqual([400, 'validation_failed', ['percent_off']]);
    expect(await refusal('/v1/tax-rates', { id: 'odd', display_name: 'Odd', percentage: '150', inclusive: false })).toEqual([
      400,
      'validation_failed',
      ['percentage'],
    ]);

    expectStatus(await sut.api('POST', '/v1/coupons', { id: 'OLD', percent_off: '5', duration: 'once', redeem_by: '2020-01-01T00:00:00Z' }), 201);
    expect(await refusal(`/v1/customers/${customer.id}/discounts`, { coupon_id: 'OLD' })).toEqual([422, 'coupon_expired', ['coupon_id']]);
    expectStatus(await sut.api('POST', '/v1/coupons', { id: 'EUR5', amount_off: '5.00', currency: 'EUR', duration: 'forever' }), 201);
    expect(await refusal(`/v1/customers/${customer.id}/discounts`, { coupon_id: 'EUR5', subscription_id: customer.subscriptionId })).toEqual([
      422,
      'currency_mismatch',
      ['coupon_id'],
    ]);

    // max_redemptions holds under concurrency: of 10 simultaneous attachments, 3 win.
    expectStatus(await sut.api('POST', '/v1/coupons', { id: 'THREE', amount_off: '1.00', currency: 'USD', duration: 'once', max_redemptions: 3 }), 201);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => sut.api('POST', `/v1/customers/${customer.id}/discounts`, { coupon_id: 'THREE' })));
    expect(attempts.filter((answer) => answer.status === 201)).toHaveLength(3);
    expect(attempts.filter((answer) => answer.body.code === 'coupon_exhausted')).toHaveLength(7);
    expect(expectStatus(await sut.api('GET', '/v1/coupons/THREE'), 200).body).toMatchObject({ times_redeemed: 3, valid: false });
  });
});
