import { Client } from 'pg';
import { displayDate, dueDate } from '@abaxus/domain/time/date-display';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { expectStatus } from '../testing/expect-status';
import { API_CALLS, FLAT_FEE, SEATS } from '../testing/invoice-fixtures';
import { figure, readInvoiceTable } from '../testing/invoice-pdf-reader';
import { InvoicingNeighbourStubs } from '../testing/neighbour-stubs';
import { pdfText, renderFirstPage } from '../testing/pdf-text';
import { SmtpTestServer } from '../testing/smtp-test-server';
import { testLogoPng } from '../testing/test-logo';
import { InvoicingAppModule } from '../invoicing-app.module';

/*
 * Single-service tier: GET /v1/invoices/{id}/pdf and the emailed document, with catalog and
 * pricing stubbed, a real SMTP server and a real PostgreSQL. Each invoice prints the issuer and
 * customer as they were when it was issued.
 */
describe('invoice documents (service alone)', () => {
  let smtp: SmtpTestServer;
  let sut: ServiceUnderTest;
  let neighbours: InvoicingNeighbourStubs;
  let db: Client;

  beforeAll(async () => {
    smtp = await new SmtpTestServer().start();
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), {
      stub: ['catalog', 'pricing', 'aggregation'],
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'invoices@abaxus.test', ABAXUS_BILLING_RUN_INTERVAL_MS: '0' },
    });
    neighbours = new InvoicingNeighbourStubs(sut);
    neighbours.metric('seats', 'Seats');
    db = new Client({ connectionString: sut.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await sut?.stop();
    await smtp?.stop();
  });

  const issuer = {
    name: 'Abaxus Demo Ltd',
    address: { line1: '1 Long Lane', line2: 'Floor 3', city: 'London', postal_code: 'EC1A 9HF', country: 'GB' },
    tax_id: 'GB123456789',
    email: 'billing@abaxus.example',
    logo_png: testLogoPng().toString('base64'),
  };
  const acmeAddress = { line1: '500 Market Street', line2: 'Suite 200', city: 'San Francisco', postal_code: '94105', state: 'CA', country: 'US' };
  // 185,000 API calls over three tiers, 42 seats on a volume tier, a flat fee: 457.00.
  const lineItems = [API_CALLS, SEATS, FLAT_FEE].map(({ subscription_id: _subscription, ...item }) => item);

  async function pdfOf(invoiceId: string): Promise<{ status: number; headers: Headers; pdf: Buffer }> {
    const response = await fetch(`${sut.url}/v1/invoices/${invoiceId}/pdf`);
    return { status: response.status, headers: response.headers, pdf: Buffer.from(await response.arrayBuffer()) };
  }

  async function issue(customerId: string, cutoff = '2026-12-01T00:00:00Z') {
    return expectStatus(await sut.api('POST', '/v1/invoices', { customer_id: customerId, cutoff_date: cutoff }), 201).body;
  }

  it('serves the PDF with every block: issuer and logo, billed to, number, dates, period, lines with tiers that add up, totals', async () => {
    expectStatus(
      await sut.api('PUT', '/v1/settings', {
        issuer,
        invoice: { payment_terms_days: 14, footer: 'Pay by bank transfer to IBAN GB29 NWBK 6016 1331 9268 19.' },
      }),
      200,
    );
    const customer = neighbours.customer({ amount: '457.00', lineItems, address: acmeAddress, taxId: '12-3456789', startDate: '2026-11-01T00:00:00Z' });
    const invoice = await issue(customer.id);

    const { status, headers, pdf } = await pdfOf(invoice.id);
    expect([status, headers.get('content-type'), headers.get('content-disposition')]).toEqual([
      200,
      'application/pdf',
      `inline; filename="${invoice.number}.pdf"`,
    ]);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf);
    const issuedOn = new Date(invoice.created_at);
    for (const expected of [
      'Abaxus Demo Ltd',
      'London EC1A 9HF',
      'Tax ID: GB123456789',
      'BILLED TO',
      'Acme Corp',
      'San Francisco, CA 94105',
      'Tax ID: 12-3456789',
      'billing@acme.test',
      'Pay by bank transfer to IBAN GB29 NWBK 6016 1331 9268 19.',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(new RegExp(`Invoice number\\s+${invoice.number}`));
    expect(text).toMatch(new RegExp(`Issue date\\s+${displayDate(issuedOn)}`));
    expect(text).toMatch(new RegExp(`Due date\\s+${displayDate(dueDate(issuedOn, 14))}`));
    expect(text).toMatch(/Period\s+1 Nov 2026 – 30 Nov 2026/);
    expect(pdf.toString('latin1')).toContain('/Subtype /Image');

    const table = readInvoiceTable(text);
    expect(table.lines.map((line) => [line.description, line.amount, line.tiers.length])).toEqual([
      ['API calls', '72.00', 3],
      ['Seats', '356.00', 1],
      ['Flat fee', '29.00', 0],
    ]);
    for (const line of table.lines.filter((candidate) => candidate.tiers.length > 0)) {
      expect(line.tiers.reduce((sum, tier) => sum.plus(figure(tier.amount)), figure('0')).toFixed(2)).toBe(line.amount);
    }
    expect(table.lines.reduce((sum, line) => sum.plus(figure(line.amount)), figure('0')).toFixed(2)).toBe(invoice.total_amount);
    expect(table.totals.get('Total')).toBe('457.00');
    expect(table.totals.get('Amount due (USD)')).toBe('457.00');
    renderFirstPage(pdf, 'invoice-service-first-page');
  });

  it('keeps an issued invoice as it was: new settings and a moved customer change only the invoices issued after', async () => {
    expectStatus(await sut.api('PUT', '/v1/settings', { issuer, invoice: { payment_terms_days: 30 } }), 200);
    const customer = neighbours.customer({ amount: '457.00', lineItems, address: acmeAddress, startDate: '2026-10-01T00:00:00Z' });
    const first = await issue(customer.id, '2026-11-01T00:00:00Z');
    const firstPdf = (await pdfOf(first.id)).pdf;

    expectStatus(
      await sut.api('PUT', '/v1/settings', {
        issuer: { name: 'Abaxus Renamed GmbH', address: { line1: 'Unter den Linden 1', city: 'Berlin', postal_code: '10117', country: 'DE' } },
        invoice: { payment_terms_days: 7, number_prefix: 'ABX2026' },
      }),
      200,
    );
    neighbours.updateCustomer(customer.id, { name: 'Acme Holdings', address: { ...acmeAddress, line1: '1 New Street', line2: null }, tax_id: 'US-99' });

    const unchangedPdf = (await pdfOf(first.id)).pdf;
    expect(unchangedPdf.equals(firstPdf)).toBe(true);
    const unchanged = pdfText(unchangedPdf);
    expect(unchanged).toContain('Abaxus Demo Ltd');
    expect(unchanged).toContain('500 Market Street');
    expect(unchanged).toMatch(new RegExp(`Due date\\s+${displayDate(dueDate(new Date(first.created_at), 30))}`));

    const second = await issue(customer.id, '2026-12-01T00:00:00Z');
    expect(second.number).toMatch(/^ABX2026-\d{6}$/);
    expect(Number(second.number.split('-')[1])).toBe(Number(first.number.split('-')[1]) + 1);
    const secondText = pdfText((await pdfOf(second.id)).pdf);
    for (const expected of ['Abaxus Renamed GmbH', '10117 Berlin', 'Germany', 'Acme Holdings', '1 New Street', 'Tax ID: US-99'])
      expect(secondText).toContain(expected);
    expect(secondText).not.toContain('Abaxus Demo Ltd');
    expect(secondText).toMatch(new RegExp(`Due date\\s+${displayDate(dueDate(new Date(second.created_at), 7))}`));

    // The snapshot is stored with the invoice; the invoice's JSON keeps its shape.
    const stored = (await db.query(`SELECT snapshot::jsonb -> 'document' AS document FROM invoicing.invoices WHERE id = $1`, [first.id])).rows[0].document;
    expect(stored).toMatchObject({
      issuer: { name: 'Abaxus Demo Ltd', logo_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      billed_to: { customer_id: customer.id, name: 'Acme Corp', address: { line1: '500 Market Street' } },
      payment_terms_days: 30,
    });
    expect(Object.keys(expectStatus(await sut.api('GET', `/v1/invoices/${first.id}`), 200).body)).not.toContain('document');
  });

  it('prints an invoice issued before settings existed with the current settings and customer', async () => {
    const customer = neighbours.customer({ amount: '29.00', lineItems: [FLAT_FEE].map(({ subscription_id: _s, ...item }) => item) });
    const modern = await issue(customer.id);
    const { rows } = await db.query(`SELECT snapshot FROM invoicing.invoices WHERE id = $1`, [modern.id]);
    const { document: _document, ...legacySnapshot } = JSON.parse(rows[0].snapshot);
    await db.query(
      `INSERT INTO invoicing.invoices (id, sequence, number, customer_id, status, currency, period_start, period_end, total_amount, snapshot, created_at)
       VALUES ('inv_legacy', 999999, 'INV-999999', $1, 'issued', 'USD', '2026-01-01', '2026-02-01', 29.00, $2, now())`,
      [customer.id, JSON.stringify(legacySnapshot)],
    );
    expectStatus(await sut.api('PUT', '/v1/settings', { issuer: { ...issuer, name: 'Current Issuer Ltd' } }), 200);
    const text = pdfText((await pdfOf('inv_legacy')).pdf);
    expect(text).toContain('Current Issuer Ltd');
    expect(text).toContain('Acme Corp');
    expect(text).toMatch(/Period\s+1 Jan 2026 – 31 Jan 2026/);
  });

  it('prints what the billing run issues by itself (it keeps the snapshot too), and an interim invoice with its prorated flat fee', async () => {
    expectStatus(await sut.api('PUT', '/v1/settings', { issuer, invoice: { payment_terms_days: 10, number_prefix: 'CYC' } }), 200);
    const clock = expectStatus(await sut.api('POST', '/v1/test-clocks', { frozen_time: '2026-06-01T00:00:00Z' }), 201).body;
    const customer = await neighbours.cycledCustomer({ interval: 'month', startDate: '2026-06-01T00:00:00.000Z', fee: '31.00', testClock: clock.id });
    neighbours.updateCustomer(customer.id, { address: acmeAddress, tax_id: '12-3456789' });
    const advance = async (to: string) => {
      expectStatus(await sut.api('POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: to }), 200);
      await pollUntil(async () => expect((await sut.api('GET', `/v1/test-clocks/${clock.id}`)).body.status).toBe('ready'), { timeoutMs: 30_000 });
    };
    await advance('2026-07-01T01:00:00Z');
    const [automatic] = (await sut.api('GET', `/v1/invoices?customer_id=${customer.id}`)).body.data;
    expect(automatic).toMatchObject({ number: expect.stringMatching(/^CYC-\d{6}$/), period_start: '2026-06-01T00:00:00.000Z', total_amount: '31.00' });
    const text = pdfText((await pdfOf(automatic.id)).pdf);
    for (const expected of ['Abaxus Demo Ltd', 'Acme Corp', 'San Francisco, CA 94105', 'Tax ID: 12-3456789']) expect(text).toContain(expected);
    expect(text).toMatch(/Period\s+1 Jun 2026 – 30 Jun 2026/);
    expect(text).toMatch(new RegExp(`Due date\\s+${displayDate(dueDate(new Date(automatic.created_at), 10))}`));
    expect(readInvoiceTable(text).lines.map((line) => [line.description, line.amount])).toEqual([
      ['Flat fee', '31.00'],
      ['API calls', '0.00'],
    ]);

    // Mid-cycle, on request: the flat fee pays for 15 of July's 31 days.
    await advance('2026-07-20T00:00:00Z');
    const interim = await issue(customer.id, '2026-07-16T00:00:00Z');
    const interimText = pdfText((await pdfOf(interim.id)).pdf);
    expect(readInvoiceTable(interimText).lines[0]).toMatchObject({ description: 'Flat fee', amount: '15.00' });
    // The detail wraps in its column.
    expect(interimText.replace(/\s+/g, ' ')).toContain('prorated: 0.483870967742 of a billing cycle, 1 Jul 2026 – 15 Jul 2026');
  });

  it('answers 404 problem+json for an unknown invoice', async () => {
    const response = await fetch(`${sut.url}/v1/invoices/inv_missing/pdf`);
    expect([response.status, response.headers.get('content-type')]).toEqual([404, expect.stringContaining('application/problem+json')]);
    expect(await response.json()).toMatchObject({ code: 'not_found' });
  });

  it('emails the same document: the attached PDF reads as GET /pdf, the HTML and text show the same blocks, the logo inline', async () => {
    expectStatus(await sut.api('PUT', '/v1/settings', { issuer, invoice: { payment_terms_days: 14 } }), 200);
    const customer = neighbours.customer({ amount: '457.00', lineItems, address: acmeAddress, email: 'ap@acme.test' });
    const invoice = await issue(customer.id);
    expectStatus(await sut.api('POST', `/v1/invoices/${invoice.id}/send-email`), 200);

    const mail = smtp.messages.find((message) => message.subject?.includes(invoice.number))!;
    const dueOn = displayDate(dueDate(new Date(invoice.created_at), 14));
    expect(mail.subject).toBe(`Invoice ${invoice.number} from Abaxus Demo Ltd: 457.00 USD due ${dueOn}`);
    const attached = mail.attachments.find((attachment) => attachment.contentType === 'application/pdf')!;
    expect(attached.filename).toBe(`${invoice.number}.pdf`);
    // Byte for byte: the document is rendered from the invoice alone (its creation date is the issue).
    const served = (await pdfOf(invoice.id)).pdf;
    expect(attached.content.equals(served)).toBe(true);
    expect(pdfText(served)).toMatch(new RegExp(`Invoice number\\s+${invoice.number}`));

    const logo = mail.attachments.find((attachment) => attachment.contentType === 'image/png')!;
    expect(logo.content.equals(testLogoPng())).toBe(true);
    expect([logo.cid, logo.contentDisposition]).toEqual(['issuer-logo@abaxus', 'inline']);
    // mailparser resolves the HTML's cid: reference to the inline part it names.
    expect(mail.html).toContain(`<img src="data:image/png;base64,${testLogoPng().toString('base64')}"`);
    for (const expected of ['Abaxus Demo Ltd', 'San Francisco, CA 94105', 'Units 10,000 – 100,000', '0.0005', `<strong>${dueOn}</strong>`]) {
      expect(mail.html).toContain(expected);
    }
    expect(mail.text).toContain('      Units above 100,000: 85,000 × 0.0002 + flat 0.00 = 17.00');
    expect(mail.text).toContain(`Please pay 457.00 USD by ${dueOn}, quoting invoice number ${invoice.number}.`);
  });
});
