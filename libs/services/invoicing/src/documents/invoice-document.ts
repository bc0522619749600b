import Big from 'big.js';
import { postalAddressLines } from '@abaxus/domain/address/postal-address';
import { displayAmount, displayExactAmount, displayQuantity } from '@abaxus/domain/money/money-display';
import { displayDate, displayPeriod, dueDate } from '@abaxus/domain/time/date-display';
import type { InvoiceJson, InvoiceLineGroupJson, InvoiceLineItemJson } from '../invoices/invoice-json';
import type { IssuedDocumentSnapshot } from './issued-document-snapshot';

/*
 * One model of an invoice's document, worked out once from the stored invoice, so that the PDF,
 * the HTML email and the text email show the same thing. Every amount is already a display
 * string (formatted per currency from decimal strings); renderers only lay them out.
 */

export interface DocumentParty {
  name: string;
  /** Address lines, tax id, email: one printed line each. */
  lines: string[];
}

export interface DocumentFact {
  label: string;
  value: string;
}

/** A tier of a line, as the stored calculation has it. */
export interface DocumentTierLine {
  description: string;
  quantity: string;
  unitPrice: string;
  flatAmount: string;
  amount: string;
}

export interface DocumentLine {
  description: string;
  /** The model, and any explanation (proration, adjustment) the line item carries. */
  details: string[];
  quantity: string;
  amount: string;
  tiers: DocumentTierLine[];
}

export interface DocumentLineGroup {
  /** Set when the invoice covers several subscriptions or periods. */
  heading: string | null;
  lines: DocumentLine[];
}

export interface DocumentTotal {
  label: string;
  amount: string;
  /** `total` and `due` are printed bold. */
  emphasis: 'none' | 'total' | 'due';
}

export interface InvoiceDocument {
  /** "Invoice" or "Credit note". */
  title: string;
  number: string;
  /** The PDF's creation date: the same invoice in the same state renders to the same bytes. */
  issuedAt: Date;
  subject: string;
  currency: string;
  /** Stamped across the document by status. */
  mark: 'PAID' | 'VOID' | null;
  issuer: DocumentParty | null;
  logoPng: Buffer | null;
  billedTo: DocumentParty;
  facts: DocumentFact[];
  groups: DocumentLineGroup[];
  totals: DocumentTotal[];
  /** With its currency: "1,234.50 USD". */
  amountDue: string;
  /** The heading of the payment instructions in the PDF ("Payment"; a credit note says how it is given back). */
  closingHeading: string;
  paymentInstructions: string[];
  footer: string | null;
}

export interface InvoiceDocumentInput {
  invoice: InvoiceJson;
  issued: IssuedDocumentSnapshot;
  /** Metric key → name (metrics never change, so today's name is the name at issue). */
  metricNames: ReadonlyMap<string, string>;
  logoPng: Buffer | null;
}

/*
 * Fields that later kinds of lines and invoices will carry (contract Part II: adjustments,
 * discounts, taxes, credits; names as in API.md §6–7). Read when present, so such invoices print
 * without more work; absent today, and then nothing of them is shown. Prorations and trials are
 * read from the line items as billing cycles write them.
 */
interface LaterLineFields {
  description?: string;
  explanation?: string;
}
interface LaterInvoiceFields {
  subtotal?: string;
  discount_amount?: string;
  discounts?: Array<{ description?: string; name?: string; amount: string }>;
  tax_amount?: string;
  taxes?: Array<{ display_name?: string; percentage?: string; amount: string }>;
  credits_applied?: string;
  /** Credit notes (Part II §6), present once the invoice has one. */
  credited_amount?: string;
  amount_due?: string;
  voided_at?: string | null;
}

const MODEL_NAMES: Record<string, string> = {
  per_unit: 'per unit',
  tiered: 'graduated tiers',
  volume: 'volume tiers',
  package: 'package',
  flat_fee: 'flat fee',
};

const modelName = (model: string) => MODEL_NAMES[model] ?? model.replace(/_/g, ' ');
const period = (start: string, end: string) => displayPeriod(new Date(start), new Date(end));
const nonZero = (amount: string | undefined): amount is string => amount !== undefined && !new Big(amount).eq(0);

function party(name: string, lines: Array<string | null | false | undefined>): DocumentParty {
  return { name, lines: lines.filter((line): line is string => typeof line === 'string' && line !== '') };
}

