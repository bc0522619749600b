import type { OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import type { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { TestClock } from '@abaxus/platform/testing/test-clock';
import type { InvoiceChanges, InvoiceRow, InvoicesRepository } from '../invoices/invoices.repository';
import type { AttemptResult, PaymentAttemptRow, PaymentAttemptsRepository } from './payment-attempts.repository';
import { PaymentSettlement } from './payment-settlement.service';
import type { AttemptPaymentsLookup, ReportedPaymentIntent, StripePaymentsClient } from './stripe-payments.client';

const invoice: InvoiceRow = {
  id: 'inv_1',
  sequence: '1',
  number: 'INV-000001',
  customer_id: 'cust_1',
  status: 'issued',
  currency: 'USD',
  period_start: new Date('2026-03-01T00:00:00Z'),
  period_end: new Date('2026-04-01T00:00:00Z'),
  total_amount: '41.50',
  snapshot: '{}',
  payment_intent: null,
  sent_at: null,
  paid_at: null,
  archived_at: null,
  created_at: new Date('2026-04-01T00:00:00Z'),
};

const attempt = (overrides: Partial<PaymentAttemptRow> = {}): PaymentAttemptRow => ({
  invoice_id: 'inv_1',
  attempt_number: 1,
  idempotency_key: 'abaxus-inv_1-charge-1',
  status: 'unknown',
  amount_minor: '4150',
  currency: 'USD',
  payment_intent_id: null,
  failure_code: null,
  decline_code: null,
  failure_message: null,
  provider_customer_id: 'cus_1',
  provider_payment_method: 'pm_card_visa',
  claimed_by: 'claim-1',
  claimed_until: null,
  created_at: new Date('2026-04-01T00:00:00Z'),
  ...overrides,
});

const intent = (overrides: Partial<ReportedPaymentIntent> = {}): ReportedPaymentIntent => ({
  id: 'pi_1',
  amount: 4150,
  currency: 'usd',
  status: 'succeeded',
  last_payment_error: null,
  metadata: { invoice_id: 'inv_1', attempt: '1' },
  ...overrides,
});

/** The settlement with small fakes: one invoice, one attempt row, a Stripe whose answers the test sets. */
function settlementWith(options: { lookup?: AttemptPaymentsLookup; stored?: PaymentAttemptRow; recordWins?: boolean; sendThrows?: Error }) {
  const written: AttemptResult[] = [];
  const invoiceChanges: InvoiceChanges[] = [];
  const emitted: OutgoingMessage[] = [];
  const released: string[] = [];
  const stripe = {
    paymentsOfAttempt: async () => options.lookup ?? { ok: true, intents: [] },
    chargeOffSession: async () => {
      if (options.sendThrows) throw options.sendThrows;
      return { kind: 'succeeded', paymentIntentId: 'pi_sent' };
    },
  } as unknown as StripePaymentsClient;
  const attempts = {
    recordOutcome: async (_m: unknown, _k: unknown, _e: unknown, _c: unknown, result: AttemptResult) => {
      if (options.recordWins === false) return false;
      written.push(result);
      return true;
    },
    find: async () => options.stored,
    release: async (_key: unknown, claim: string) => void released.push(claim),
  } as unknown as PaymentAttemptsRepository;
  const invoices = {
    lockForRecord: async () => ({ ...invoice }),
    update: async (_m: unknown, _id: string, changes: InvoiceChanges) => void invoiceChanges.push(changes),
    addHistory: async () => undefined,
  } as unknown as InvoicesRepository;
  const outbox = {
    transaction: (work: (tx: unknown) => Promise<unknown>) => work({ manager: {}, emit: (message: OutgoingMessage) => emitted.push(message) }),
  } as unknown as ServiceOutbox;
  const settlement = new PaymentSettlement(loadConfig({}), new TestClock(), stripe, attempts, invoices, outbox);
  return { settlement, written, invoiceChanges, emitted, released };
}

const claimed = (call: 'send' | 'look_up', row = attempt()) => ({ invoice, attempt: row, claim: 'claim-1', call });

describe('PaymentSettlement', () => {
  it('settles a looked-up attempt by the PaymentIntent with its metadata, amount and currency, and pays the invoice', async () => {
    const { settlement, written, invoiceChanges, emitted } = settlementWith({
      lookup: { ok: true, intents: [intent({ id: 'pi_other_amount', amount: 1 }), intent({ id: 'pi_1' })] },
    });
    expect(await settlement.settle(claimed('look_up'))).toEqual({ kind: 'succeeded', paymentIntentId: 'pi_1' });
    expect(written).toEqual([expect.objectContaining({ status: 'succeeded', payment_intent_id: 'pi_1' })]);
    expect(invoiceChanges).toEqual([expect.objectContaining({ status: 'paid', payment_intent: 'pi_1' })]);
    expect(emitted.map((message) => JSON.parse(message.value).type)).toEqual(['invoice.paid']);
  });

  it('records a look-up that finds nothing of ours as failed (payment_not_found), changing nothing on the invoice', async () => {
    const { settlement, written, invoiceChanges } = settlementWith({ lookup: { ok: true, intents: [intent({ currency: 'eur' })] } });
    expect((await settlement.settle(claimed('look_up'))).kind).toBe('not_found');
    expect(written).toEqual([expect.objectContaining({ status: 'failed', failure_code: 'payment_not_found' })]);
    expect(invoiceChanges).toEqual([]);
  });

  it('keeps the outcome unknown when the look-up itself fails: a failed search proves nothing', async () => {
    const { settlement, written } = settlementWith({
      lookup: { ok: false, outcome: { kind: 'rejected', providerStatus: 400, providerCode: 'invalid_request_error', message: 'search is unavailable' } },
    });
    expect((await settlement.settle(claimed('look_up'))).kind).toBe('unknown');
    expect(written).toEqual([expect.objectContaining({ status: 'unknown' })]);
  });

  it('answers from the stored attempt when the webhook settled it while Stripe was being called', async () => {
    const { settlement, invoiceChanges } = settlementWith({
      recordWins: false,
      stored: attempt({ status: 'succeeded', payment_intent_id: 'pi_from_webhook', claimed_by: null }),
    });
    expect(await settlement.settle(claimed('send'))).toEqual({ kind: 'succeeded', paymentIntentId: 'pi_from_webhook' });
    expect(invoiceChanges).toEqual([]);
  });

  it('gives the claim up when the call could not be made at all', async () => {
    const { settlement, released, written } = settlementWith({ sendThrows: new Error('boom') });
    await expect(settlement.settle(claimed('send'))).rejects.toThrow('boom');
    expect(released).toEqual(['claim-1']);
    expect(written).toEqual([]);
  });
});
