import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import type { InvoiceJson } from '../invoices/invoice-json';
import { expectStatus } from '../testing/expect-status';
import { InvoicingNeighbourStubs } from '../testing/neighbour-stubs';
import { InvoicingAppModule } from '../invoicing-app.module';

/*
 * Single-service tier: a subscription that changed plan mid-cycle is invoiced per phase, and usage
 * that arrives late for an invoiced period is billed as adjustment lines on the next invoice.
 * Catalog, pricing and aggregation are stubs (pricing answers per plan version asked); the
 * catalog's subscription events go on the service's real bus; time is a test clock.
 */
describe('plan phases and late usage on cycle invoices (service alone)', () => {
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;

  beforeAll(async () => {
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), {
      stub: ['catalog', 'pricing', 'aggregation'],
      env: { ABAXUS_BILLING_RUN_INTERVAL_MS: '0' },
    });
    neighbours = new InvoicingNeighbourStubs(sut);
  });

  afterAll(() => sut?.stop());

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

  it('bills an upgrade on Jan 11 as two phase groups, then late usage of January as adjustments (a charge, then a credit) naming the invoice', async () => {
    const clock = expectStatus(await sut.api('POST', '/v1/test-clocks', { frozen_time: '2026-01-05T00:00:00Z' }), 201).body;
    const customer = await neighbours.cycledCustomer({ interval: 'month', startDate: '2026-01-01T00:00:00.000Z', fee: '10.00', testClock: clock.id });
    const pro = `${customer.planId}_pro`;
    const basicPhase = { plan_id: customer.planId, plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: '2026-01-11T00:00:00.000Z' };
    const proPhase = { plan_id: pro, plan_version: 1, start: '2026-01-11T00:00:00.000Z', end: null };
    await neighbours.changePlan(customer.id, [
      { ...basicPhase, fee: '10.00', usageAmount: '1.00' },
      { ...proPhase, fee: '100.00', usageAmount: '2.00' },
    ]);

    await advance(clock.id, '2026-02-01T01:00:00Z');
    const [january] = await invoicesOf(customer.id);
    // January has 31 days: 10 for basic (10.00 × 10/31 = 3.2258… → 3.23), 21 for pro (100 − round(100 × 10/31) = 67.74).
    expect(january.total_amount).toBe('73.97');
    expect(january.line_groups.map((group) => [group.plan_id, group.period_start, group.period_end, group.amount, group.phase])).toEqual([
      [customer.planId, '2026-01-01T00:00:00.000Z', '2026-01-11T00:00:00.000Z', '4.23', basicPhase],
      [pro, '2026-01-11T00:00:00.000Z', '2026-02-01T00:00:00.000Z', '69.74', proPhase],
    ]);
    expect(january.line_items).toEqual([
      {
        subscription_id: customer.subscriptionId,
        metric_key: null,
        model: 'flat_fee',
        quantity: '1',
        amount: '3.23',
        proration: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-11T00:00:00.000Z', fraction: '0.322580645161' },
        phase: basicPhase,
      },
      { subscription_id: customer.subscriptionId, metric_key: 'api_calls', model: 'per_unit', quantity: '1', amount: '1.00', phase: basicPhase },
      {
        subscription_id: customer.subscriptionId,
        metric_key: null,
        model: 'flat_fee',
        quantity: '1',
        amount: '67.74',
        proration: { from: '2026-01-11T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z', fraction: '0.677419354839' },
        phase: proPhase,
      },
      { subscription_id: customer.subscriptionId, metric_key: 'api_calls', model: 'per_unit', quantity: '1', amount: '2.00', phase: proPhase },
    ]);
    // Each phase priced by its own plan version over its own part of the cycle.
    const asked = sut.stubs.pricing!.received('POST /v1/pricing/calculate').filter((request) => request.body.subscription_id === customer.subscriptionId);
    expect(asked.map((request) => [request.body.plan_id, request.body.period_start, request.body.period_end])).toEqual([
      [customer.planId, '2026-01-01T00:00:00.000Z', '2026-01-11T00:00:00.000Z'],
      [pro, '2026-01-11T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ]);

    // Usage of the pro phase arrives late for January: re-priced 5.00 where 2.00 was invoiced.
    neighbours.repricePlan(pro, '5.00');
    neighbours.lateUsage(customer.subscriptionId, ['2026-01-01T00:00:00Z']);
    await advance(clock.id, '2026-03-01T01:00:00Z');
    const february = (await invoicesOf(customer.id))[1];
    const adjustment = {
      invoice_id: january.id,
      invoice_number: january.number,
      period_start: '2026-01-01T00:00:00.000Z',
      period_end: '2026-02-01T00:00:00.000Z',
    };
    expect(february.line_items.filter((line) => line.adjustment)).toEqual([
      {
        subscription_id: customer.subscriptionId,
        metric_key: 'api_calls',
        model: 'per_unit',
        quantity: '0',
        amount: '3.00',
        phase: proPhase,
        adjustment: { ...adjustment, invoiced_amount: '2.00', repriced_amount: '5.00', calculation_id: expect.stringMatching(/^calc_/) },
      },
    ]);
    expect(february.line_groups.find((group) => group.adjustment)).toMatchObject({
      adjustment: { invoice_id: january.id, invoice_number: january.number },
      amount: '3.00',
    });
    // February itself: the pro plan's whole cycle and usage, plus the adjustment.
    expect(february.total_amount).toBe('108.00');

    // A lower figure later (some usage was a mistake and was never meant to count): a credit of what was billed beyond it.
    neighbours.repricePlan(pro, '4.00');
    await advance(clock.id, '2026-04-01T01:00:00Z');
    const march = (await invoicesOf(customer.id))[2];
    expect(
      march.line_items.filter((line) => line.adjustment).map((line) => [line.amount, line.adjustment!.invoiced_amount, line.adjustment!.repriced_amount]),
    ).toEqual([['-1.00', '5.00', '4.00']]);

    // Nothing late any more: no adjustment; the issued invoices were never changed.
    neighbours.lateUsage(customer.subscriptionId, []);
    await advance(clock.id, '2026-05-01T01:00:00Z');
    const invoices = await invoicesOf(customer.id);
    expect(invoices).toHaveLength(4);
    expect(invoices[3].line_items.some((line) => line.adjustment)).toBe(false);
    expect(invoices[0]).toEqual({ ...january, payment_attempts: [], collection: invoices[0].collection });
    expect(invoices[1].total_amount).toBe('108.00');
  });
});
