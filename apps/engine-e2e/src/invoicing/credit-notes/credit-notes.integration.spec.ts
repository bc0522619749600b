import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { BillingScenario, expectStatus, uniqueId } from '@abaxus/testing/invoicing/billing-scenario.factory';
import { FakeStripeServer } from '@abaxus/services/invoicing/testing/fake-stripe-server';
import { pdfText } from '@abaxus/services/invoicing/testing/pdf-text';
import { WebhookReceiver } from '@abaxus/services/notifications/testing/webhook-receiver';

/*
 * Credit notes through the gateway, the whole engine on each kind of bus: an unpaid invoice
 * credited in part (its amount due drops, the rest is charged), a paid one refunded through the
 * real Stripe SDK against the Stripe-shaped server, credit_note.issued delivered as a webhook.
 */
describe.each(['embedded', 'kafka'] as const)('credit notes (whole engine, %s bus)', (bus) => {
  let stripe: FakeStripeServer;
  let engine: TestEngine;
  let receiver: WebhookReceiver;
  let scenario: BillingScenario;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    receiver = await WebhookReceiver.start();
    engine = await startTestEngine({
      bus,
      env: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, STRIPE_WEBHOOK_SECRET: 'whsec_test_abaxus', STRIPE_TIMEOUT_MS: '2000' },
    });
    scenario = new BillingScenario(engine);
  });

  afterAll(async () => {
    await engine?.stop();
    await receiver?.close();
    await stripe?.stop();
  });

  /** An issued invoice of 41.50 USD (6 units on Stripe's tier example) for a customer paying with a saved card. */
  async function issuedInvoice() {
    const setup = await scenario.customerWithUsage({ units: '6' });
    return expectStatus(await engine.api('POST', '/v1/invoices', { customer_id: setup.customerId, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
  }
  const getInvoice = async (id: string) => expectStatus(await engine.api('GET', `/v1/invoices/${id}`), 200).body;

  it('credits an unpaid invoice in part: amount_due drops, the charge takes the rest, and credit_note.issued reaches a webhook endpoint', async () => {
    const hook = uniqueId('hook');
    const endpoint = expectStatus(await engine.api('POST', '/v1/webhook-endpoints', { url: receiver.path(hook), events: ['credit_note.issued'] }), 201);
    receiver.useSecret(hook, endpoint.body.secret);
    const invoice = await issuedInvoice();
    expect(invoice).not.toHaveProperty('amount_due');

    const key = uniqueId('idem');
    const body = { amount: '11.50', reason: 'order_change', refund: false, memo: 'Two seats removed' };
    const note = expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/credit-notes`, body, { 'Idempotency-Key': key }), 201);
    expect(note.body).toMatchObject({ number: expect.stringMatching(/^CN-\d{6}$/), invoice_number: invoice.number, amount: '11.50', settlement: 'amount_due' });
    // A retry with the same key replays the note; it does not credit twice.
    const replay = expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/credit-notes`, body, { 'Idempotency-Key': key }), 201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(note.body);
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'issued', total_amount: '41.50', credited_amount: '11.50', amount_due: '30.00' });
    expect(expectStatus(await engine.api('GET', `/v1/invoices/${invoice.id}/credit-notes`), 200).body.data).toEqual([note.body]);
    expect(expectStatus(await engine.api('GET', `/v1/credit-notes?customer_id=${invoice.customer_id}`), 200).body.data).toEqual([note.body]);

    expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/charge`), 200);
    const charges = stripe.creations().filter((request) => request.form['metadata[invoice_id]'] === invoice.id);
    expect(charges.map((request) => request.form.amount)).toEqual(['3000']);
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', amount_due: '30.00' });

    const [delivered] = await pollUntil(
      async () => {
        const received = receiver.acceptedAt(hook);
        if (received.length === 0) throw new Error('nothing delivered yet');
        return received;
      },
      { timeoutMs: 30_000 },
    );
    expect(delivered.verified).toBe(true);
    expect(delivered.payload).toMatchObject({
      type: 'credit_note.issued',
      data: { credit_note_id: note.body.id, number: note.body.number, invoice_id: invoice.id, amount: '11.50', settlement: 'amount_due' },
    });
  });

  it('refunds a paid invoice through Stripe, once, and serves the credit note as a PDF', async () => {
    const invoice = await issuedInvoice();
    const paid = expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/charge`), 200).body;
    const note = expectStatus(
      await engine.api('POST', `/v1/invoices/${invoice.id}/credit-notes`, {
        line_items: [{ line_item_id: 'li_0', amount: '41.50' }],
        reason: 'duplicate',
        refund: true,
      }),
      201,
    ).body;
    expect(note).toMatchObject({ settlement: 'refund', refund: { status: 'succeeded', amount: '41.50', payment_intent: paid.payment_intent } });
    expect([...stripe.refunds.values()].filter((refund) => refund.payment_intent === paid.payment_intent)).toEqual([
      expect.objectContaining({ id: note.refund.stripe_refund_id, amount: 4150, reason: 'duplicate' }),
    ]);
    expect(expectStatus(await engine.api('POST', `/v1/credit-notes/${note.id}/refund`), 200).body.refund.status).toBe('succeeded');
    expect(stripe.refundCreations().filter((request) => request.form['metadata[credit_note_id]'] === note.id)).toHaveLength(1);
    expect(
      expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/credit-notes`, { amount: '0.01', reason: 'other', refund: true }), 422).body.code,
    ).toBe('credit_exceeds_remaining');
    expect(
      expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/credit-notes`, { amount: '1', reason: 'other', refund: false }), 422).body.code,
    ).toBe('credit_exceeds_remaining');

    // No API keys configured: the engine runs open on loopback.
    const pdf = await fetch(`${engine.url}/v1/credit-notes/${note.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(Buffer.from(await pdf.arrayBuffer()));
    expect(text).toContain('CREDIT NOTE');
    expect(text).toContain(note.number);
    expect(text).toContain(invoice.number);
    expect(text).toContain('Duplicate charge');
    expect(text).toContain(`41.50 USD is refunded to the card that paid invoice ${invoice.number} (refund done).`);
  });
});
