import Big from 'big.js';
import type { UnpricedUsageJson } from '@abaxus/contracts/pricing-calculation';
import type { PhaseMarkerJson, ProratedCalculation, ProratedLineItemJson } from './prorated-calculation';
import type { InvoiceStatus } from '@abaxus/domain/invoice/invoice-lifecycle';
import type { PaymentAttemptStatus } from '@abaxus/domain/invoice/payment-attempt';
import { formatAmount } from '@abaxus/domain/money/decimal';
import { amountDue } from '@abaxus/domain/invoice/credit-note';
import type { AdjustmentsSnapshot } from '../adjustments/invoice-adjuster';

/** One subscription's part of an invoice: its own period and the calculation it was priced by. */
export interface InvoiceLineGroupJson {
  subscription_id: string;
  plan_id: string;
  plan_version: number;
  period_start: string;
  period_end: string;
  calculation_id: string;
  amount: string;
  /** The plan phase this group was priced by (subscriptions that changed plan: one group per phase). */
  phase?: PhaseMarkerJson;
  /** Late usage: this group's lines adjust the period of an earlier invoice. */
  adjustment?: { invoice_id: string; invoice_number: string };
  /** The calculation's usage that no charge priced (API.md Part II §8), when there was some. */
  unpriced?: UnpricedUsageJson[];
}

export type InvoiceLineItemJson = { subscription_id: string } & ProratedLineItemJson;

/** What an invoice was issued with; stored as text and never changed afterwards. */
export interface InvoiceSnapshot {
  line_groups: InvoiceLineGroupJson[];
  line_items: InvoiceLineItemJson[];
  calculation_ids: string[];
  /** Discounts, minimum, taxes and credits as issued; absent on invoices issued before they existed. */
  adjustments?: AdjustmentsSnapshot;
}

export interface PaymentAttemptJson {
  attempt: number;
  status: PaymentAttemptStatus;
  payment_intent: string | null;
  failure_code: string | null;
  decline_code: string | null;
  created_at: string;
}

export type InvoiceJson = Omit<InvoiceSnapshot, 'adjustments'> &
  Omit<AdjustmentsSnapshot, 'line_taxes'> & {
    /** Tax of each line under each rate (`line` names the line item, e.g. `line_items[0]`, or `minimum_commitment`). */
    line_taxes: AdjustmentsSnapshot['line_taxes'];
  } & InvoiceFields;

interface InvoiceFields {
  id: string;
  number: string;
  customer_id: string;
  status: InvoiceStatus;
  currency: string;
  period_start: string;
  period_end: string;
  total_amount: string;
  payment_intent: string | null;
  sent_at: string | null;
  paid_at: string | null;
  archived_at: string | null;
  created_at: string;
  payment_attempts: PaymentAttemptJson[];
  /** Automatic collection (Part II §4); null when the invoice is collected by API calls. */
  collection?: CollectionJson | null;
  /** Only on an invoice with credit notes: what they credited in all (amount_due is net of what they credited before payment). */
  credited_amount?: string;
}

export interface CollectionJson {
  attempts: number;
  next_attempt_at: string | null;
  state: 'pending' | 'retrying' | 'succeeded' | 'exhausted' | 'canceled';
}

export interface CollectionRecord {
  attempts: number;
  next_attempt_at: Date | null;
  state: CollectionJson['state'];
}

/**
 * Builds the snapshot from the stored calculations (flat fees prorated on cycled plans), one group
 * per subscription (per plan phase of one that changed plan), and their total.
 */
export function snapshotOf(currency: string, priced: readonly ProratedCalculation[]): { snapshot: InvoiceSnapshot; total: Big } {
  let total = new Big(0);
  for (const { calculation, total: amount } of priced) {
    if (calculation.currency !== currency) {
      throw new Error(`calculation ${calculation.calculation_id} is in ${calculation.currency}, the invoice in ${currency}`);
    }
    total = total.plus(amount);
  }
  const snapshot: InvoiceSnapshot = {
    line_groups: priced.map(({ calculation, total: amount, phase, adjustment }) => ({
      subscription_id: calculation.subscription_id,
      plan_id: calculation.plan_id,
      plan_version: calculation.plan_version,
      period_start: calculation.period_start,
      period_end: calculation.period_end,
      calculation_id: calculation.calculation_id,
      amount: formatAmount(amount, currency),
      ...(phase ? { phase } : {}),
      ...(adjustment ? { adjustment } : {}),
      ...(calculation.unpriced ? { unpriced: calculation.unpriced } : {}),
    })),
    line_items: priced.flatMap(({ calculation, line_items }) => line_items.map((item) => ({ subscription_id: calculation.subscription_id, ...item }))),
    calculation_ids: priced.map(({ calculation }) => calculation.calculation_id),
  };
  return { snapshot, total: new Big(formatAmount(total, currency)) };
}