function line(item: InvoiceLineItemJson & LaterLineFields, input: InvoiceDocumentInput): DocumentLine {
  const currency = input.invoice.currency;
  const metricName = item.metric_key === null ? null : (input.metricNames.get(item.metric_key) ?? item.metric_key);
  const description = item.description ?? metricName ?? 'Flat fee';
  const details = [
    item.model === 'flat_fee' && !item.description ? null : modelName(item.model),
    item.trial ? 'free trial' : null,
    item.proration ? `prorated: ${displayQuantity(item.proration.fraction)} of a billing cycle, ${period(item.proration.from, item.proration.to)}` : null,
    item.explanation ?? null,
  ].filter((detail): detail is string => detail !== null);
  return {
    description,
    details,
    quantity: displayQuantity(item.quantity),
    amount: displayAmount(item.amount, currency),
    tiers: (item.tiers ?? []).map((tier) => ({
      description: tier.up_to === null ? `Units above ${displayQuantity(tier.from)}` : `Units ${displayQuantity(tier.from)} – ${displayQuantity(tier.up_to)}`,
      quantity: displayQuantity(tier.quantity),
      unitPrice: displayExactAmount(tier.unit_amount, currency),
      flatAmount: displayExactAmount(tier.flat_amount, currency),
      amount: displayExactAmount(tier.amount, currency),
    })),
  };
}

/**
 * The lines under one heading per subscription (its plans and period), when the invoice covers
 * several; each line item exactly once, in order, whatever groups the invoice has.
 */
function groupsOf(input: InvoiceDocumentInput): DocumentLineGroup[] {
  const { invoice } = input;
  const groupsBySubscription = new Map<string, InvoiceLineGroupJson[]>();
  for (const group of invoice.line_groups) groupsBySubscription.set(group.subscription_id, [...(groupsBySubscription.get(group.subscription_id) ?? []), group]);
  const OTHER = '';
  const linesByKey = new Map<string, DocumentLine[]>([...groupsBySubscription.keys()].map((key) => [key, []]));
  for (const item of invoice.line_items) {
    const key = groupsBySubscription.has(item.subscription_id) ? item.subscription_id : OTHER;
    linesByKey.set(key, [...(linesByKey.get(key) ?? []), line(item, input)]);
  }
  const headed = linesByKey.size > 1;
  return [...linesByKey].map(([key, lines]) => {
    const groups = groupsBySubscription.get(key);
    if (!headed) return { heading: null, lines };
    if (!groups) return { heading: 'Other lines', lines };
    const plans = [...new Set(groups.map((group) => `${group.plan_id} v${group.plan_version}`))].join(', ');
    const start = groups
      .map((group) => group.period_start)
      .reduce((earliest, candidate) => (Date.parse(candidate) < Date.parse(earliest) ? candidate : earliest));
    const end = groups.map((group) => group.period_end).reduce((latest, candidate) => (Date.parse(candidate) > Date.parse(latest) ? candidate : latest));
    return { heading: `Subscription ${key} · plan ${plans} · ${period(start, end)}`, lines };
  });
}

/** Contract §7's order: subtotal → discounts → taxes → total → credits applied → amount due. */
function totalsOf(invoice: InvoiceJson & LaterInvoiceFields, mark: InvoiceDocument['mark']): { rows: DocumentTotal[]; due: Big } {
  const { currency } = invoice;
  const money = (amount: Big | string) => displayAmount(amount, currency);
  const negative = (amount: string) => money(new Big(amount).times(-1));
  const lineSum = invoice.line_items.reduce((sum, item) => sum.plus(item.amount), new Big(0));
  const rows: DocumentTotal[] = [{ label: 'Subtotal', amount: money(invoice.subtotal ?? lineSum), emphasis: 'none' }];
  if (invoice.discounts?.length) {
    for (const discount of invoice.discounts)
      rows.push({ label: discount.description ?? discount.name ?? 'Discount', amount: negative(discount.amount), emphasis: 'none' });
  } else if (nonZero(invoice.discount_amount)) rows.push({ label: 'Discount', amount: negative(invoice.discount_amount), emphasis: 'none' });
  if (invoice.taxes?.length) {
    for (const tax of invoice.taxes) {
      const rate = tax.percentage === undefined ? '' : ` (${displayQuantity(tax.percentage)}%)`;
      rows.push({ label: `${tax.display_name ?? 'Tax'}${rate}`, amount: money(tax.amount), emphasis: 'none' });
    }
  } else if (nonZero(invoice.tax_amount)) rows.push({ label: 'Tax', amount: money(invoice.tax_amount), emphasis: 'none' });
  rows.push({ label: 'Total', amount: money(invoice.total_amount), emphasis: 'total' });
  if (nonZero(invoice.credits_applied)) rows.push({ label: 'Credits applied', amount: negative(invoice.credits_applied), emphasis: 'none' });
  const payable = new Big(invoice.amount_due ?? invoice.total_amount);
  // Credit notes issued before payment are what separates the total (less credits) from the amount due.
  const creditedBeforePayment = new Big(invoice.total_amount).minus(invoice.credits_applied ?? 0).minus(payable);
  if (invoice.credited_amount !== undefined && creditedBeforePayment.gt(0))
    rows.push({ label: 'Credit notes', amount: negative(creditedBeforePayment.toFixed()), emphasis: 'none' });
  if (mark === 'PAID') rows.push({ label: 'Amount paid', amount: negative(payable.toFixed()), emphasis: 'none' });
  const due = mark === null ? payable : new Big(0);
  rows.push({ label: 'Amount due', amount: money(due), emphasis: 'due' });
  return { rows, due };
}

