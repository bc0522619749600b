import Big from 'big.js';
import { readFileSync } from 'node:fs';
import { roundToMinorUnit } from '@abaxus/domain/money/currency';
import { InvoiceLineItemJson } from '../invoices/invoice-json';
import { API_CALLS, invoiceFixture, issuedFixture, METRIC_NAMES, SEATS, STORAGE } from '../testing/invoice-fixtures';
import { figure, readInvoiceTable } from '../testing/invoice-pdf-reader';
import { pdfPages, pdfText, renderFirstPage } from '../testing/pdf-text';
import { testLogoPng } from '../testing/test-logo';
import { invoiceDocument, InvoiceDocumentInput } from './invoice-document';
import { renderInvoicePdf } from './invoice-pdf.renderer';

/* The PDF read back as text (poppler's pdftotext), as a person or an auditor would read it. */

function withLogo(): InvoiceDocumentInput['issued'] {
  const issued = issuedFixture();
  issued.issuer!.logo_sha256 = 'f'.repeat(64);
  return issued;
}

const render = (overrides: Partial<InvoiceDocumentInput> = {}) =>
  renderInvoicePdf(invoiceDocument({ invoice: invoiceFixture(), issued: withLogo(), metricNames: METRIC_NAMES, logoPng: testLogoPng(), ...overrides }));

