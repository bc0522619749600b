import { pollUntil } from '@abaxus/platform/testing/poll-until';
import type { TestEngine } from '@abaxus/testing/test-engine';
import { BillingScenario, expectStatus, uniqueId } from '@abaxus/testing/invoicing/billing-scenario.factory';

/*
 * A subscription's plan change and late usage through the gateway, on a test clock, with real
 * pricing and aggregation: run by the embedded and the Kafka suites alike.
 */

const tiers = (first: string, rest: string) => [
  { up_to: 100, unit_amount: first },
  { up_to: null, unit_amount: rest },
];

export function planChangeScenario(engineOf: () => TestEngine): void {
  it('subscribe monthly, upgrade on Jan 11, advance past Feb 1: one invoice with two phase groups; late usage → an adjustment on the next; a duplicate → nothing', async () => {
    const engine = engineOf();
    const scenario = new BillingScenario(engine);
    const metricKey = await scenario.metric();
    const plan = async (fee: string, first: string, rest: string) => {
      const id = uniqueId('plan');
      const charges = [
        { model: 'flat_fee', properties: { amount: fee } },
        { metric_key: metricKey, model: 'tiered', properties: { tiers: tiers(first, rest) } },
      ];
      expectStatus(await engine.api('POST', '/v1/price-plans', { id, currency: 'USD', billing_interval: 'month', charges }), 201);
      return id;
    };
    const basic = await plan('10.00', '0.10', '0.05');
    const pro = await plan('100.00', '0.05', '0.01');
    const customerId = await scenario.customer();
    const clock = expectStatus(await engine.api('POST', '/v1/test-clocks', { frozen_time: '2026-01-01T00:00:00Z' }), 201).body;
    const subscription = expectStatus(
      await engine.api('POST', '/v1/subscriptions', { customer_id: customerId, plan_id: basic, start_date: '2026-01-01T00:00:00Z', test_clock: clock.id }),
      201,
    ).body;
    const advance = async (to: string) => {
      expectStatus(await engine.api('POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: to }), 200);
      await pollUntil(
        async () => {
          const status = (await engine.api('GET', `/v1/test-clocks/${clock.id}`)).body.status;
          if (status !== 'ready') throw new Error(`clock ${clock.id} is ${status}`);
        },
        { timeoutMs: 60_000 },
      );
    };
    const event = (timestamp: string, value: string, idempotencyKey = uniqueId('evt')) => ({
      customer_id: customerId,
      subscription_id: subscription.id,
      metric_key: metricKey,
      value,
      timestamp,
      idempotency_key: idempotencyKey,
    });
    const send = async (events: Array<Record<string, unknown>>) => {
      const response = expectStatus(await engine.api('POST', '/v1/events/batch', { events }), 207);
      expect((response.body.results as Array<{ status: number }>).map((result) => result.status)).toEqual(events.map(() => 202));
    };
    const invoices = async () => (await engine.api('GET', `/v1/invoices?customer_id=${customerId}`)).body.data.reverse();

    // 150 calls on the basic plan, then the upgrade at the clock's now (Jan 11).
    const billedEvent = event('2026-01-05T10:00:00Z', '150');
    await send([billedEvent]);
    await advance('2026-01-11T00:00:00Z');
    const changed = expectStatus(await engine.api('POST', `/v1/subscriptions/${subscription.id}/change`, { plan_id: pro }), 200).body;
    const basicPhase = { plan_id: basic, plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: '2026-01-11T00:00:00.000Z' };
    const proPhase = { plan_id: pro, plan_version: 1, start: '2026-01-11T00:00:00.000Z', end: null };
    expect(changed).toMatchObject({
      id: subscription.id,
      plan_id: pro,
      plan_version: 1,
      current_period_end: '2026-02-01T00:00:00.000Z',
      phases: [basicPhase, proPhase],
    });

    // 150 calls on the pro plan: tiers count per phase (each phase starts its tiers at zero).
    await advance('2026-01-21T00:00:00Z');
    const lateKey = uniqueId('evt');
    await send([event('2026-01-20T10:00:00Z', '150')]);
    await advance('2026-02-01T01:00:00Z');
    const [january, ...none] = await invoices();
    expect(none).toEqual([]);
    // Basic: 10.00 × 10/31 = 3.23; 100 × 0.10 + 50 × 0.05 = 12.50. Pro: 100 − 32.26 = 67.74 (the cumulative rule); 100 × 0.05 + 50 × 0.01 = 5.50.
    expect(january).toMatchObject({ period_start: '2026-01-01T00:00:00.000Z', period_end: '2026-02-01T00:00:00.000Z', total_amount: '88.97' });
    expect(january.line_groups.map((group: { phase: unknown; amount: string }) => [group.phase, group.amount])).toEqual([
      [basicPhase, '15.73'],
      [proPhase, '73.24'],
    ]);
    expect(
      january.line_items.map((line: { model: string; quantity: string; amount: string; phase: { plan_id: string } }) => [
        line.phase.plan_id,
        line.model,
        line.quantity,
        line.amount,
      ]),
    ).toEqual([
      [basic, 'flat_fee', '1', '3.23'],
      [basic, 'tiered', '150', '12.50'],
      [pro, 'flat_fee', '1', '67.74'],
      [pro, 'tiered', '150', '5.50'],
    ]);

    // 50 calls of Jan 25 arrive now, after January was invoiced and its grace passed.
    await send([event('2026-01-25T10:00:00Z', '50', lateKey)]);
    // The upcoming invoice already shows it.
    const upcoming = expectStatus(await engine.api('GET', `/v1/customers/${customerId}/upcoming-invoice`), 200).body;
    expect(upcoming.line_items.filter((line: { adjustment?: unknown }) => line.adjustment).map((line: { amount: string }) => line.amount)).toEqual(['0.50']);
    await advance('2026-03-01T01:00:00Z');
    const february = (await invoices())[1];
    expect(february.line_items.filter((line: { adjustment?: unknown }) => line.adjustment)).toEqual([
      {
        subscription_id: subscription.id,
        metric_key: metricKey,
        model: 'tiered',
        quantity: '50',
        amount: '0.50',
        phase: proPhase,
        adjustment: {
          invoice_id: january.id,
          invoice_number: january.number,
          period_start: '2026-01-01T00:00:00.000Z',
          period_end: '2026-02-01T00:00:00.000Z',
          invoiced_amount: '5.50',
          repriced_amount: '6.00',
          calculation_id: expect.stringMatching(/^calc_/),
        },
      },
    ]);
    // February on pro without usage (100.00 and a zero usage line) plus the adjustment.
    expect(february.total_amount).toBe('100.50');

    // Duplicates of events already billed (on the first invoice, and by the adjustment) are counted nowhere.
    await send([billedEvent, event('2026-01-25T10:00:00Z', '50', lateKey)]);
    await advance('2026-04-01T01:00:00Z');
    const march = (await invoices())[2];
    expect(march.line_items.some((line: { adjustment?: unknown }) => line.adjustment)).toBe(false);
    expect(march.total_amount).toBe('100.00');
    // The issued January invoice is unchanged.
    expect((await engine.api('GET', `/v1/invoices/${january.id}`)).body).toMatchObject({ total_amount: '88.97', line_items: january.line_items });
  });
}
