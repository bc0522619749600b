import { Client } from 'pg';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { BillingScenario, expectStatus } from '@abaxus/testing/invoicing/billing-scenario.factory';
import { SmtpTestServer } from '@abaxus/services/invoicing/testing/smtp-test-server';

/* POST /v1/invoices/{id}/send-email to a real SMTP server, on the embedded (PostgreSQL) bus. */
describe('invoice email (embedded bus)', () => {
  let smtp: SmtpTestServer;
  let engine: TestEngine;
  let scenario: BillingScenario;
  let db: Client;

  beforeAll(async () => {
    smtp = await new SmtpTestServer().start();
    engine = await startTestEngine({ bus: 'embedded', env: { SMTP_URL: smtp.url, MAIL_FROM: 'invoices@abaxus.test' } });
    scenario = new BillingScenario(engine);
    db = new Client({ connectionString: engine.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await engine?.stop();
    await smtp?.stop();
  });

  afterEach(() => smtp.refuseRecipients(undefined));

  async function issuedInvoice(customer: Record<string, unknown> = {}) {
    const setup = await scenario.customerWithUsage({ units: '20', customer });
    return expectStatus(await engine.api('POST', '/v1/invoices', { customer_id: setup.customerId, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
  }
  const send = (invoiceId: string) => engine.api('POST', `/v1/invoices/${invoiceId}/send-email`);
  const sendHistory = async (invoiceId: string) =>
    (await db.query(`SELECT count(*)::int AS n FROM invoicing.invoice_history WHERE invoice_id = $1 AND action = 'send_email'`, [invoiceId])).rows[0]
      .n as number;

  it('mails the invoice to the customer with the number in the subject, a readable body and the PDF', async () => {
    const invoice = await issuedInvoice({ name: 'Globex & Sons', email: 'ap@globex.test' });
    const response = expectStatus(await send(invoice.id), 200);
    expect(response.body).toMatchObject({ id: invoice.id, status: 'issued', sent_at: expect.any(String) });

    const mail = smtp.messages.find((message) => message.subject?.includes(invoice.number));
    expect(mail).toBeDefined();
    expect(mail!.from?.text).toBe('invoices@abaxus.test');
    expect(mail!.to && 'text' in mail!.to ? mail!.to.text : undefined).toBe('ap@globex.test');
    expect(mail!.subject).toMatch(new RegExp(`^Invoice ${invoice.number}: 127\\.50 USD due \\d{1,2} \\w{3} \\d{4}$`));
    expect(mail!.text).toContain('Billed to:\n  Globex & Sons\n  ap@globex.test');
    expect(mail!.text).toContain('Period: 1 Jan 2026 – 31 Mar 2026');
    expect(mail!.text).toContain('  API calls (graduated tiers): quantity 20, amount 127.50');
    expect(mail!.text).toContain('      Units 0 – 5: 5 × 7.00 + flat 0.00 = 35.00');
    expect(mail!.text).toContain('      Units 5 – 10: 5 × 6.50 + flat 0.00 = 32.50');
    expect(mail!.text).toContain('      Units above 10: 10 × 6.00 + flat 0.00 = 60.00');
    expect(mail!.text).toContain('Total: 127.50 USD');
    expect(mail!.html).toContain('Globex &amp; Sons');
    expect(mail!.html).toMatch(/Amount due \(USD\)<\/td><td[^>]*>127\.50<\/td>/);
    expect(mail!.attachments).toHaveLength(1);
    expect(mail!.attachments[0]).toMatchObject({ filename: `${invoice.number}.pdf`, contentType: 'application/pdf' });
    expect(mail!.attachments[0].content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await sendHistory(invoice.id)).toBe(1);
    expect((await engine.api('GET', `/v1/invoices/${invoice.id}`)).body.sent_at).toBe(response.body.sent_at);
  });

  it('answers 502 with the reason when the mail server refuses, and changes nothing', async () => {
    const invoice = await issuedInvoice();
    smtp.refuseRecipients('mailbox unavailable');
    const response = await send(invoice.id);
    expect([response.status, response.body.code]).toEqual([502, 'email_delivery_failed']);
    expect(response.body.detail).toContain('mailbox unavailable');
    expect((await engine.api('GET', `/v1/invoices/${invoice.id}`)).body.sent_at).toBeNull();
    expect(await sendHistory(invoice.id)).toBe(0);
  });

  it('answers 422 when the customer has no email, 409 for an archived invoice, 404 for an unknown one', async () => {
    const silent = await issuedInvoice({ email: null });
    const noEmail = await send(silent.id);
    expect([noEmail.status, noEmail.body.code]).toEqual([422, 'customer_email_missing']);

    const invoice = await issuedInvoice();
    expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/archive`), 200);
    const archived = await send(invoice.id);
    expect([archived.status, archived.body.code]).toEqual([409, 'invalid_transition']);
    expect((await send('inv_missing')).status).toBe(404);
  });
});
