import { API_CALLS, FLAT_FEE, invoiceFixture, issuedFixture, METRIC_NAMES, SEATS, STORAGE } from '../testing/invoice-fixtures';
import { invoiceDocument, InvoiceDocumentInput } from './invoice-document';

const input = (overrides: Partial<InvoiceDocumentInput> = {}): InvoiceDocumentInput => ({
  invoice: invoiceFixture(),
  issued: issuedFixture(),
  metricNames: METRIC_NAMES,
  logoPng: null,
  ...overrides,
});

describe('invoice document model', () => {
  it('names issuer and customer with their addresses and tax ids, the number, issue and due dates and the period', () => {
    const document = invoiceDocument(input());
    expect(document.issuer).toEqual({
      name: 'Abaxus Demo Ltd',
      lines: ['1 Long Lane', 'Floor 3', 'London EC1A 9HF', 'United Kingdom', 'Tax ID: GB123456789', 'billing@abaxus.example'],
    });
    expect(document.billedTo).toEqual({
      name: 'Acme Corp',
      lines: ['500 Market Street', 'Suite 200', 'San Francisco, CA 94105', 'United States', 'Tax ID: 12-3456789', 'ap@acme.example'],
    });
    expect(document.facts).toEqual([
      { label: 'Invoice number', value: 'INV-000042' },
      { label: 'Issue date', value: '1 Dec 2026' },
      { label: 'Due date', value: '31 Dec 2026' },
      { label: 'Period', value: '1 Nov 2026 – 30 Nov 2026' },
      { label: 'Customer ID', value: 'cust_acme' },
    ]);
    expect(document.subject).toBe('Invoice INV-000042 from Abaxus Demo Ltd: 580.45 USD due 31 Dec 2026');
    expect(document.mark).toBeNull();
    expect(document.paymentInstructions).toEqual([
      'Please pay 580.45 USD by 31 Dec 2026, quoting invoice number INV-000042.',
      'Questions about this invoice: billing@abaxus.example',
    ]);
    expect(document.footer).toContain('IBAN');
  });

  it('writes one line per charge with the metric name and model, and each tier exactly as calculated', () => {
    const [group] = invoiceDocument(input()).groups;
    expect(group.heading).toBeNull();
    expect(group.lines.map((line) => [line.description, line.details, line.quantity, line.amount])).toEqual([
      ['API calls', ['graduated tiers'], '185,000', '72.00'],
      ['Seats', ['volume tiers'], '42', '356.00'],
      ['Storage (GB-months)', ['per unit'], '1,234.5', '123.45'],
      ['Flat fee', [], '1', '29.00'],
    ]);
    expect(group.lines[0].tiers).toEqual([
      { description: 'Units 0 – 10,000', quantity: '10,000', unitPrice: '0.001', flatAmount: '0.00', amount: '10.00' },
      { description: 'Units 10,000 – 100,000', quantity: '90,000', unitPrice: '0.0005', flatAmount: '0.00', amount: '45.00' },
      { description: 'Units above 100,000', quantity: '85,000', unitPrice: '0.0002', flatAmount: '0.00', amount: '17.00' },
    ]);
    expect(group.lines[1].tiers).toEqual([{ description: 'Units 10 – 50', quantity: '42', unitPrice: '8.00', flatAmount: '20.00', amount: '356.00' }]);
  });

  it('shows subtotal, total and amount due only, when the invoice has no discount, tax or credit', () => {
    expect(invoiceDocument(input()).totals).toEqual([
      { label: 'Subtotal', amount: '580.45', emphasis: 'none' },
      { label: 'Total', amount: '580.45', emphasis: 'total' },
      { label: 'Amount due', amount: '580.45', emphasis: 'due' },
    ]);
  });

  it('marks a paid invoice PAID with nothing due, an archived paid one too', () => {
    for (const status of ['paid', 'archived'] as const) {
      const document = invoiceDocument(input({ invoice: invoiceFixture({ status, paid_at: '2026-12-03T10:00:00.000Z' }) }));
      expect(document.mark).toBe('PAID');
      expect(document.totals.slice(-2)).toEqual([
        { label: 'Amount paid', amount: '-580.45', emphasis: 'none' },
        { label: 'Amount due', amount: '0.00', emphasis: 'due' },
      ]);
      expect(document.paymentInstructions).toEqual(['Paid on 3 Dec 2026. Thank you.']);
      expect(document.subject).toBe('Invoice INV-000042 from Abaxus Demo Ltd: 580.45 USD, paid');
    }
    expect(invoiceDocument(input({ invoice: invoiceFixture({ status: 'archived' }) })).mark).toBeNull();
  });

  it('marks a voided invoice VOID', () => {
    const document = invoiceDocument(input({ invoice: invoiceFixture({ status: 'voided' as never }) }));
    expect(document.mark).toBe('VOID');
    expect(document.totals.at(-1)).toEqual({ label: 'Amount due', amount: '0.00', emphasis: 'due' });
    expect(document.paymentInstructions).toEqual(['This invoice was voided: nothing is due.']);
  });

  it('explains trial, prorated and adjustment lines with what the line item carries', () => {
    const fromTo = (from: string, to: string) => ({ from: `2026-11-${from}T00:00:00.000Z`, to: `2026-${to}T00:00:00.000Z`, fraction: '0.5' });
    const trial = { ...FLAT_FEE, quantity: '0', amount: '0.00', trial: true as const, proration: fromTo('01', '11-16') };
    const prorated = { ...FLAT_FEE, amount: '14.50', proration: fromTo('16', '12-01') };
    const adjustment = { ...API_CALLS, amount: '3.20', tiers: undefined, explanation: 'Late usage for 1 Oct 2026 – 31 Oct 2026 (invoice INV-000040)' };
    const described = { ...STORAGE, amount: '0.00', description: 'Storage, committed tier' };
    const invoice = invoiceFixture({ line_items: [trial, prorated, adjustment, described], total_amount: '17.70' });
    const [group] = invoiceDocument(input({ invoice })).groups;
    expect(group.lines.map((line) => [line.description, line.details, line.amount])).toEqual([
      ['Flat fee', ['free trial', 'prorated: 0.5 of a billing cycle, 1 Nov 2026 – 15 Nov 2026'], '0.00'],
      ['Flat fee', ['prorated: 0.5 of a billing cycle, 16 Nov 2026 – 30 Nov 2026'], '14.50'],
      ['API calls', ['graduated tiers', 'Late usage for 1 Oct 2026 – 31 Oct 2026 (invoice INV-000040)'], '3.20'],
      ['Storage, committed tier', ['per unit'], '0.00'],
    ]);
  });

  it('lists discounts, taxes per rate and credits in the contract order when the invoice has them', () => {
    const invoice = {
      ...invoiceFixture({ total_amount: '612.47' }),
      subtotal: '580.45',
      discounts: [{ description: 'Coupon LAUNCH (10% off)', amount: '58.05' }],
      taxes: [
        { display_name: 'VAT', percentage: '20', amount: '89.68' },
        { display_name: 'Digital services levy', percentage: '0.5', amount: '0.39' },
      ],
      credits_applied: '100.00',
      amount_due: '512.47',
    };
    expect(invoiceDocument(input({ invoice })).totals).toEqual([
      { label: 'Subtotal', amount: '580.45', emphasis: 'none' },
      { label: 'Coupon LAUNCH (10% off)', amount: '-58.05', emphasis: 'none' },
      { label: 'VAT (20%)', amount: '89.68', emphasis: 'none' },
      { label: 'Digital services levy (0.5%)', amount: '0.39', emphasis: 'none' },
      { label: 'Total', amount: '612.47', emphasis: 'total' },
      { label: 'Credits applied', amount: '-100.00', emphasis: 'none' },
      { label: 'Amount due', amount: '512.47', emphasis: 'due' },
    ]);
  });

  it('shows credit notes issued before payment between the total and the amount due, and those after payment beside it', () => {
    const unpaid = invoiceDocument(input({ invoice: invoiceFixture({ credited_amount: '80.45', amount_due: '500.00' }) }));
    expect(unpaid.totals).toEqual([
      { label: 'Subtotal', amount: '580.45', emphasis: 'none' },
      { label: 'Total', amount: '580.45', emphasis: 'total' },
      { label: 'Credit notes', amount: '-80.45', emphasis: 'none' },
      { label: 'Amount due', amount: '500.00', emphasis: 'due' },
    ]);
    expect(unpaid.paymentInstructions[0]).toBe('Please pay 500.00 USD by 31 Dec 2026, quoting invoice number INV-000042.');

    const refunded = invoiceDocument(
      input({ invoice: invoiceFixture({ status: 'paid', paid_at: '2026-12-03T10:00:00.000Z', credited_amount: '100.45', amount_due: '500.00' }) }),
    );
    expect(refunded.totals.slice(-3)).toEqual([
      { label: 'Credit notes', amount: '-80.45', emphasis: 'none' },
      { label: 'Amount paid', amount: '-500.00', emphasis: 'none' },
      { label: 'Amount due', amount: '0.00', emphasis: 'due' },
    ]);
    expect(refunded.paymentInstructions).toEqual([
      'Paid on 3 Dec 2026. Thank you.',
      "Credit notes after payment: 20.00 USD refunded or credited to the customer's balance.",
    ]);
  });

  it('formats money by currency: JPY without decimals, KWD with three', () => {
    const yen = invoiceDocument(
      input({
        invoice: invoiceFixture({
          currency: 'JPY',
          total_amount: '1234567',
          line_items: [{ ...STORAGE, quantity: '2469134', amount: '1234567' }],
        }),
      }),
    );
    expect(yen.groups[0].lines[0].amount).toBe('1,234,567');
    expect(yen.amountDue).toBe('1,234,567 JPY');
    const dinar = invoiceDocument(
      input({
        invoice: invoiceFixture({
          currency: 'KWD',
          total_amount: '1234.500',
          line_items: [{ ...SEATS, amount: '1234.500', tiers: [{ ...SEATS.tiers![0], unit_amount: '29.3452', flat_amount: '2', amount: '1234.4984' }] }],
        }),
      }),
    );
    expect(dinar.groups[0].lines[0].amount).toBe('1,234.500');
    expect(dinar.groups[0].lines[0].tiers[0]).toMatchObject({ unitPrice: '29.3452', flatAmount: '2.000', amount: '1,234.4984' });
    expect(dinar.totals.at(-1)).toEqual({ label: 'Amount due', amount: '1,234.500', emphasis: 'due' });
  });

  it('heads each subscription with its plan and period when the invoice covers several', () => {
    const base = invoiceFixture();
    const invoice = invoiceFixture({
      line_groups: [
        base.line_groups[0],
        { ...base.line_groups[0], subscription_id: 'sub_2', plan_id: 'plan_seats', plan_version: 1, period_start: '2026-11-11T14:38:00.000Z' },
      ],
      line_items: [API_CALLS, { ...SEATS, subscription_id: 'sub_2' }],
    });
    const groups = invoiceDocument(input({ invoice })).groups;
    expect(groups.map((group) => [group.heading, group.lines.map((line) => line.description)])).toEqual([
      ['Subscription sub_1 · plan plan_growth v3 · 1 Nov 2026 – 30 Nov 2026', ['API calls']],
      ['Subscription sub_2 · plan plan_seats v1 · 11 Nov 2026 14:38 – 1 Dec 2026 00:00 UTC', ['Seats']],
    ]);
  });

  it('prints every line item exactly once: a subscription in several groups (plan phases) under one heading, unknown ones last', () => {
    const base = invoiceFixture().line_groups[0];
    const invoice = invoiceFixture({
      line_groups: [
        { ...base, period_end: '2026-11-16T00:00:00.000Z' },
        { ...base, plan_version: 4, period_start: '2026-11-16T00:00:00.000Z' },
        { ...base, subscription_id: 'sub_2', plan_id: 'plan_seats', plan_version: 1 },
      ],
      line_items: [API_CALLS, { ...SEATS, subscription_id: 'sub_2' }, { ...FLAT_FEE, subscription_id: 'sub_elsewhere' }, STORAGE],
    });
    const groups = invoiceDocument(input({ invoice })).groups;
    expect(groups.map((group) => [group.heading, group.lines.map((line) => line.description)])).toEqual([
      ['Subscription sub_1 · plan plan_growth v3, plan_growth v4 · 1 Nov 2026 – 30 Nov 2026', ['API calls', 'Storage (GB-months)']],
      ['Subscription sub_2 · plan plan_seats v1 · 1 Nov 2026 – 30 Nov 2026', ['Seats']],
      ['Other lines', ['Flat fee']],
    ]);
  });

  it('prints without an issuer until settings exist, the customer by id when it has no name, and a metric by key when unnamed', () => {
    const document = invoiceDocument(
      input({
        issued: issuedFixture({ issuer: null, billed_to: { customer_id: 'cust_acme', name: null, email: null, address: null, tax_id: null } }),
        metricNames: new Map(),
      }),
    );
    expect(document.issuer).toBeNull();
    expect(document.billedTo).toEqual({ name: 'cust_acme', lines: [] });
    expect(document.groups[0].lines[0].description).toBe('api_calls');
    expect(document.subject).toBe('Invoice INV-000042: 580.45 USD due 31 Dec 2026');
    expect(document.paymentInstructions).toEqual(['Please pay 580.45 USD by 31 Dec 2026, quoting invoice number INV-000042.']);
  });

  it('keeps the logo only when the issuer snapshot names one', () => {
    const logo = Buffer.from('png');
    expect(invoiceDocument(input({ logoPng: logo })).logoPng).toBeNull();
    const withLogo = issuedFixture();
    withLogo.issuer!.logo_sha256 = 'a'.repeat(64);
    expect(invoiceDocument(input({ issued: withLogo, logoPng: logo })).logoPng).toBe(logo);
  });
});