describe('invoice PDF', () => {
  let pdf: Buffer;
  let text: string;

  beforeAll(async () => {
    pdf = await render();
    text = pdfText(pdf);
  });

  it('shows the issuer with its logo, the customer billed, the number, dates, period and payment instructions', () => {
    for (const expected of [
      'Abaxus Demo Ltd',
      '1 Long Lane',
      'Floor 3',
      'London EC1A 9HF',
      'United Kingdom',
      'Tax ID: GB123456789',
      'billing@abaxus.example',
      'BILLED TO',
      'Acme Corp',
      '500 Market Street',
      'Suite 200',
      'San Francisco, CA 94105',
      'United States',
      'Tax ID: 12-3456789',
      'ap@acme.example',
      'Please pay 580.45 USD by 31 Dec 2026, quoting invoice number INV-000042.',
      'Questions about this invoice: billing@abaxus.example',
      'Bank transfer: IBAN GB29 NWBK 6016 1331 9268 19, BIC NWBKGB2L. Thank you for your business.',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/^\s+INVOICE$/m);
    expect(text).toMatch(/Invoice number\s+INV-000042/);
    expect(text).toMatch(/Issue date\s+1 Dec 2026/);
    expect(text).toMatch(/Due date\s+31 Dec 2026/);
    expect(text).toMatch(/Period\s+1 Nov 2026 – 30 Nov 2026/);
    expect(text).not.toMatch(/Page \d+ of/);
    expect(text).not.toMatch(/PAID|VOID/);
    // The logo is an image XObject of the page.
    expect(pdf.toString('latin1')).toMatch(/\/Subtype \/Image\s*\n?\/BitsPerComponent 8\s*\n?\/Width 180\s*\n?\/Height 60/);
  });

  it('prints each charge with its metric name and model, and its tiers as sub-lines that add up to it; the lines add up to the total', () => {
    const table = readInvoiceTable(text);
    expect(table.lines.map((line) => [line.description, line.quantity, line.amount])).toEqual([
      ['API calls', '185,000', '72.00'],
      ['Seats', '42', '356.00'],
      ['Storage (GB-months)', '1,234.5', '123.45'],
      ['Flat fee', '1', '29.00'],
    ]);
    expect(text).toMatch(/^graduated tiers$/m);
    expect(text).toMatch(/^volume tiers$/m);
    expect(text).toMatch(/^per unit$/m);
    expect(table.lines[0].tiers).toEqual([
      { range: '0 – 10,000', quantity: '10,000', unitPrice: '0.001', flatAmount: '0.00', amount: '10.00' },
      { range: '10,000 – 100,000', quantity: '90,000', unitPrice: '0.0005', flatAmount: '0.00', amount: '45.00' },
      { range: 'above 100,000', quantity: '85,000', unitPrice: '0.0002', flatAmount: '0.00', amount: '17.00' },
    ]);
    expect(table.lines[1].tiers).toEqual([{ range: '10 – 50', quantity: '42', unitPrice: '8.00', flatAmount: '20.00', amount: '356.00' }]);
    for (const line of table.lines.filter((candidate) => candidate.tiers.length > 0)) {
      const tierQuantity = line.tiers.reduce((sum, tier) => sum.plus(figure(tier.quantity)), new Big(0));
      const tierAmount = line.tiers.reduce((sum, tier) => sum.plus(figure(tier.amount)), new Big(0));
      expect([line.description, tierQuantity.toFixed(), roundToMinorUnit(tierAmount, 'USD').toFixed(2)]).toEqual([
        line.description,
        figure(line.quantity).toFixed(),
        line.amount,
      ]);
      for (const tier of line.tiers) {
        expect(figure(tier.quantity).times(figure(tier.unitPrice)).plus(figure(tier.flatAmount)).eq(figure(tier.amount))).toBe(true);
      }
    }
    const lineSum = table.lines.reduce((sum, line) => sum.plus(figure(line.amount)), new Big(0));
    expect([...table.totals]).toEqual([
      ['Subtotal', '580.45'],
      ['Total', '580.45'],
      ['Amount due (USD)', '580.45'],
    ]);
    expect(lineSum.toFixed(2)).toBe(table.totals.get('Total'));
  });

  it('keeps the exact tier amounts the calculation holds: tiers of 0.0015 add up to the rounded line', async () => {
    const fractional: InvoiceLineItemJson = {
      ...API_CALLS,
      quantity: '13',
      amount: '0.01',
      tiers: [
        { from: '0', up_to: '10', quantity: '10', unit_amount: '0.0005', flat_amount: '0', amount: '0.005' },
        { from: '10', up_to: null, quantity: '3', unit_amount: '0.0005', flat_amount: '0', amount: '0.0015' },
      ],
    };
    const table = readInvoiceTable(pdfText(await render({ invoice: invoiceFixture({ line_items: [fractional], total_amount: '0.01' }) })));
    expect(table.lines[0].tiers.map((tier) => tier.amount)).toEqual(['0.005', '0.0015']);
    expect(roundToMinorUnit(figure('0.005').plus(figure('0.0015')), 'USD').toFixed(2)).toBe(table.lines[0].amount);
  });

  it('runs a 60-line invoice over several pages: numbered, the table header repeated, every line once, the totals at the end', async () => {
    const items = Array.from({ length: 60 }, (_, index): InvoiceLineItemJson => ({
      ...STORAGE,
      metric_key: `metric_${index + 1}`,
      quantity: '100',
      amount: '10.00',
    }));
    const names = new Map(items.map((item, index) => [item.metric_key!, `Metric number ${index + 1}`]));
    const paginated = await render({ invoice: invoiceFixture({ line_items: items, total_amount: '600.00' }), metricNames: names });
    const pages = pdfPages(paginated);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    pages.forEach((page, index) => {
      expect(page).toContain(`Page ${index + 1} of ${pages.length}`);
      expect(page).toMatch(/Description\s+Quantity\s+Unit price\s+Flat amount\s+Amount \(USD\)/);
      if (index > 0) expect(page).toContain('Invoice INV-000042 (continued)');
    });
    const table = readInvoiceTable(pages.join('\n'));
    expect(table.lines.map((line) => line.description)).toEqual(items.map((_, index) => `Metric number ${index + 1}`));
    expect(table.lines.reduce((sum, line) => sum.plus(figure(line.amount)), new Big(0)).toFixed(2)).toBe('600.00');
    expect(pages.at(-1)).toMatch(/Amount due \(USD\)\s+600\.00/);
    renderFirstPage(paginated, 'invoice-60-lines-first-page');
  });

  it('formats JPY without decimals and KWD with three', async () => {
    const yen = pdfText(
      await render({
        invoice: invoiceFixture({ currency: 'JPY', total_amount: '1234567', line_items: [{ ...STORAGE, quantity: '2469134', amount: '1234567' }] }),
      }),
    );
    expect(yen).toMatch(/Amount \(JPY\)/);
    expect(readInvoiceTable(yen).lines[0]).toMatchObject({ quantity: '2,469,134', amount: '1,234,567' });
    expect(yen).toMatch(/Amount due \(JPY\)\s+1,234,567$/m);
    expect(yen).toContain('Please pay 1,234,567 JPY by 31 Dec 2026');

    const kwdSeats: InvoiceLineItemJson = {
      ...SEATS,
      amount: '1234.500',
      tiers: [{ ...SEATS.tiers![0], unit_amount: '29.3452', flat_amount: '2', amount: '1234.4984' }],
    };
    const dinar = pdfText(await render({ invoice: invoiceFixture({ currency: 'KWD', total_amount: '1234.500', line_items: [kwdSeats] }) }));
    expect(readInvoiceTable(dinar).lines[0]).toMatchObject({
      amount: '1,234.500',
      tiers: [{ range: '10 – 50', quantity: '42', unitPrice: '29.3452', flatAmount: '2.000', amount: '1,234.4984' }],
    });
    expect(dinar).toMatch(/Amount due \(KWD\)\s+1,234\.500$/m);
  });

  it('stamps PAID on a paid invoice and VOID on a voided one', async () => {
    const paid = pdfText(await render({ invoice: invoiceFixture({ status: 'paid', paid_at: '2026-12-03T10:00:00.000Z' }) }));
    expect(paid).toMatch(/\s{10,}PAID$/m);
    expect(paid).toMatch(/Amount paid\s+-580\.45/);
    expect(paid).toMatch(/Amount due \(USD\)\s+0\.00/);
    expect(paid).toContain('Paid on 3 Dec 2026. Thank you.');
    const voided = pdfText(await render({ invoice: invoiceFixture({ status: 'voided' as never }) }));
    expect(voided).toMatch(/\s{10,}VOID$/m);
    expect(voided).toContain('This invoice was voided: nothing is due.');
  });

  it('prints names and addresses in other scripts as written (an embedded Unicode font)', async () => {
    const issued = issuedFixture();
    issued.billed_to.name = 'Łódź Sp. z o.o. · ООО «Ромашка» · Ζήτα Α.Ε.';
    const text = pdfText(await render({ issued }));
    expect(text).toContain('Łódź Sp. z o.o.');
    expect(text).toContain('ООО «Ромашка»');
    expect(text).toMatch(/Ζήτα\s+Α\.Ε\./);
  });

  it('renders its first page to a PNG in test-results/ for a person to look at', async () => {
    const paid = await render({ invoice: invoiceFixture({ status: 'paid', paid_at: '2026-12-03T10:00:00.000Z' }) });
    for (const [name, document] of [
      ['invoice-first-page', pdf],
      ['invoice-paid-first-page', paid],
    ] as const) {
      const png = readFileSync(renderFirstPage(document, name));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.length).toBeGreaterThan(20_000);
    }
  });
});
