import { invoiceDocument, InvoiceDocumentInput } from '../documents/invoice-document';
import { invoiceFixture, issuedFixture, METRIC_NAMES } from '../testing/invoice-fixtures';
import { invoiceHtml, invoiceText, LOGO_CONTENT_ID } from './invoice-email-body';

const document = (overrides: Partial<InvoiceDocumentInput> = {}) =>
  invoiceDocument({ invoice: invoiceFixture(), issued: issuedFixture(), metricNames: METRIC_NAMES, logoPng: null, ...overrides });

describe('invoice email bodies', () => {
  it('say in text what the PDF says: parties, facts, every line and tier, totals, payment and footer', () => {
    const text = invoiceText(document());
    for (const expected of [
      'Invoice INV-000042',
      'From:\n  Abaxus Demo Ltd\n  1 Long Lane\n  Floor 3\n  London EC1A 9HF\n  United Kingdom\n  Tax ID: GB123456789\n  billing@abaxus.example',
      'Billed to:\n  Acme Corp\n  500 Market Street\n  Suite 200\n  San Francisco, CA 94105\n  United States\n  Tax ID: 12-3456789\n  ap@acme.example',
      'Issue date: 1 Dec 2026\nDue date: 31 Dec 2026\nPeriod: 1 Nov 2026 – 30 Nov 2026',
      '  API calls (graduated tiers): quantity 185,000, amount 72.00',
      '      Units 0 – 10,000: 10,000 × 0.001 + flat 0.00 = 10.00',
      '      Units above 100,000: 85,000 × 0.0002 + flat 0.00 = 17.00',
      '  Seats (volume tiers): quantity 42, amount 356.00',
      '      Units 10 – 50: 42 × 8.00 + flat 20.00 = 356.00',
      '  Flat fee: quantity 1, amount 29.00',
      'Subtotal: 580.45 USD\nTotal: 580.45 USD\nAmount due: 580.45 USD',
      'Please pay 580.45 USD by 31 Dec 2026, quoting invoice number INV-000042.',
      'Bank transfer: IBAN',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('say the same in HTML, with customer data escaped and tiers as indented rows', () => {
    const issued = issuedFixture();
    issued.billed_to.name = '<Acme & Co>';
    const html = invoiceHtml(document({ issued }));
    expect(html).toContain('<strong>&lt;Acme &amp; Co&gt;</strong>');
    expect(html).not.toContain('<Acme');
    expect(html).toContain('<strong>Abaxus Demo Ltd</strong><br>1 Long Lane<br>Floor 3<br>London EC1A 9HF');
    expect(html).toMatch(/Units 10,000 – 100,000<\/td><td[^>]*>90,000<\/td><td[^>]*>0\.0005<\/td><td[^>]*>0\.00<\/td><td[^>]*>45\.00<\/td>/);
    expect(html).toMatch(/Amount due \(USD\)<\/td><td[^>]*>580\.45<\/td>/);
    expect(html).toContain('<strong>31 Dec 2026</strong>');
    expect(html).not.toContain('cid:');
  });

  it('show the logo by content id and the PAID mark when there is one', () => {
    const issued = issuedFixture();
    issued.issuer!.logo_sha256 = 'a'.repeat(64);
    const paid = document({ issued, logoPng: Buffer.from('png'), invoice: invoiceFixture({ status: 'paid', paid_at: '2026-12-03T10:00:00.000Z' }) });
    expect(invoiceHtml(paid)).toContain(`<img src="cid:${LOGO_CONTENT_ID}"`);
    expect(invoiceHtml(paid)).toMatch(/>PAID<\/p>/);
    expect(invoiceText(paid)).toMatch(/^Invoice INV-000042 — PAID$/m);
  });
});
