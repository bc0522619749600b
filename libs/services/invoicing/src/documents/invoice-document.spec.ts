import type { InvoiceJson } from '../invoices/invoice-json';
import { invoiceDocument, invoiceHtml, invoiceText } from './invoice-document';
import { renderInvoicePdf } from './invoice-pdf.renderer';

const invoice = (overrides: Partial<InvoiceJson> = {}): InvoiceJson => ({
  id: 'inv_1',
  number: 'INV-000042',
  customer_id: 'cust_acme',
  status: 'issued',
  currency: 'USD',
  period_start: '2026-03-01T00:00:00.000Z',
  period_end: '2026-04-01T00:00:00.000Z',
  total_amount: '57.50',
  line_groups: [
    {
      subscription_id: 'sub_1',
      plan_id: 'plan',
      plan_version: 1,
      period_start: '2026-03-01T00:00:00.000Z',
      period_end: '2026-04-01T00:00:00.000Z',
      calculation_id: 'calc_1',
      amount: '57.50',
    },
  ],
  line_items: [
    { subscription_id: 'sub_1', metric_key: 'api_calls', model: 'tiered', quantity: '85000', amount: '47.50' },
    { subscription_id: 'sub_1', metric_key: null, model: 'flat_fee', quantity: '1', amount: '10.00' },
  ],
  calculation_ids: ['calc_1'],
  payment_intent: null,
  sent_at: null,
  paid_at: null,
  archived_at: null,
  created_at: '2026-04-01T08:00:00.000Z',
  payment_attempts: [],
  ...overrides,
});

describe('invoice document', () => {
  const document = invoiceDocument(invoice(), { id: 'cust_acme', name: '<Acme & Co>' });

  it('names the invoice, the period and every line with the total', () => {
    expect(document.subject).toBe('Invoice INV-000042: 57.50 USD');
    const text = invoiceText(document);
    expect(text).toContain('Invoice INV-000042');
    expect(text).toContain('Period: 2026-03-01 00:00:00Z to 2026-04-01 00:00:00Z');
    expect(text).toContain('api_calls (tiered): 85000 units, 47.50 USD');
    expect(text).toContain('Flat fee (flat fee): 1 units, 10.00 USD');
    expect(text).toContain('Total: 57.50 USD');
  });

  it('escapes customer data in the HTML body', () => {
    const html = invoiceHtml(document);
    expect(html).toContain('&lt;Acme &amp; Co&gt;');
    expect(html).not.toContain('<Acme');
    expect(html).toContain('<strong>57.50 USD</strong>');
  });

  it('falls back to the customer id and names the subscription when there are several', () => {
    const two = invoice({
      line_groups: [...invoice().line_groups, { ...invoice().line_groups[0], subscription_id: 'sub_2' }],
    });
    const doc = invoiceDocument(two, { id: 'cust_acme', name: null });
    expect(doc.customerName).toBe('cust_acme');
    expect(doc.lines[0].detail).toBe('tiered, sub_1');
  });

  it('renders a PDF', async () => {
    const pdf = await renderInvoicePdf(document);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(1000);
  });
});
