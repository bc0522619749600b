import { Client } from 'pg';
import { TOPICS } from '@abaxus/contracts/topics';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { TestClock } from '@abaxus/platform/testing/test-clock';
import { ServiceUnderTest, startServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import type { InvoiceJson } from '../invoices/invoice-json';
import { StripePaymentsClient } from '../payments/stripe-payments.client';
import { expectStatus } from '../testing/expect-status';
import { FakeStripeServer } from '../testing/fake-stripe-server';
import { InvoicingNeighbourStubs, restartOnSameDatabase } from '../testing/neighbour-stubs';
import { pdfText } from '../testing/pdf-text';
import { SmtpTestServer } from '../testing/smtp-test-server';
import { InvoicingAppModule } from '../invoicing-app.module';
import type { CreditNoteJson } from './credit-note-json';
import { refundIdempotencyKey } from './credit-notes.service';

/*
 * Single-service tier: credit notes (API.md Part II §6) on a real PostgreSQL, with refunds through
 * the real Stripe SDK against the Stripe-shaped test server; catalog and pricing stubbed.
 */
describe('credit notes (service alone)', () => {
  let stripe: FakeStripeServer;
  let smtp: SmtpTestServer;
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;
  let db: Client;
  let events: TopicRecorder;
  const env = () => ({
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_URL: stripe.url,
    STRIPE_WEBHOOK_SECRET: 'whsec_test_abaxus',
    STRIPE_TIMEOUT_MS: '1000',
    ABAXUS_BILLING_RUN_INTERVAL_MS: '0',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'invoices@abaxus.test',
  });

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    smtp = await new SmtpTestServer().start();
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), { stub: ['catalog', 'pricing'], env: env() });
    neighbours = new InvoicingNeighbourStubs(sut);
    events = await sut.listen(TOPICS.invoiceEvents);
    db = new Client({ connectionString: sut.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await sut?.stop();
    await stripe?.stop();
    await smtp?.stop();
  });

  afterEach(() => stripe.respondAfter(0));

  const twoLines = [
    { metric_key: 'api_calls', model: 'per_unit' as const, quantity: '1000', amount: '30.00' },
    { metric_key: null, model: 'flat_fee' as const, quantity: '1', amount: '20.00' },
  ];
  const issue = async (options: { amount?: string; currency?: string; lineItems?: typeof twoLines } = {}): Promise<InvoiceJson> => {
    const customer = neighbours.customer({ amount: options.amount ?? '50.00', currency: options.currency, lineItems: options.lineItems });
    return expectStatus(await sut.api('POST', '/v1/invoices', { customer_id: customer.id, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
  };
  const paid = async (options: Parameters<typeof issue>[0] = {}): Promise<InvoiceJson> => {
    const invoice = await issue(options);
    expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/charge`), 200);
    return getInvoice(invoice.id);
  };
  const credit = (invoiceId: string, body: Record<string, unknown>) => sut.api('POST', `/v1/invoices/${invoiceId}/credit-notes`, body);
  const getInvoice = async (id: string): Promise<InvoiceJson> => expectStatus(await sut.api('GET', `/v1/invoices/${id}`), 200).body;
  const sequences = async () => (await db.query('SELECT sequence::int AS s FROM invoicing.credit_notes ORDER BY sequence')).rows.map((row) => row.s as number);
  const refundsOf = (paymentIntent: string) => [...stripe.refunds.values()].filter((refund) => refund.payment_intent === paymentIntent);

  it('lowers the amount due of an issued invoice, charges what is left, and numbers notes CN-… from their own counter', async () => {
    const invoice = await issue({ lineItems: twoLines });
    expect(invoice).not.toHaveProperty('amount_due');
    expect(invoice).not.toHaveProperty('credited_amount');

    const note = expectStatus(await credit(invoice.id, { amount: '10.00', reason: 'order_change', refund: false, memo: 'Seats reduced' }), 201)
      .body as CreditNoteJson;
    expect(note).toMatchObject({
      id: expect.stringMatching(/^cn_[0-9a-f]{24}$/),
      number: expect.stringMatching(/^CN-\d{6}$/),
      invoice_id: invoice.id,
      invoice_number: invoice.number,
      customer_id: invoice.customer_id,
      currency: 'USD',
      amount: '10.00',
      reason: 'order_change',
      memo: 'Seats reduced',
      settlement: 'amount_due',
      line_items: [],
      refund: null,
    });
    const line = expectStatus(await credit(invoice.id, { line_items: [{ line_item_id: 'li_0', amount: '5.50' }], reason: 'other', refund: false }), 201).body;
    expect(line.line_items).toEqual([{ line_item_id: 'li_0', metric_key: 'api_calls', model: 'per_unit', line_amount: '30.00', amount: '5.50' }]);
    expect(Number(line.number.slice(3))).toBe(Number(note.number.slice(3)) + 1);

    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'issued', total_amount: '50.00', credited_amount: '15.50', amount_due: '34.50' });
    expect(expectStatus(await sut.api('GET', `/v1/credit-notes/${note.id}`), 200).body).toEqual(note);
    expect(expectStatus(await sut.api('GET', `/v1/invoices/${invoice.id}/credit-notes`), 200).body).toMatchObject({
      data: [{ id: line.id }, { id: note.id }],
      has_more: false,
    });
    const firstPage = expectStatus(await sut.api('GET', `/v1/credit-notes?customer_id=${invoice.customer_id}&limit=1`), 200).body;
    expect(firstPage).toMatchObject({ data: [{ id: line.id }], has_more: true, next_cursor: line.id });
    expect(expectStatus(await sut.api('GET', `/v1/credit-notes?customer_id=${invoice.customer_id}&limit=1&starting_after=${line.id}`), 200).body).toMatchObject(
      {
        data: [{ id: note.id }],
        has_more: false,
      },
    );

    expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/charge`), 200);
    const charged = stripe.creations().filter((request) => request.form['metadata[invoice_id]'] === invoice.id);
    expect(charged.map((request) => request.form.amount)).toEqual(['3450']);
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', credited_amount: '15.50', amount_due: '34.50' });

    await pollUntil(async () =>
      expect(
        events.messages
          .map((message) => JSON.parse(message.value))
          .filter((event) => event.data.invoice_id === invoice.id)
          .map((event) => event.type),
      ).toEqual(['invoice.issued', 'credit_note.issued', 'credit_note.issued', 'invoice.paid']),
    );
    const fact = events.messages.map((message) => JSON.parse(message.value)).find((event) => event.data.credit_note_id === note.id);
    expect(fact).toMatchObject({
      type: 'credit_note.issued',
      data: { number: note.number, invoice_number: invoice.number, customer_id: invoice.customer_id, amount: '10.00', settlement: 'amount_due' },
    });
  });

  it('refuses to void an invoice that has credit notes (409 invoice_credited)', async () => {
    const invoice = await issue();
    expectStatus(await credit(invoice.id, { amount: '1.00', reason: 'other', refund: false }), 201);
    expect(expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/void`), 409).body.code).toBe('invoice_credited');
    expect((await getInvoice(invoice.id)).status).toBe('issued');
  });

  it('marks an invoice credited down to zero paid without calling Stripe', async () => {
    const invoice = await issue({ amount: '12.00' });
    expectStatus(await credit(invoice.id, { amount: '12', reason: 'duplicate', refund: false }), 201);
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', credited_amount: '12.00', amount_due: '0.00', payment_intent: null });
    expect(stripe.creations().filter((request) => request.form['metadata[invoice_id]'] === invoice.id)).toEqual([]);
    expect(expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/charge`), 409).body.code).toBe('invalid_transition');
  });

  it('never credits more than is left of the invoice (422) or of a line, and refuses malformed amounts (400) naming the field', async () => {
    const invoice = await issue({ lineItems: twoLines });
    expectStatus(await credit(invoice.id, { amount: '45.00', reason: 'other', refund: false }), 201);
    expect(expectStatus(await credit(invoice.id, { amount: '5.01', reason: 'other', refund: false }), 422).body).toMatchObject({
      code: 'credit_exceeds_remaining',
      errors: [{ field: 'amount' }],
    });
    expect(
      expectStatus(await credit(invoice.id, { line_items: [{ line_item_id: 'li_1', amount: '20.01' }], reason: 'other', refund: false }), 422).body,
    ).toMatchObject({
      code: 'line_credit_exceeds_remaining',
      errors: [{ field: 'line_items[0].amount' }],
    });
    for (const [body, field] of [
      [{ amount: '1.001', reason: 'other', refund: false }, 'amount'],
      [{ amount: '0', reason: 'other', refund: false }, 'amount'],
      [{ amount: '-1', reason: 'other', refund: false }, 'amount'],
      [{ amount: '1', line_items: [], reason: 'other', refund: false }, 'line_items'],
      [{ reason: 'other', refund: false }, 'amount'],
      [{ amount: '1', reason: 'because', refund: false }, 'reason'],
      [{ amount: '1', reason: 'other' }, 'refund'],
      [{ amount: '1', reason: 'other', refund: false, colour: 'red' }, 'colour'],
    ] as const) {
      const refused = expectStatus(await credit(invoice.id, body), 400).body;
      expect(refused.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    expect(await getInvoice(invoice.id)).toMatchObject({ credited_amount: '45.00', amount_due: '5.00' });
    expect(expectStatus(await credit('inv_unknown', { amount: '1', reason: 'other', refund: false }), 404).body.code).toBe('not_found');
  });

  it('leaves one of two concurrent notes that together exceed the total refused, and numbers 30 concurrent notes without gaps', async () => {
    const contested = await issue({ amount: '50.00' });
    const pair = await Promise.all([0, 1].map(() => credit(contested.id, { amount: '30.00', reason: 'duplicate', refund: false })));
    expect(pair.map((answer) => answer.status).sort()).toEqual([201, 422]);
    expect(await getInvoice(contested.id)).toMatchObject({ credited_amount: '30.00', amount_due: '20.00' });

    const before = (await sequences()).length;
    const invoices = await Promise.all(Array.from({ length: 3 }, () => issue({ amount: '100.00' })));
    // Ten 10.00 notes per invoice plus one that cannot fit: 30 issued, 3 refused, no number lost.
    const answers = await Promise.all(
      invoices.flatMap((invoice) => Array.from({ length: 11 }, () => credit(invoice.id, { amount: '10.00', reason: 'other', refund: false }))),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(30);
    expect(answers.filter((answer) => answer.status === 422).map((answer) => answer.body.code)).toEqual(Array(3).fill('credit_exceeds_remaining'));
    const all = await sequences();
    expect(all).toHaveLength(before + 30);
    expect(all).toEqual(all.map((_, index) => index + 1));
    for (const invoice of invoices) expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', credited_amount: '100.00', amount_due: '0.00' });
  });

  it('refuses notes on voided and archived invoices (409), a refund of an unpaid invoice, and refund: false on a paid one until a credit balance exists (422)', async () => {
    const voided = await issue();
    expectStatus(await sut.api('POST', `/v1/invoices/${voided.id}/void`), 200);
    expect(expectStatus(await credit(voided.id, { amount: '1', reason: 'other', refund: false }), 409).body.code).toBe('invoice_not_creditable');
    const archived = await issue();
    expectStatus(await sut.api('POST', `/v1/invoices/${archived.id}/archive`), 200);
    expect(expectStatus(await credit(archived.id, { amount: '1', reason: 'other', refund: false }), 409).body.code).toBe('invoice_not_creditable');

    const unpaid = await issue();
    expect(expectStatus(await credit(unpaid.id, { amount: '1', reason: 'other', refund: true }), 422).body).toMatchObject({
      code: 'nothing_to_refund',
      errors: [{ field: 'refund' }],
    });
    const settled = await paid();
    const refused = expectStatus(await credit(settled.id, { amount: '1', reason: 'other', refund: false }), 422).body;
    expect(refused).toMatchObject({ code: 'credit_balance_unavailable', errors: [{ field: 'refund', message: 'customer credit balance not available' }] });
    const zero = await issue({ amount: '3.00' });
    expectStatus(await credit(zero.id, { amount: '3.00', reason: 'other', refund: false }), 201);
    expect(expectStatus(await credit(zero.id, { amount: '1', reason: 'other', refund: true }), 422).body.code).toBe('credit_exceeds_remaining');
    expect(
      (await db.query('SELECT count(*)::int AS n FROM invoicing.credit_notes WHERE invoice_id = ANY($1)', [[voided.id, archived.id, unpaid.id, settled.id]]))
        .rows[0].n,
    ).toBe(0);
  });

  it('refunds a paid invoice through Stripe with the note’s idempotency key, partially and then the rest', async () => {
    const invoice = await paid({ amount: '50.00' });
    const first = expectStatus(await credit(invoice.id, { amount: '20.00', reason: 'product_unsatisfactory', refund: true }), 201).body as CreditNoteJson;
    expect(first).toMatchObject({
      settlement: 'refund',
      refund: {
        status: 'succeeded',
        amount: '20.00',
        payment_intent: invoice.payment_intent,
        stripe_refund_id: expect.stringMatching(/^re_/),
        failure_message: null,
      },
    });
    const request = stripe.refundCreations().find((sent) => sent.form['metadata[credit_note_id]'] === first.id)!;
    expect(request).toMatchObject({
      idempotencyKey: refundIdempotencyKey(first.id),
      form: { payment_intent: invoice.payment_intent, amount: '2000', reason: 'requested_by_customer' },
    });
    expectStatus(await credit(invoice.id, { amount: '30.00', reason: 'duplicate', refund: true }), 201);
    expect(refundsOf(invoice.payment_intent!).map((refund) => refund.amount)).toEqual([2000, 3000]);
    expect(stripe.refundable(invoice.payment_intent!)).toBe(0);
    expect(expectStatus(await credit(invoice.id, { amount: '0.01', reason: 'other', refund: true }), 422).body.code).toBe('credit_exceeds_remaining');
    // A paid invoice keeps what was due when it was paid.
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', credited_amount: '50.00', amount_due: '50.00' });
  });

  it('recovers a refund whose answer was lost by asking again with the same key: one Refund at Stripe under retries and concurrency', async () => {
    const invoice = await paid({ amount: '40.00' });
    // Stripe makes the refund at once but answers after the client's 1 s timeout.
    stripe.respondAfter(1_500);
    const note = expectStatus(await credit(invoice.id, { amount: '15.00', reason: 'duplicate', refund: true }), 201).body as CreditNoteJson;
    expect(note.refund).toMatchObject({
      status: 'pending',
      stripe_refund_id: null,
      failure_message: expect.stringContaining('Stripe did not settle the refund'),
    });
    expect(refundsOf(invoice.payment_intent!)).toHaveLength(1);
    stripe.respondAfter(0);

    const retries = await Promise.all(Array.from({ length: 5 }, () => sut.api('POST', `/v1/credit-notes/${note.id}/refund`)));
    for (const retry of retries)
      expect(expectStatus(retry, 200).body.refund).toMatchObject({ status: 'succeeded', stripe_refund_id: expect.stringMatching(/^re_/) });
    const [refund] = refundsOf(invoice.payment_intent!);
    expect(refundsOf(invoice.payment_intent!)).toEqual([expect.objectContaining({ id: refund.id, amount: 1500 })]);
    expect(
      new Set(
        stripe
          .refundCreations()
          .filter((sent) => sent.form['metadata[credit_note_id]'] === note.id)
          .map((sent) => sent.idempotencyKey),
      ),
    ).toEqual(new Set([refundIdempotencyKey(note.id)]));
    expect(expectStatus(await sut.api('GET', `/v1/credit-notes/${note.id}`), 200).body.refund).toMatchObject({
      status: 'succeeded',
      stripe_refund_id: refund.id,
    });
    // Settled: another retry does not ask Stripe again.
    const asked = stripe.refundCreations().length;
    expectStatus(await sut.api('POST', `/v1/credit-notes/${note.id}/refund`), 200);
    expect(stripe.refundCreations()).toHaveLength(asked);
  });

  it('recovers a process killed after recording the refund pending: the retry sends the same request, Stripe replays it', async () => {
    const invoice = await paid({ amount: '25.00' });
    stripe.respondAfter(1_500);
    const note = expectStatus(await credit(invoice.id, { amount: '25.00', reason: 'other', refund: true }), 201).body as CreditNoteJson;
    stripe.respondAfter(0);
    // The lost answer's request, sent again by another client with the same key and parameters, as a restarted process would.
    const again = await new StripePaymentsClient(loadConfig({ STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url })).refund({
      paymentIntent: invoice.payment_intent!,
      amountMinor: '2500',
      idempotencyKey: refundIdempotencyKey(note.id),
      reason: 'other',
      creditNoteId: note.id,
      creditNoteNumber: note.number,
      invoiceId: invoice.id,
    });
    expect(again.kind).toBe('succeeded');
    expect(expectStatus(await sut.api('POST', `/v1/credit-notes/${note.id}/refund`), 200).body.refund.status).toBe('succeeded');
    expect(refundsOf(invoice.payment_intent!)).toHaveLength(1);
    expect(expectStatus(await sut.api('POST', `/v1/credit-notes/${note.id}/refund`), 200).body.refund.status).toBe('succeeded');
  });

  it('settles refunds left pending without anyone asking: a restarted process resends with the same key, and after a day looks the Refund up', async () => {
    const recent = await paid({ amount: '30.00' });
    const old = await paid({ amount: '20.00' });
    stripe.respondAfter(1_500);
    const left = expectStatus(await credit(recent.id, { amount: '30.00', reason: 'other', refund: true }), 201).body as CreditNoteJson;
    const forgotten = expectStatus(await credit(old.id, { amount: '5.00', reason: 'other', refund: true }), 201).body as CreditNoteJson;
    stripe.respondAfter(0);
    expect([left.refund!.status, forgotten.refund!.status]).toEqual(['pending', 'pending']);

    // Two minutes on, the first is abandoned: the restarted process's sweep sends it again (Stripe replays it).
    const later = new TestClock();
    later.advance(2 * 60_000 + 5_000);
    const restarted = await restartOnSameDatabase(sut, (runtime) => InvoicingAppModule.forRoot(runtime), { env: env(), clock: later });
    try {
      await pollUntil(async () => expect((await sut.api('GET', `/v1/credit-notes/${left.id}`)).body.refund.status).toBe('succeeded'));
    } finally {
      await restarted.stop();
    }
    expect(refundsOf(recent.payment_intent!)).toHaveLength(1);

    // A day on, Stripe no longer knows the key: the refund is found by its metadata, not made again.
    await db.query(`UPDATE invoicing.credit_notes SET refund_status = 'pending', stripe_refund_id = NULL WHERE id = $1`, [forgotten.id]);
    stripe.forgetIdempotencyKeys();
    const dayLater = new TestClock();
    dayLater.advance(24 * 60 * 60_000);
    const again = await restartOnSameDatabase(sut, (runtime) => InvoicingAppModule.forRoot(runtime), { env: env(), clock: dayLater });
    try {
      await pollUntil(async () => expect((await sut.api('GET', `/v1/credit-notes/${forgotten.id}`)).body.refund.status).toBe('succeeded'));
    } finally {
      await again.stop();
    }
    const [refund] = refundsOf(old.payment_intent!);
    expect(refundsOf(old.payment_intent!)).toHaveLength(1);
    expect((await sut.api('GET', `/v1/credit-notes/${forgotten.id}`)).body.refund.stripe_refund_id).toBe(refund.id);
    expect(stripe.requests.some((request) => request.method === 'GET' && request.path === '/v1/refunds')).toBe(true);
  });

  it('records a refund Stripe refuses for good as failed, and refuses to refund what Stripe cannot take exactly', async () => {
    const invoice = await paid({ amount: '10.00' });
    // Refunded at Stripe directly (the dashboard): nothing is left there to refund.
    stripe.refunds.set('re_dashboard', {
      id: 're_dashboard',
      object: 'refund',
      amount: 1000,
      currency: 'usd',
      payment_intent: invoice.payment_intent!,
      reason: null,
      status: 'succeeded',
      failure_reason: null,
      metadata: {},
      created: 0,
    });
    const note = expectStatus(await credit(invoice.id, { amount: '4.00', reason: 'other', refund: true }), 201).body as CreditNoteJson;
    expect(note.refund).toMatchObject({ status: 'failed', failure_message: expect.stringContaining('charge_already_refunded') });
    expect(expectStatus(await sut.api('POST', `/v1/credit-notes/${note.id}/refund`), 200).body.refund.status).toBe('failed');

    const kwd = await paid({ amount: '5.000', currency: 'KWD' });
    expect(expectStatus(await credit(kwd.id, { amount: '1.235', reason: 'other', refund: true }), 422).body.code).toBe('amount_not_refundable_exactly');
    expect(expectStatus(await credit(kwd.id, { amount: '1.23', reason: 'other', refund: true }), 201).body.refund).toMatchObject({
      status: 'succeeded',
      amount: '1.230',
    });
    expect(expectStatus(await credit(kwd.id, { amount: '1.2345', reason: 'other', refund: true }), 400).body.errors).toEqual([
      { field: 'amount', message: 'must have at most 3 fractional digits (KWD has 3)' },
    ]);
  });

  it('renders the credit note as a PDF: its number, the invoice it corrects, lines, reason, amounts and issuer', async () => {
    expectStatus(
      await sut.api('PUT', '/v1/settings', {
        issuer: {
          name: 'Abaxus Demo Ltd',
          address: { line1: '1 Long Lane', city: 'London', postal_code: 'EC1A 9HF', country: 'GB' },
          email: 'billing@abaxus.example',
        },
      }),
      200,
    );
    neighbours.metric('api_calls', 'API calls');
    const invoice = await issue({ lineItems: twoLines });
    const note = expectStatus(
      await credit(invoice.id, {
        line_items: [
          { line_item_id: 'li_0', amount: '7.25' },
          { line_item_id: 'li_1', amount: '20.00' },
        ],
        reason: 'product_unsatisfactory',
        refund: false,
      }),
      201,
    ).body as CreditNoteJson;
    const response = await fetch(`${sut.url}/v1/credit-notes/${note.id}/pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(`inline; filename="${note.number}.pdf"`);
    const text = pdfText(Buffer.from(await response.arrayBuffer()));
    for (const expected of [
      'CREDIT NOTE',
      `Credit note number`,
      note.number,
      'Corrects invoice',
      invoice.number,
      'Product unsatisfactory',
      'Abaxus Demo Ltd',
      'Acme Corp',
      'API calls',
      'credit on line li_0',
      'Flat fee',
      'CREDIT GIVEN BACK',
      `This credit note lowers the amount due on invoice ${invoice.number} by 27.25 USD.`,
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/API calls\s+7\.25/);
    expect(text).toMatch(/Invoice INV-\d+ total\s+50\.00/);
    expect(text).toMatch(/Total credited \(USD\)\s+27\.25/);
    expect((await fetch(`${sut.url}/v1/credit-notes/cn_unknown/pdf`)).status).toBe(404);
  });

  it('emails the credit note: the attached PDF is the one GET /pdf serves, the bodies say the same', async () => {
    expectStatus(
      await sut.api('PUT', '/v1/settings', {
        issuer: { name: 'Abaxus Demo Ltd', address: { line1: '1 Long Lane', city: 'London', postal_code: 'EC1A 9HF', country: 'GB' } },
      }),
      200,
    );
    const invoice = await issue({ lineItems: twoLines });
    const note = expectStatus(await credit(invoice.id, { amount: '12.00', reason: 'duplicate', refund: false }), 201).body as CreditNoteJson;
    const sent = expectStatus(await sut.api('POST', `/v1/credit-notes/${note.id}/send-email`), 200).body as CreditNoteJson;
    expect(sent.sent_at).toEqual(expect.any(String));
    const mail = smtp.messages.find((message) => message.subject?.includes(note.number))!;
    expect(mail.subject).toBe(`Credit note ${note.number} from Abaxus Demo Ltd: 12.00 USD credited on invoice ${invoice.number}`);
    const attached = mail.attachments.find((attachment) => attachment.contentType === 'application/pdf')!;
    expect(attached.filename).toBe(`${note.number}.pdf`);
    const served = Buffer.from(await (await fetch(`${sut.url}/v1/credit-notes/${note.id}/pdf`)).arrayBuffer());
    expect(pdfText(attached.content)).toBe(pdfText(served));
    expect(mail.text).toContain(`Corrects invoice: ${invoice.number}`);
    expect(mail.text).toContain(`This credit note lowers the amount due on invoice ${invoice.number} by 12.00 USD.`);
    expect(mail.text).toContain(`The credit note is attached as a PDF (${note.number}.pdf).`);
    expect(mail.html).toContain(`Credit note ${note.number}`);
  });
});
