import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { BillingScenario, expectStatus } from '@abaxus/testing/invoicing/billing-scenario.factory';
import { figure, readInvoiceTable } from '@abaxus/services/invoicing/testing/invoice-pdf-reader';
import { pdfText, renderFirstPage } from '@abaxus/services/invoicing/testing/pdf-text';
import { SmtpTestServer } from '@abaxus/services/invoicing/testing/smtp-test-server';
import { testLogoPng } from '@abaxus/services/invoicing/testing/test-logo';

/*
 * The invoice document through the gateway, on the whole engine with either bus: settings and a
 * customer address set through the API, a three-charge plan priced from real usage, the PDF
 * fetched through the gateway (bytes intact) and the very same bytes mailed.
 */
describe.each(['embedded', 'kafka'] as const)('invoice documents (whole engine, %s bus)', (bus) => {
  let smtp: SmtpTestServer;
  let engine: TestEngine;
  let scenario: BillingScenario;

  beforeAll(async () => {
    smtp = await new SmtpTestServer().start();
    engine = await startTestEngine({ bus, env: { SMTP_URL: smtp.url, MAIL_FROM: 'invoices@abaxus.test' } });
    scenario = new BillingScenario(engine);
  });

  afterAll(async () => {
    await engine?.stop();
    await smtp?.stop();
  });

  async function pdfThroughGateway(invoiceId: string): Promise<{ status: number; headers: Headers; pdf: Buffer }> {
    const response = await fetch(`${engine.url}/v1/invoices/${invoiceId}/pdf`);
    return { status: response.status, headers: response.headers, pdf: Buffer.from(await response.arrayBuffer()) };
  }

  it('prints issuer, customer, every charge with its tiers and the totals; mails the same PDF', async () => {
    expectStatus(
      await engine.api('PUT', '/v1/settings', {
        issuer: {
          name: 'Abaxus Demo Ltd',
          address: { line1: '1 Long Lane', city: 'London', postal_code: 'EC1A 9HF', country: 'GB' },
          tax_id: 'GB123456789',
          email: 'billing@abaxus.example',
          logo_png: testLogoPng().toString('base64'),
        },
        invoice: { payment_terms_days: 30, number_prefix: 'ABX' },
      }),
      200,
    );
    const apiCalls = await scenario.metric({ name: 'API calls' });
    const seats = await scenario.metric({ name: 'Seats', aggregation_type: 'max' });
    const planId = await scenario.plan([
      {
        metric_key: apiCalls,
        model: 'tiered',
        properties: {
          tiers: [
            { up_to: 10000, unit_amount: '0.001' },
            { up_to: 100000, unit_amount: '0.0005' },
            { up_to: null, unit_amount: '0.0002' },
          ],
        },
      },
      {
        metric_key: seats,
        model: 'volume',
        properties: {
          tiers: [
            { up_to: 10, unit_amount: '10' },
            { up_to: null, unit_amount: '8', flat_amount: '20' },
          ],
        },
      },
      { model: 'flat_fee', properties: { amount: '29.00' } },
    ]);
    const customerId = await scenario.customer({
      name: 'Globex Corp',
      email: 'ap@globex.test',
      address: { line1: '500 Market Street', city: 'San Francisco', state: 'CA', postal_code: '94105', country: 'US' },
      tax_id: '12-3456789',
    });
    const subscriptionId = await scenario.subscription(customerId, planId, '2026-03-01T00:00:00Z');
    await scenario.usage({ customerId, subscriptionId, metricKey: apiCalls }, [
      ['2026-03-02T10:00:00Z', '100000'],
      ['2026-03-20T10:00:00Z', '85000'],
    ]);
    await scenario.usage({ customerId, subscriptionId, metricKey: seats }, [['2026-03-05T10:00:00Z', '42']]);
    const invoice = expectStatus(await engine.api('POST', '/v1/invoices', { customer_id: customerId, cutoff_date: '2026-04-01T00:00:00Z' }), 201).body;
    expect(invoice).toMatchObject({ number: expect.stringMatching(/^ABX-\d{6}$/), total_amount: '457.00' });

    const { status, headers, pdf } = await pdfThroughGateway(invoice.id);
    expect([status, headers.get('content-type')]).toEqual([200, 'application/pdf']);

    const text = pdfText(pdf);
    for (const expected of ['Abaxus Demo Ltd', 'London EC1A 9HF', 'BILLED TO', 'Globex Corp', 'San Francisco, CA 94105', 'Tax ID: 12-3456789']) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/Period\s+1 Mar 2026 – 31 Mar 2026/);
    const table = readInvoiceTable(text);
    expect(table.lines.map((line) => [line.description, line.quantity, line.amount])).toEqual([
      ['API calls', '185,000', '72.00'],
      ['Seats', '42', '356.00'],
      ['Flat fee', '1', '29.00'],
    ]);
    expect(table.lines[0].tiers.map((tier) => [tier.range, tier.quantity, tier.unitPrice, tier.amount])).toEqual([
      ['0 – 10,000', '10,000', '0.001', '10.00'],
      ['10,000 – 100,000', '90,000', '0.0005', '45.00'],
      ['above 100,000', '85,000', '0.0002', '17.00'],
    ]);
    expect(table.lines[1].tiers).toEqual([{ range: 'above 10', quantity: '42', unitPrice: '8.00', flatAmount: '20.00', amount: '356.00' }]);
    expect(table.lines.reduce((sum, line) => sum.plus(figure(line.amount)), figure('0')).toFixed(2)).toBe(table.totals.get('Total'));
    expect(table.totals.get('Amount due (USD)')).toBe('457.00');
    renderFirstPage(pdf, `invoice-engine-${bus}-first-page`);

    expectStatus(await engine.api('POST', `/v1/invoices/${invoice.id}/send-email`), 200);
    const mail = smtp.messages.find((message) => message.subject?.includes(invoice.number))!;
    expect(mail.subject).toMatch(new RegExp(`^Invoice ${invoice.number} from Abaxus Demo Ltd: 457\\.00 USD due `));
    // The service renders the mailed PDF itself: the gateway passed the very same bytes on.
    expect(mail.attachments.find((attachment) => attachment.contentType === 'application/pdf')!.content.equals(pdf)).toBe(true);
    expect(mail.text).toContain('      Units 10,000 – 100,000: 90,000 × 0.0005 + flat 0.00 = 45.00');
  });

  it('answers 404 problem+json through the gateway for an unknown invoice', async () => {
    const response = await pdfThroughGateway('inv_missing');
    expect([response.status, response.headers.get('content-type')]).toEqual([404, expect.stringContaining('application/problem+json')]);
    expect(JSON.parse(response.pdf.toString('utf8'))).toMatchObject({ code: 'not_found' });
  });
});
