import { INVOICE_ACTIONS, INVOICE_STATUSES, InvoiceAction, InvoiceStatus, canTransition, transition } from './invoice-lifecycle';

describe('invoice lifecycle', () => {
  const allowed: Array<[InvoiceStatus, InvoiceAction, InvoiceStatus]> = [
    ['issued', 'send_email', 'issued'],
    ['issued', 'charge', 'paid'],
    ['issued', 'mark_paid', 'paid'],
    ['issued', 'archive', 'archived'],
    ['paid', 'archive', 'archived'],
    ['issued', 'void', 'voided'],
  ];

  it.each(allowed)('%s —%s→ %s', (from, action, to) => {
    expect(transition(from, action)).toEqual({ ok: true, status: to });
    expect(canTransition(from, action)).toBe(true);
  });

  const refused = INVOICE_STATUSES.flatMap((status) =>
    INVOICE_ACTIONS.filter((action) => !allowed.some(([s, a]) => s === status && a === action)).map(
      (action) => [status, action] as [InvoiceStatus, InvoiceAction],
    ),
  );

  it('refuses exactly the other fourteen moves (a paid, archived or voided invoice is never voided)', () => {
    expect(refused).toEqual([
      ['paid', 'send_email'],
      ['paid', 'charge'],
      ['paid', 'mark_paid'],
      ['paid', 'void'],
      ['archived', 'send_email'],
      ['archived', 'charge'],
      ['archived', 'mark_paid'],
      ['archived', 'archive'],
      ['archived', 'void'],
      ['voided', 'send_email'],
      ['voided', 'charge'],
      ['voided', 'mark_paid'],
      ['voided', 'archive'],
      ['voided', 'void'],
    ]);
  });

  it.each(refused)('%s —%s→ refused with invalid_transition', (status, action) => {
    const result = transition(status, action);
    expect(result).toEqual({ ok: false, code: 'invalid_transition', message: expect.stringContaining(`invoice that is ${status}`) });
    expect(canTransition(status, action)).toBe(false);
  });

  it('says what was attempted', () => {
    expect(transition('paid', 'charge')).toEqual({ ok: false, code: 'invalid_transition', message: 'cannot charge an invoice that is paid' });
    expect(transition('archived', 'send_email')).toEqual({
      ok: false,
      code: 'invalid_transition',
      message: 'cannot send email an invoice that is archived',
    });
  });
});