/** Issuer (with its logo) and billed-to blocks, as they were at issue: the same on invoices and credit notes. */
export function documentParties(issued: IssuedDocumentSnapshot, logoPng: Buffer | null): Pick<InvoiceDocument, 'issuer' | 'logoPng' | 'billedTo'> {
  const { issuer, billed_to: billedTo } = issued;
  return {
    issuer: issuer && party(issuer.name, [...postalAddressLines(issuer.address), issuer.tax_id && `Tax ID: ${issuer.tax_id}`, issuer.email]),
    logoPng: issuer?.logo_sha256 ? logoPng : null,
    billedTo: party(billedTo.name ?? billedTo.customer_id, [
      ...(billedTo.address ? postalAddressLines(billedTo.address) : []),
      billedTo.tax_id && `Tax ID: ${billedTo.tax_id}`,
      billedTo.email,
    ]),
  };
}

export function invoiceDocument(input: InvoiceDocumentInput): InvoiceDocument {
  const invoice: InvoiceJson & LaterInvoiceFields = input.invoice;
  const { issued } = input;
  const { currency } = invoice;
  const issuedAt = new Date(invoice.created_at);
  const dueOn = displayDate(dueDate(issuedAt, issued.payment_terms_days));
  const voided = (invoice.status as string) === 'voided';
  const mark = voided ? 'VOID' : invoice.status === 'paid' || invoice.paid_at !== null ? 'PAID' : null;
  const { rows, due } = totalsOf(invoice, mark);
  const amountDue = `${displayAmount(due, currency)} ${currency}`;
  const { issuer } = issued;

  const creditedAfterPayment =
    invoice.credited_amount === undefined
      ? new Big(0)
      : new Big(invoice.credited_amount).minus(
          new Big(invoice.total_amount).minus(invoice.credits_applied ?? 0).minus(invoice.amount_due ?? invoice.total_amount),
        );
  const afterPayment = creditedAfterPayment.gt(0)
    ? [`Credit notes after payment: ${displayAmount(creditedAfterPayment, currency)} ${currency} refunded or credited to the customer's balance.`]
    : [];
  const paymentInstructions = voided
    ? ['This invoice was voided: nothing is due.']
    : mark === 'PAID'
      ? [invoice.paid_at ? `Paid on ${displayDate(new Date(invoice.paid_at))}. Thank you.` : 'Paid. Thank you.', ...afterPayment]
      : [
          due.eq(0)
            ? 'Nothing is due.'
            : `Please pay ${amountDue} by ${dueOn}${issued.payment_terms_days === 0 ? ' (due on receipt)' : ''}, quoting invoice number ${invoice.number}.`,
          ...(issuer?.email ? [`Questions about this invoice: ${issuer.email}`] : []),
        ];

  return {
    title: 'Invoice',
    number: invoice.number,
    issuedAt,
    subject: `Invoice ${invoice.number}${issuer ? ` from ${issuer.name}` : ''}: ${
      mark === null ? `${amountDue} due ${dueOn}` : `${displayAmount(invoice.total_amount, currency)} ${currency}, ${mark.toLowerCase()}`
    }`,
    currency,
    mark,
    ...documentParties(issued, input.logoPng),
    facts: [
      { label: 'Invoice number', value: invoice.number },
      { label: 'Issue date', value: displayDate(issuedAt) },
      { label: 'Due date', value: dueOn },
      { label: 'Period', value: period(invoice.period_start, invoice.period_end) },
      { label: 'Customer ID', value: invoice.customer_id },
    ],
    groups: groupsOf(input),
    totals: rows,
    amountDue,
    closingHeading: 'Payment',
    paymentInstructions,
    footer: issued.footer,
  };
}
