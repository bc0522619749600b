import { Client } from 'pg';
import { TOPICS } from '@abaxus/contracts/topics';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import type { InvoiceJson } from '../invoices/invoice-json';
import { expectStatus } from '../testing/expect-status';
import type { BillingRunJson } from './billing-runs.controller';
import { InvoicingNeighbourStubs } from '../testing/neighbour-stubs';
import { InvoicingAppModule } from '../invoicing-app.module';

/*
 * Single-service tier: billing cycles on test clocks, with catalog and pricing stubbed and the
 * catalog's subscription events published on the service's real (embedded) bus.
 */
describe('billing cycles and test clocks (service alone)', () => {
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;
  let db: Client;

  beforeAll(async () => {
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), {
      stub: ['catalog', 'pricing', 'aggregation'],
      env: { ABAXUS_BILLING_RUN_INTERVAL_MS: '0' },
    });
    neighbours = new InvoicingNeighbourStubs(sut);
    db = new Client({ connectionString: sut.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await sut?.stop();
  });

  const newClock = async (frozenTime: string) =>
    expectStatus(await sut.api('POST', '/v1/test-clocks', { frozen_time: frozenTime, name: 'rehearsal' }), 201).body;
  const advance = async (clockId: string, to: string) => {
    expectStatus(await sut.api('POST', `/v1/test-clocks/${clockId}/advance`, { frozen_time: to }), 200);
    await pollUntil(
      async () => {
        const status = (await sut.api('GET', `/v1/test-clocks/${clockId}`)).body.status;
        if (status !== 'ready') throw new Error(`clock ${clockId} is ${status}`);
      },
      { timeoutMs: 30_000 },
    );
  };
  const invoicesOf = async (customerId: string): Promise<InvoiceJson[]> =>
    (await sut.api('GET', `/v1/invoices?customer_id=${customerId}&limit=500`)).body.data.reverse();

  it('advancing a clock past three monthly cycle ends issues exactly three invoices, Jan 31 → Feb 28 → Mar 31 → Apr 30', async () => {
    const clock = await newClock('2026-01-31T00:00:00Z');
    expect(clock).toMatchObject({ id: expect.stringMatching(/^clock_/), status: 'ready', frozen_time: '2026-01-31T00:00:00.000Z' });
    const customer = await neighbours.cycledCustomer({
      interval: 'month',
      startDate: '2026-01-31T00:00:00.000Z',
      fee: '29.00',
      usageAmount: '1.50',
      testClock: clock.id,
    });

    // Past Apr 30 plus the hour of grace, not yet past May 31.
    await advance(clock.id, '2026-04-30T01:00:00Z');
    const invoices = await invoicesOf(customer.id);
    expect(invoices.map((invoice: InvoiceJson) => [invoice.period_start, invoice.period_end, invoice.total_amount, invoice.status])).toEqual([
      ['2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '30.50', 'issued'],
      ['2026-02-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z', '30.50', 'issued'],
      ['2026-03-31T00:00:00.000Z', '2026-04-30T00:00:00.000Z', '30.50', 'issued'],
    ]);
    // Gapless numbers in cycle order, whole cycles without a proration.
    const numbers = invoices.map((invoice: InvoiceJson) => Number(invoice.number.slice(4)));
    expect(numbers).toEqual([numbers[0], numbers[0] + 1, numbers[0] + 2]);
    expect(invoices[0].line_items[0]).toEqual({
      subscription_id: customer.subscriptionId,
      metric_key: null,
      model: 'flat_fee',
      quantity: '1',
      amount: '29.00',
    });

    // A second advance within the same cycle issues nothing more; the billing runs say what happened.
    await advance(clock.id, '2026-05-15T00:00:00Z');
    expect(await invoicesOf(customer.id)).toHaveLength(3);
    const runs = (await sut.api('GET', `/v1/billing-runs?test_clock=${clock.id}`)).body.data;
    expect(runs.map((run: BillingRunJson) => [run.cycle_end, run.invoices_issued, run.failures]).sort()).toEqual([
      ['2026-02-28T00:00:00.000Z', 1, []],
      ['2026-03-31T00:00:00.000Z', 1, []],
      ['2026-04-30T00:00:00.000Z', 1, []],
    ]);
    // Each went out as an invoice.issued fact through the outbox.
    const seen = new Set<string>();
    const listener = await sut.bus.subscribe({
      groupId: `issued-${clock.id}`,
      topics: [TOPICS.invoiceEvents],
      handleBatch: async (messages) => {
        for (const message of messages) {
          const event = JSON.parse(message.value);
          if (event.type === 'invoice.issued') seen.add(event.data.invoice_id);
        }
      },
    });
    try {
      await pollUntil(async () => expect(invoices.every((invoice: InvoiceJson) => seen.has(invoice.id))).toBe(true));
    } finally {
      await listener.stop();
    }
  });

  it('bills a whole batch in one advance: one invoice each, gapless, each with its own discount and credit; customers that fail (pricing, or in the issuing transaction) are recorded and the others are invoiced', async () => {
    const clock = await newClock('2026-05-01T00:00:00Z');
    const customers = [];
    for (let i = 0; i < 12; i++) {
      customers.push(
        await neighbours.cycledCustomer({ interval: 'month', startDate: '2026-05-01T00:00:00.000Z', fee: '10.00', usageAmount: '2.00', testClock: clock.id }),
      );
    }
    const [credited, discounted, failing, taxed] = [customers[2], customers[5], customers[8], customers[10]];
    const failed = [failing, taxed];
    // The customers live in the clock's time once their subscriptions reached invoicing.
    await pollUntil(async () => expect((await sut.api('GET', `/v1/customers/${credited.id}/credit-balance`)).body.as_of).toBe('2026-05-01T00:00:00.000Z'));
    expectStatus(await sut.api('POST', `/v1/customers/${credited.id}/credit-grants`, { amount: '5.00', currency: 'USD', category: 'paid' }), 201);
    const coupon = `BATCH${Date.now()}`;
    expectStatus(await sut.api('POST', '/v1/coupons', { id: coupon, percent_off: '10', duration: 'once' }), 201);
    expectStatus(await sut.api('POST', `/v1/customers/${discounted.id}/discounts`, { coupon_id: coupon }), 201);
    neighbours.failPricing(failing.subscriptionId);
    // Fails inside the group's issuing transaction: the group is written again customer by customer.
    neighbours.updateCustomer(taxed.id, { tax_rate_ids: ['no_such_rate'] });

    await advance(clock.id, '2026-06-01T01:00:00Z');
    const issued = (await Promise.all(customers.map((customer) => invoicesOf(customer.id)))).map((invoices) => invoices.length);
    expect(issued).toEqual(customers.map((customer) => (failed.includes(customer) ? 0 : 1)));
    const invoices = (
      await Promise.all(customers.filter((customer) => !failed.includes(customer)).map(async (customer) => (await invoicesOf(customer.id))[0]))
    ).sort((a, b) => a.number.localeCompare(b.number));
    // Gapless: the run's ten numbers follow each other.
    const numbers = invoices.map((invoice) => Number(invoice.number.slice(4)));
    expect(numbers).toEqual(numbers.map((_, index) => numbers[0] + index));
    const byCustomer = new Map(invoices.map((invoice) => [invoice.customer_id, invoice]));
    expect(byCustomer.get(customers[0].id)).toMatchObject({ total_amount: '12.00', discount_amount: '0.00', credits_applied: '0.00', amount_due: '12.00' });
    expect(byCustomer.get(credited.id)).toMatchObject({ total_amount: '12.00', credits_applied: '5.00', amount_due: '7.00' });
    expect(byCustomer.get(discounted.id)).toMatchObject({ discount_amount: '1.20', total_amount: '10.80', amount_due: '10.80' });
    const runs: BillingRunJson[] = (await sut.api('GET', `/v1/billing-runs?test_clock=${clock.id}`)).body.data;
    expect(runs.reduce((sum, run) => sum + run.invoices_issued, 0)).toBe(10);
    const failures = runs.flatMap((run) => run.failures);
    expect(new Set(failures.map((failure) => `${failure.customer_id} ${failure.code}`))).toEqual(
      new Set([`${failing.id} stub_pricing_down`, `${taxed.id} unknown_tax_rate`]),
    );

    // Fixed, the failed customers' cycles are still due: the next advance bills them, once.
    neighbours.failPricing(failing.subscriptionId, false);
    neighbours.updateCustomer(taxed.id, { tax_rate_ids: [] });
    await advance(clock.id, '2026-06-02T00:00:00Z');
    for (const customer of failed) {
      expect((await invoicesOf(customer.id)).map((invoice) => [invoice.period_end, invoice.total_amount])).toEqual([['2026-06-01T00:00:00.000Z', '12.00']]);
    }
    expect((await Promise.all(customers.map((customer) => invoicesOf(customer.id)))).map((list) => list.length)).toEqual(customers.map(() => 1));
  });

  it('waits for the grace period: a cycle ended 59 minutes ago is not invoiced yet', async () => {
    const clock = await newClock('2026-03-01T00:00:00Z');
    const customer = await neighbours.cycledCustomer({ interval: 'week', startDate: '2026-03-01T00:00:00.000Z', fee: '7.00', testClock: clock.id });
    await advance(clock.id, '2026-03-08T00:59:00Z');
    expect(await invoicesOf(customer.id)).toHaveLength(0);
    await advance(clock.id, '2026-03-08T01:00:00Z');
    expect((await invoicesOf(customer.id)).map((invoice: InvoiceJson) => [invoice.period_end, invoice.total_amount])).toEqual([
      ['2026-03-08T00:00:00.000Z', '7.00'],
    ]);
  });

  it('a manual invoice mid-cycle is an interim one (flat fee prorated, fraction shown); the next cycle invoice starts where it ended', async () => {
    const clock = await newClock('2026-04-01T00:00:00Z');
    const customer = await neighbours.cycledCustomer({ interval: 'month', startDate: '2026-04-01T00:00:00.000Z', fee: '30.00', testClock: clock.id });
    await advance(clock.id, '2026-04-20T00:00:00Z');
    // April has 30 days: [Apr 1, Apr 16) is exactly half.
    const interim = expectStatus(await sut.api('POST', '/v1/invoices', { customer_id: customer.id, cutoff_date: '2026-04-16T00:00:00Z' }), 201).body;
    expect(interim.line_items[0]).toMatchObject({
      model: 'flat_fee',
      amount: '15.00',
      proration: { from: '2026-04-01T00:00:00.000Z', to: '2026-04-16T00:00:00.000Z', fraction: '0.5' },
    });
    await advance(clock.id, '2026-05-01T01:00:00Z');
    const invoices = await invoicesOf(customer.id);
    expect(invoices.map((invoice: InvoiceJson) => [invoice.period_start, invoice.period_end, invoice.total_amount])).toEqual([
      ['2026-04-01T00:00:00.000Z', '2026-04-16T00:00:00.000Z', '15.00'],
      ['2026-04-16T00:00:00.000Z', '2026-05-01T00:00:00.000Z', '15.00'],
    ]);
    expect(invoices[1].line_items[0].proration).toEqual({ from: '2026-04-16T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z', fraction: '0.5' });
  });

  it('a cancel mid-cycle closes the subscription with a final invoice at the cancel instant, its flat fee prorated, then nothing more', async () => {
    const clock = await newClock('2026-04-01T00:00:00Z');
    const customer = await neighbours.cycledCustomer({ interval: 'month', startDate: '2026-04-01T00:00:00.000Z', fee: '30.00', testClock: clock.id });
    const subscription = neighbours.subscriptionOf(customer.id);
    subscription.canceled_at = '2026-04-16T00:00:00.000Z';
    await sut.bus.publish([
      {
        topic: TOPICS.catalogEvents,
        key: subscription.id,
        value: JSON.stringify({ type: 'subscription.canceled', data: subscription, event_id: 'evt_cancel', occurred_at: subscription.canceled_at }),
      },
    ]);
    await advance(clock.id, '2026-07-01T01:00:00Z');
    const invoices = await invoicesOf(customer.id);
    expect(invoices.map((invoice) => [invoice.period_start, invoice.period_end, invoice.total_amount])).toEqual([
      ['2026-04-01T00:00:00.000Z', '2026-04-16T00:00:00.000Z', '15.00'],
    ]);
    expect(invoices[0].line_items[0].proration).toEqual({ from: '2026-04-01T00:00:00.000Z', to: '2026-04-16T00:00:00.000Z', fraction: '0.5' });
  });

  it('a trial waives the flat fee until trial_end (a zero line marked trial, the rest prorated); usage is charged; later cycles pay the full fee', async () => {
    const clock = await newClock('2026-04-01T00:00:00Z');
    const customer = await neighbours.cycledCustomer({
      interval: 'month',
      startDate: '2026-04-01T00:00:00.000Z',
      trialEnd: '2026-04-16T00:00:00.000Z',
      fee: '30.00',
      usageAmount: '2.50',
      testClock: clock.id,
    });
    await advance(clock.id, '2026-06-01T01:00:00Z');
    const invoices = await invoicesOf(customer.id);
    expect(invoices.map((invoice) => [invoice.period_start, invoice.period_end, invoice.total_amount])).toEqual([
      ['2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', '17.50'],
      ['2026-05-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z', '32.50'],
    ]);
    expect(invoices[0].line_items.map((line) => ({ model: line.model, amount: line.amount, trial: line.trial, proration: line.proration }))).toEqual([
      { model: 'flat_fee', amount: '0.00', trial: true, proration: { from: '2026-04-01T00:00:00.000Z', to: '2026-04-16T00:00:00.000Z', fraction: '0.5' } },
      {
        model: 'flat_fee',
        amount: '15.00',
        trial: undefined,
        proration: { from: '2026-04-16T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z', fraction: '0.5' },
      },
      { model: 'per_unit', amount: '2.50', trial: undefined, proration: undefined },
    ]);
    expect(invoices[1].line_items.filter((line) => line.trial)).toEqual([]);
    expect(invoices[1].line_items[0]).toMatchObject({ model: 'flat_fee', amount: '30.00' });
  });

  it('shows the upcoming invoice (not stored, no number) as of the clock', async () => {
    const clock = await newClock('2026-06-01T00:00:00Z');
    const customer = await neighbours.cycledCustomer({ interval: 'month', startDate: '2026-06-01T00:00:00.000Z', fee: '30.00', testClock: clock.id });
    await advance(clock.id, '2026-06-11T00:00:00Z');
    const upcoming = expectStatus(await sut.api('GET', `/v1/customers/${customer.id}/upcoming-invoice`), 200).body;
    expect(upcoming).toMatchObject({
      customer_id: customer.id,
      period_start: '2026-06-01T00:00:00.000Z',
      period_end: '2026-06-11T00:00:00.000Z',
      total_amount: '10.00',
    });
    expect(upcoming.id).toBeUndefined();
    expect(await invoicesOf(customer.id)).toHaveLength(0);
    expect((await sut.api('GET', '/v1/customers/cust_nobody/upcoming-invoice')).status).toBe(404);
  });

  it('refuses to move a clock backwards (422 naming frozen_time) and answers 404 for an unknown clock', async () => {
    const clock = await newClock('2026-01-01T00:00:00Z');
    const backwards = await sut.api('POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: '2025-12-31T00:00:00Z' });
    expect([backwards.status, backwards.body.code, backwards.body.errors?.[0]?.field]).toEqual([422, 'test_clock_not_forward', 'frozen_time']);
    expect((await sut.api('POST', '/v1/test-clocks/clock_nothing/advance', { frozen_time: '2027-01-01T00:00:00Z' })).status).toBe(404);
    expect((await sut.api('POST', '/v1/test-clocks', { frozen_time: 'yesterday' })).status).toBe(400);
  });
});
