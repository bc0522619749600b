import { Client } from 'pg';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { BillingScenario, expectStatus, uniqueId } from '@abaxus/testing/invoicing/billing-scenario.factory';
import { InvoiceEventListener, listenToInvoiceEvents } from '@abaxus/testing/invoicing/invoice-event-listener';

/* Issuing, reading, listing and archiving invoices through the gateway (Kafka bus). */
describe('invoices (kafka)', () => {
  let engine: TestEngine;
  let scenario: BillingScenario;
  let listener: InvoiceEventListener;
  let db: Client;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'kafka' });
    scenario = new BillingScenario(engine);
    listener = await listenToInvoiceEvents(engine, 'kafka');
    db = new Client({ connectionString: engine.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await listener?.stop();
    await engine?.stop();
  });

  const issue = (customerId: string, cutoff: string, extra: Record<string, unknown> = {}) =>
    engine.api('POST', '/v1/invoices', { customer_id: customerId, cutoff_date: cutoff, ...extra });
  const invoiceRows = async (customerId: string) =>
    (await db.query('SELECT count(*)::int AS n FROM invoicing.invoices WHERE customer_id = $1', [customerId])).rows[0].n as number;

  it('issues a first invoice from the subscription start to the cutoff, as a snapshot of stored calculations', async () => {
    const setup = await scenario.customerWithUsage({ units: '20' });
    const response = expectStatus(await issue(setup.customerId, '2026-04-01T00:00:00Z'), 201);
    expect(response.body).toMatchObject({
      id: expect.stringMatching(/^inv_/),
      number: expect.stringMatching(/^INV-\d{6}$/),
      customer_id: setup.customerId,
      status: 'issued',
      currency: 'USD',
      period_start: '2026-01-01T00:00:00.000Z',
      period_end: '2026-04-01T00:00:00.000Z',
      total_amount: '127.50',
      line_groups: [
        {
          subscription_id: setup.subscriptionId,
          plan_id: setup.planId,
          plan_version: 1,
          period_start: '2026-01-01T00:00:00.000Z',
          period_end: '2026-04-01T00:00:00.000Z',
          calculation_id: expect.stringMatching(/^calc_/),
          amount: '127.50',
        },
      ],
      line_items: [{ subscription_id: setup.subscriptionId, metric_key: setup.metricKey, model: 'tiered', quantity: '20', amount: '127.50' }],
      sent_at: null,
      paid_at: null,
      payment_intent: null,
      payment_attempts: [],
    });
    expect(response.body.calculation_ids).toEqual([response.body.line_groups[0].calculation_id]);
    const calculation = expectStatus(await engine.api('GET', `/v1/pricing/calculations/${response.body.calculation_ids[0]}`), 200);
    expect(calculation.body).toMatchObject({ subscription_id: setup.subscriptionId, total_amount: '127.50' });

    const read = expectStatus(await engine.api('GET', `/v1/invoices/${response.body.id}`), 200);
    expect(read.body).toEqual(response.body);
    await pollUntil(async () =>
      expect(listener.events.find((event) => event.envelope.data.invoice_id === response.body.id)).toMatchObject({
        key: setup.customerId,
        envelope: { type: 'invoice.issued', data: { number: response.body.number, status: 'issued', total_amount: '127.50', currency: 'USD' } },
      }),
    );
  });

  it('starts the next invoice where the previous one ended, and never changes an issued one', async () => {
    const setup = await scenario.customerWithUsage({ units: '6' });
    const first = expectStatus(await issue(setup.customerId, '2026-03-20T00:00:00Z'), 201);
    await scenario.usage(setup, [
      ['2026-03-10T00:00:00Z', '100'], // late event inside the invoiced period: billed by the next invoice, the issued one stays as it is
      ['2026-03-25T00:00:00Z', '14'],
    ]);
    const second = expectStatus(await issue(setup.customerId, '2026-04-01T00:00:00Z'), 201);
    expect(second.body).toMatchObject({
      period_start: '2026-03-20T00:00:00.000Z',
      period_end: '2026-04-01T00:00:00.000Z',
      line_items: [
        { quantity: '14' },
        { quantity: '100', adjustment: { invoice_id: first.body.id, invoice_number: first.body.number, period_end: '2026-03-20T00:00:00.000Z' } },
      ],
    });
    expect(Number(second.body.number.slice(4))).toBeGreaterThan(Number(first.body.number.slice(4)));
    const reread = expectStatus(await engine.api('GET', `/v1/invoices/${first.body.id}`), 200);
    expect(reread.body).toEqual(first.body);
    await expect(db.query(`UPDATE invoicing.invoices SET total_amount = 1 WHERE id = $1`, [first.body.id])).rejects.toThrow('immutable');
  });

  it('refuses a zero total with 422 zero_amount_invoice and writes nothing', async () => {
    const setup = await scenario.customerWithUsage({
      charge: (metricKey) => ({ metric_key: metricKey, model: 'per_unit', properties: { unit_amount: '0.01' } }),
    });
    const response = await issue(setup.customerId, '2026-04-01T00:00:00Z');
    expect([response.status, response.body.code]).toEqual([422, 'zero_amount_invoice']);
    expect(await invoiceRows(setup.customerId)).toBe(0);
    // The period stays open: usage added later is invoiced from the subscription start.
    await scenario.usage(setup, [['2026-02-01T00:00:00Z', '100']]);
    expect(expectStatus(await issue(setup.customerId, '2026-04-01T00:00:00Z'), 201).body).toMatchObject({
      period_start: '2026-01-01T00:00:00.000Z',
      total_amount: '1.00',
    });
  });

  it('refuses bad cutoffs, unknown customers and customers without subscriptions', async () => {
    const setup = await scenario.customerWithUsage({ units: '6' });
    const future = await issue(setup.customerId, new Date(Date.now() + 3_600_000).toISOString());
    expect([future.status, future.body.code]).toEqual([422, 'cutoff_in_future']);
    expectStatus(await issue(setup.customerId, '2026-03-20T00:00:00Z'), 201);
    const before = await issue(setup.customerId, '2026-03-01T00:00:00Z');
    expect([before.status, before.body.code]).toEqual([422, 'cutoff_not_after_period_start']);
    const again = await issue(setup.customerId, '2026-03-20T00:00:00Z');
    expect([again.status, again.body.code]).toEqual([409, 'already_invoiced']);
    const beforeStart = await issue((await scenario.customerWithUsage({ units: '6' })).customerId, '2025-12-01T00:00:00Z');
    expect([beforeStart.status, beforeStart.body.code]).toEqual([422, 'no_active_subscription']);

    const unknown = await issue(uniqueId('cust'), '2026-03-01T00:00:00Z');
    expect(unknown.status).toBe(404);
    const lonely = await scenario.customer();
    const none = await issue(lonely, '2026-03-01T00:00:00Z');
    expect([none.status, none.body.code]).toEqual([422, 'no_active_subscription']);
    const invalid = await engine.api('POST', '/v1/invoices', { customer_id: lonely, cutoff_date: 'yesterday', memo: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['cutoff_date', 'memo']);
    expect(await invoiceRows(lonely)).toBe(0);
  });

  it('covers each subscription of the customer with its own period, and asks which currency when they differ', async () => {
    const usd = await scenario.customerWithUsage({ units: '6' });
    const metricKey = await scenario.metric();
    const eurPlan = await scenario.plan([{ metric_key: metricKey, model: 'per_unit', properties: { unit_amount: '2' } }], 'EUR');
    const usdPlan = await scenario.plan([{ model: 'flat_fee', properties: { amount: '10' } }], 'USD');
    const eurSubscription = await scenario.subscription(usd.customerId, eurPlan, '2026-02-01T00:00:00Z');
    const secondUsd = await scenario.subscription(usd.customerId, usdPlan, '2026-03-15T00:00:00Z');
    await scenario.usage({ customerId: usd.customerId, subscriptionId: eurSubscription, metricKey }, [['2026-03-02T00:00:00Z', '3']]);

    const ambiguous = await issue(usd.customerId, '2026-04-01T00:00:00Z');
    expect([ambiguous.status, ambiguous.body.code, ambiguous.body.currencies]).toEqual([422, 'currency_required', ['EUR', 'USD']]);
    expect(ambiguous.body.detail).toContain('EUR, USD');

    const dollars = expectStatus(await issue(usd.customerId, '2026-04-01T00:00:00Z', { currency: 'USD' }), 201);
    expect(dollars.body).toMatchObject({ currency: 'USD', period_start: '2026-01-01T00:00:00.000Z', total_amount: '51.50' });
    expect(dollars.body.line_groups.map((group: { subscription_id: string; period_start: string }) => [group.subscription_id, group.period_start])).toEqual([
      [usd.subscriptionId, '2026-01-01T00:00:00.000Z'],
      [secondUsd, '2026-03-15T00:00:00.000Z'],
    ]);
    const euros = expectStatus(await issue(usd.customerId, '2026-04-01T00:00:00Z', { currency: 'EUR' }), 201);
    expect(euros.body).toMatchObject({
      currency: 'EUR',
      period_start: '2026-02-01T00:00:00.000Z',
      total_amount: '6.00',
      line_groups: [{ subscription_id: eurSubscription }],
    });
    const other = await issue(usd.customerId, '2026-04-01T00:00:00Z', { currency: 'GBP' });
    expect([other.status, other.body.code]).toEqual([422, 'no_active_subscription']);
  });

  it('lets only one of two concurrent requests for a customer through (409 for the other), with gapless numbers', async () => {
    for (let round = 0; round < 3; round += 1) {
      const setup = await scenario.customerWithUsage({ units: '6' });
      const answers = await Promise.all([issue(setup.customerId, '2026-04-01T00:00:00Z'), issue(setup.customerId, '2026-04-01T00:00:00Z')]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
      expect(await invoiceRows(setup.customerId)).toBe(1);
    }
    const numbers = (await db.query('SELECT number FROM invoicing.invoices ORDER BY sequence')).rows.map((row: { number: string }) =>
      Number(row.number.slice(4)),
    );
    expect(numbers).toEqual(numbers.map((_, index) => index + 1));
  });

  it('lists invoices newest first, filtered by customer and status, page by page', async () => {
    const setup = await scenario.customerWithUsage({ units: '6' });
    const ids: string[] = [];
    for (const cutoff of ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-03-20T00:00:00Z']) {
      await scenario.usage(setup, [[new Date(Date.parse(cutoff) - 86_400_000).toISOString(), '1']]);
      ids.push(expectStatus(await issue(setup.customerId, cutoff), 201).body.id);
    }
    expectStatus(await engine.api('POST', `/v1/invoices/${ids[0]}/archive`), 200);

    const first = expectStatus(await engine.api('GET', `/v1/invoices?customer_id=${setup.customerId}&limit=2`), 200);
    expect(first.body.data.map((invoice: { id: string }) => invoice.id)).toEqual([ids[2], ids[1]]);
    expect([first.body.has_more, first.body.next_cursor]).toEqual([true, ids[1]]);
    const second = expectStatus(await engine.api('GET', `/v1/invoices?customer_id=${setup.customerId}&limit=2&starting_after=${ids[1]}`), 200);
    expect(second.body).toMatchObject({ data: [{ id: ids[0], status: 'archived' }], has_more: false, next_cursor: null });
    const issued = expectStatus(await engine.api('GET', `/v1/invoices?customer_id=${setup.customerId}&status=issued`), 200);
    expect(issued.body.data.map((invoice: { id: string }) => invoice.id)).toEqual([ids[2], ids[1]]);

    const badStatus = await engine.api('GET', '/v1/invoices?status=draft');
    expect([badStatus.status, badStatus.body.errors[0].field]).toEqual([400, 'status']);
    const badCursor = await engine.api('GET', '/v1/invoices?starting_after=inv_missing');
    expect([badCursor.status, badCursor.body.errors[0].field]).toEqual([400, 'starting_after']);
    const badLimit = await engine.api('GET', '/v1/invoices?limit=501');
    expect([badLimit.status, badLimit.body.errors[0].field]).toEqual([400, 'limit']);
  });

  it('voids an issued invoice (number kept) and bills its period again on the next one; a cancel back-dated into an invoiced period is refused', async () => {
    const setup = await scenario.customerWithUsage({ units: '6' });
    const first = expectStatus(await issue(setup.customerId, '2026-04-01T00:00:00Z'), 201).body;
    const canceledBack = await engine.api('POST', `/v1/subscriptions/${setup.subscriptionId}/cancel`, { at: '2026-03-15T00:00:00Z' });
    expect([canceledBack.status, canceledBack.body.code, canceledBack.body.errors?.map((error: { field: string }) => error.field)]).toEqual([
      422,
      'period_already_invoiced',
      ['at'],
    ]);

    const voided = expectStatus(await engine.api('POST', `/v1/invoices/${first.id}/void`), 200).body;
    expect(voided).toMatchObject({ id: first.id, number: first.number, status: 'voided' });
    const again = expectStatus(await issue(setup.customerId, '2026-05-01T00:00:00Z'), 201).body;
    expect(again).toMatchObject({ period_start: first.period_start, period_end: '2026-05-01T00:00:00.000Z', total_amount: first.total_amount });
    expect(Number(again.number.slice(4))).toBeGreaterThan(Number(first.number.slice(4)));
    expect((await engine.api('POST', `/v1/invoices/${first.id}/void`)).body.code).toBe('invalid_transition');
    await pollUntil(async () =>
      expect(listener.events.filter((event) => event.envelope.data.invoice_id === first.id).map((event) => event.envelope.type)).toEqual([
        'invoice.issued',
        'invoice.voided',
      ]),
    );
  });

  it('archives issued invoices once, refuses other moves with 409, and keeps every transition in the history', async () => {
    const setup = await scenario.customerWithUsage({ units: '6' });
    const invoice = expectStatus(await issue(setup.customerId, '2026-04-01T00:00:00Z'), 201).body;
    const unknownField = await engine.api('POST', `/v1/invoices/${invoice.id}/archive`, { bogus: 1 });
    expect([unknownField.status, unknownField.body.code, unknownField.body.errors]).toEqual([
      400,
      'validation_failed',
      [{ field: 'bogus', message: 'is not a known field' }],
    ]);
    expect(expectStatus(await engine.api('GET', `/v1/invoices/${invoice.id}`), 200).body.status).toBe('issued');
    const archived = expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/archive`), 200);
    expect(archived.body).toMatchObject({ id: invoice.id, status: 'archived', archived_at: expect.any(String), total_amount: '41.50' });
    const twice = await engine.api('POST', `/v1/invoices/${invoice.id}/archive`);
    expect([twice.status, twice.body.code]).toEqual([409, 'invalid_transition']);
    expect((await engine.api('POST', '/v1/invoices/inv_missing/archive')).status).toBe(404);
    expect((await engine.api('GET', '/v1/invoices/inv_missing')).status).toBe(404);

    const history = await db.query('SELECT action, from_status, to_status FROM invoicing.invoice_history WHERE invoice_id = $1 ORDER BY id', [invoice.id]);
    expect(history.rows).toEqual([
      { action: 'issue', from_status: null, to_status: 'issued' },
      { action: 'archive', from_status: 'issued', to_status: 'archived' },
    ]);
    await pollUntil(async () =>
      expect(listener.events.filter((event) => event.envelope.data.invoice_id === invoice.id).map((event) => event.envelope.type)).toEqual([
        'invoice.issued',
        'invoice.archived',
      ]),
    );
  });
});