/** The fields of a stored invoice row and its payment attempts that the API shows. */
export interface InvoiceRecord {
  id: string;
  number: string;
  customer_id: string;
  status: InvoiceStatus;
  currency: string;
  period_start: Date;
  period_end: Date;
  total_amount: string;
  /** Null on invoices issued before adjustments existed: their total. */
  amount_due?: string | null;
  snapshot: string;
  payment_intent: string | null;
  sent_at: Date | null;
  paid_at: Date | null;
  archived_at: Date | null;
  created_at: Date;
  /** Credit notes' running sums (absent on rows written before credit notes existed: zero). */
  credited_amount?: string;
  pre_payment_credited_amount?: string;
}

/**
 * What is still to pay on an invoice, what a charge asks for: the amount due at issue (the total
 * less prepaid credits applied) less what credit notes credited before it was paid.
 */
export function invoiceAmountDue(invoice: Pick<InvoiceRecord, 'total_amount' | 'amount_due' | 'pre_payment_credited_amount'>): Big {
  return amountDue(new Big(invoice.amount_due ?? invoice.total_amount), new Big(invoice.pre_payment_credited_amount ?? 0));
}

export interface PaymentAttemptRecord {
  attempt_number: number;
  status: PaymentAttemptStatus;
  payment_intent_id: string | null;
  failure_code: string | null;
  decline_code: string | null;
  created_at: Date;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function invoiceToJson(invoice: InvoiceRecord, attempts: readonly PaymentAttemptRecord[], collection: CollectionRecord | null = null): InvoiceJson {
  const snapshot = JSON.parse(invoice.snapshot) as InvoiceSnapshot;
  return {
    id: invoice.id,
    number: invoice.number,
    customer_id: invoice.customer_id,
    status: invoice.status,
    currency: invoice.currency,
    period_start: invoice.period_start.toISOString(),
    period_end: invoice.period_end.toISOString(),
    total_amount: formatAmount(new Big(invoice.total_amount), invoice.currency),
    ...waterfallOf(invoice, snapshot),
    line_groups: snapshot.line_groups,
    line_items: snapshot.line_items,
    calculation_ids: snapshot.calculation_ids,
    payment_intent: invoice.payment_intent,
    sent_at: iso(invoice.sent_at),
    paid_at: iso(invoice.paid_at),
    archived_at: iso(invoice.archived_at),
    created_at: invoice.created_at.toISOString(),
    payment_attempts: attempts.map((attempt) => ({
      attempt: attempt.attempt_number,
      status: attempt.status,
      payment_intent: attempt.payment_intent_id,
      failure_code: attempt.failure_code,
      decline_code: attempt.decline_code,
      created_at: attempt.created_at.toISOString(),
    })),
    collection: collection ? { attempts: collection.attempts, next_attempt_at: iso(collection.next_attempt_at), state: collection.state } : null,
    ...(new Big(invoice.credited_amount ?? 0).gt(0) ? { credited_amount: formatAmount(new Big(invoice.credited_amount!), invoice.currency) } : {}),
  };
}

/** The §7 amounts; an invoice issued before they existed reads as one without discounts, taxes or credits. */
function waterfallOf(invoice: InvoiceRecord, snapshot: InvoiceSnapshot): AdjustmentsSnapshot {
  const total = formatAmount(new Big(invoice.total_amount), invoice.currency);
  const zero = formatAmount(new Big(0), invoice.currency);
  const issued = snapshot.adjustments ?? {
    subtotal: total,
    discount_amount: zero,
    discounts: [],
    minimum_commitment: null,
    tax_amount: zero,
    taxes: [],
    line_taxes: [],
    credits_applied: zero,
    credits: [],
    amount_due: total,
  };
  return { ...issued, amount_due: formatAmount(invoiceAmountDue(invoice), invoice.currency) };
}
