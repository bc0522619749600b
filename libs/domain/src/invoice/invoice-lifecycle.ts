/*
 * Invoice lifecycle (contract §3): issued —send_email→ issued —charge / mark_paid→ paid;
 * issued or paid —archive→ archived; issued (unpaid) —void→ voided (Part II §6; its number stays
 * used). Everything else is refused (HTTP 409 at the edge).
 * mark_paid is the same move as charge without a payment attempt here (e.g. the Stripe webhook
 * confirming a payment that needed customer action).
 */
export type InvoiceStatus = 'issued' | 'paid' | 'archived' | 'voided';
export type InvoiceAction = 'send_email' | 'charge' | 'mark_paid' | 'archive' | 'void';

export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['issued', 'paid', 'archived', 'voided'];
export const INVOICE_ACTIONS: readonly InvoiceAction[] = ['send_email', 'charge', 'mark_paid', 'archive', 'void'];

export type TransitionResult = { ok: true; status: InvoiceStatus } | { ok: false; code: 'invalid_transition'; message: string };

const TRANSITIONS: Record<InvoiceAction, Partial<Record<InvoiceStatus, InvoiceStatus>>> = {
  send_email: { issued: 'issued' },
  charge: { issued: 'paid' },
  mark_paid: { issued: 'paid' },
  archive: { issued: 'archived', paid: 'archived' },
  void: { issued: 'voided' },
};

export function transition(status: InvoiceStatus, action: InvoiceAction): TransitionResult {
  const next = TRANSITIONS[action]?.[status];
  if (next === undefined) {
    return { ok: false, code: 'invalid_transition', message: `cannot ${action.replace('_', ' ')} an invoice that is ${status}` };
  }
  return { ok: true, status: next };
}

export function canTransition(status: InvoiceStatus, action: InvoiceAction): boolean {
  return transition(status, action).ok;
}
