import Big from 'big.js';
import { IDEMPOTENCY_KEY_TRUSTED_MS } from './payment-attempt';
import {
  allocateCredit,
  refundCall,
  amountDue,
  creditNoteSettlement,
  CreditableInvoice,
  lineItemId,
  lineItemIndex,
  parseCreditAmount,
  remainingCreditable,
} from './credit-note';

const invoice = (overrides: Partial<CreditableInvoice> = {}): CreditableInvoice => ({
  currency: 'USD',
  total: new Big('100.00'),
  credited: new Big(0),
  lines: [
    { amount: new Big('70.00'), credited: new Big(0) },
    { amount: new Big('30.00'), credited: new Big(0) },
  ],
  ...overrides,
});

const allocated = (result: ReturnType<typeof allocateCredit>) => {
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return { amount: result.allocation.amount.toFixed(), lines: result.allocation.lines.map((line) => [line.index, line.amount.toFixed()]) };
};

describe('credit notes', () => {
  it('knows what is left to credit and what is due, never below zero', () => {
    expect(remainingCreditable(new Big('100'), new Big('30.5')).toFixed()).toBe('69.5');
    expect(remainingCreditable(new Big('100'), new Big('100')).toFixed()).toBe('0');
    expect(remainingCreditable(new Big('-5'), new Big(0)).toFixed()).toBe('0');
    expect(amountDue(new Big('47.50'), new Big('47.50')).toFixed()).toBe('0');
    expect(amountDue(new Big('47.50'), new Big('7.49')).toFixed()).toBe('40.01');
  });

  it('names line items by their position in the invoice', () => {
    expect(lineItemId(0)).toBe('li_0');
    expect(lineItemIndex('li_12')).toBe(12);
    for (const bad of ['li_-1', 'li_01', 'li_', 'LI_1', 'li_1.0', 3, null]) expect(lineItemIndex(bad)).toBeUndefined();
  });

  describe('amounts in the minor unit of the invoice currency', () => {
    it.each([
      ['USD', '0.01', true],
      ['USD', '12.345', false],
      ['JPY', '120', true],
      ['JPY', '120.5', false],
      ['KWD', '1.235', true],
      ['KWD', '1.2355', false],
    ])('%s %s → accepted %s', (currency, amount, ok) => {
      expect(parseCreditAmount(amount, currency).ok).toBe(ok);
    });

    it('refuses zero, negatives, floats that are not exact, and says how many digits the currency has', () => {
      expect(parseCreditAmount('0.00', 'USD')).toEqual({ ok: false, message: 'must be greater than zero' });
      expect(parseCreditAmount('-1', 'USD')).toEqual({ ok: false, message: 'must not be negative' });
      expect(parseCreditAmount(0.1 + 0.2, 'USD').ok).toBe(false);
      expect(parseCreditAmount('1.5', 'JPY')).toEqual({ ok: false, message: 'must have at most 0 fractional digits (JPY has 0)' });
      expect(parseCreditAmount(5, 'USD')).toMatchObject({ ok: true });
    });
  });

  describe('a lump-sum credit', () => {
    it('may take all that is left of the total, not a cent more', () => {
      expect(allocated(allocateCredit(invoice({ credited: new Big('40.00') }), { amount: '60.00' }))).toEqual({ amount: '60', lines: [] });
      expect(allocateCredit(invoice({ credited: new Big('40.00') }), { amount: '60.01' })).toEqual({
        ok: false,
        status: 422,
        code: 'credit_exceeds_remaining',
        field: 'amount',
        message: '60.01 USD is more than is left to credit on the invoice (60.00 USD of its total 100.00 USD)',
      });
    });

    it('refuses a fully credited invoice and malformed amounts (400, with the field)', () => {
      expect(allocateCredit(invoice({ credited: new Big('100') }), { amount: '0.01' })).toMatchObject({ ok: false, status: 422 });
      expect(allocateCredit(invoice(), { amount: '1.001' })).toMatchObject({ ok: false, status: 400, field: 'amount' });
      expect(allocateCredit(invoice(), { amount: undefined })).toMatchObject({ ok: false, status: 400, field: 'amount' });
    });

    it('works in JPY and KWD', () => {
      const jpy = invoice({ currency: 'JPY', total: new Big('1200'), lines: [{ amount: new Big('1200'), credited: new Big(0) }] });
      expect(allocated(allocateCredit(jpy, { amount: '1200' })).amount).toBe('1200');
      expect(allocateCredit(jpy, { amount: '1201' })).toMatchObject({
        ok: false,
        message: '1201 JPY is more than is left to credit on the invoice (1200 JPY of its total 1200 JPY)',
      });
      const kwd = invoice({ currency: 'KWD', total: new Big('1.235'), lines: [{ amount: new Big('1.235'), credited: new Big(0) }] });
      expect(allocated(allocateCredit(kwd, { amount: '1.235' })).amount).toBe('1.235');
      expect(allocateCredit(kwd, { amount: '1.236' })).toMatchObject({
        ok: false,
        code: 'credit_exceeds_remaining',
        message: '1.236 KWD is more than is left to credit on the invoice (1.235 KWD of its total 1.235 KWD)',
      });
    });
  });

  describe('credits per line item', () => {
    it('sum the lines, each within what is left of it', () => {
      const partly = invoice({
        credited: new Big('20'),
        lines: [
          { amount: new Big('70'), credited: new Big('20') },
          { amount: new Big('30'), credited: new Big(0) },
        ],
      });
      expect(
        allocated(
          allocateCredit(partly, {
            lineItems: [
              { line_item_id: 'li_1', amount: '30' },
              { line_item_id: 'li_0', amount: '50.00' },
            ],
          }),
        ),
      ).toEqual({
        amount: '80',
        lines: [
          [1, '30'],
          [0, '50'],
        ],
      });
      expect(allocateCredit(partly, { lineItems: [{ line_item_id: 'li_0', amount: '50.01' }] })).toEqual({
        ok: false,
        status: 422,
        code: 'line_credit_exceeds_remaining',
        field: 'line_items[0].amount',
        message: '50.01 USD is more than is left to credit on line li_0 (50.00 USD of 70.00 USD)',
      });
    });

    it('are bounded by the invoice as well: lump sums already credited count', () => {
      expect(allocateCredit(invoice({ credited: new Big('90') }), { lineItems: [{ line_item_id: 'li_1', amount: '10.01' }] })).toMatchObject({
        ok: false,
        code: 'credit_exceeds_remaining',
        field: 'line_items',
      });
    });

    it('refuse unknown, repeated and missing lines, naming the field', () => {
      expect(allocateCredit(invoice(), { lineItems: [] })).toMatchObject({ ok: false, status: 400, field: 'line_items' });
      expect(allocateCredit(invoice(), { lineItems: [{ line_item_id: 'li_2', amount: '1' }] })).toMatchObject({
        ok: false,
        status: 422,
        code: 'unknown_line_item',
        field: 'line_items[0].line_item_id',
      });
      expect(
        allocateCredit(invoice(), {
          lineItems: [
            { line_item_id: 'li_0', amount: '1' },
            { line_item_id: 'li_0', amount: '1' },
          ],
        }),
      ).toMatchObject({ ok: false, status: 400, field: 'line_items[1].line_item_id' });
      expect(allocateCredit(invoice(), { lineItems: [{ line_item_id: 'li_0', amount: '-1' }] })).toMatchObject({ ok: false, field: 'line_items[0].amount' });
    });

    it('never credit a line whose amount is zero or negative (a trial line, a late-usage credit line)', () => {
      const lines = [
        { amount: new Big('0'), credited: new Big(0) },
        { amount: new Big('-5'), credited: new Big(0) },
      ];
      expect(allocateCredit(invoice({ lines }), { lineItems: [{ line_item_id: 'li_0', amount: '0.01' }] })).toMatchObject({
        code: 'line_credit_exceeds_remaining',
      });
      expect(allocateCredit(invoice({ lines }), { lineItems: [{ line_item_id: 'li_1', amount: '0.01' }] })).toMatchObject({
        code: 'line_credit_exceeds_remaining',
      });
    });
  });

  it('settles by the invoice status: amount due while unpaid, refund or balance once paid, nothing when closed', () => {
    expect(creditNoteSettlement('issued', false)).toEqual({ ok: true, settlement: 'amount_due' });
    expect(creditNoteSettlement('issued', true)).toMatchObject({ ok: false, status: 422, code: 'nothing_to_refund', field: 'refund' });
    expect(creditNoteSettlement('paid', true)).toEqual({ ok: true, settlement: 'refund' });
    expect(creditNoteSettlement('paid', false)).toEqual({ ok: true, settlement: 'credit_balance' });
    expect(creditNoteSettlement('voided', false)).toMatchObject({ ok: false, status: 409, code: 'invoice_not_creditable' });
    expect(creditNoteSettlement('archived', true)).toMatchObject({ ok: false, status: 409, code: 'invoice_not_creditable' });
  });

  it('reads a known refund, resends a pending one while Stripe keeps its key, and looks it up after', () => {
    const createdAt = new Date('2026-04-01T00:00:00Z');
    const after = (ms: number) => new Date(createdAt.getTime() + ms);
    expect(refundCall('re_1', createdAt, after(48 * 3_600_000))).toBe('read');
    expect(refundCall(null, createdAt, after(60_000))).toBe('send');
    expect(refundCall(null, createdAt, after(IDEMPOTENCY_KEY_TRUSTED_MS - 1))).toBe('send');
    expect(refundCall(null, createdAt, after(IDEMPOTENCY_KEY_TRUSTED_MS))).toBe('look_up');
  });
});
