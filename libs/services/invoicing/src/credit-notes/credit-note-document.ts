import { displayAmount } from '@abaxus/domain/money/money-display';
import { displayDate, displayPeriod } from '@abaxus/domain/time/date-display';
import { documentParties, DocumentLine, InvoiceDocument } from '../documents/invoice-document';
import type { IssuedDocumentSnapshot } from '../documents/issued-document-snapshot';
import type { InvoiceJson } from '../invoices/invoice-json';
import type { CreditNoteJson } from './credit-note-json';

/*
 * A credit note's document, in the same model as an invoice's (so the PDF renderer and the email
 * bodies serve both): its own number, the invoice it corrects, each credited line with the
 * invoice line it names, the reason, the amounts and how the credit is given back, under the
 * issuer and customer as they were when the note was issued.
 */

export interface CreditNoteDocumentInput {
  note: CreditNoteJson;
  /** The invoice the note corrects. */
  invoice: InvoiceJson;
  /** The issuer and customer when the note was issued. */
  issued: IssuedDocumentSnapshot;
  metricNames: ReadonlyMap<string, string>;
  logoPng: Buffer | null;
}

const REASONS: Record<CreditNoteJson['reason'], string> = {
  duplicate: 'Duplicate charge',
  product_unsatisfactory: 'Product unsatisfactory',
  order_change: 'Order change',
  other: 'Other',
};

const REFUND_STATES = { pending: 'in progress', succeeded: 'done', failed: 'failed' } as const;

export function creditNoteDocument(input: CreditNoteDocumentInput): InvoiceDocument {
  const { note, invoice } = input;
  const { currency } = note;
  const money = (amount: string) => displayAmount(amount, currency);
  const credited = `${money(note.amount)} ${currency}`;
  const issuedAt = new Date(note.created_at);
  const parties = documentParties(input.issued, input.logoPng);

  const lines: DocumentLine[] =
    note.line_items.length === 0
      ? [
          {
            description: `Credit on invoice ${note.invoice_number}`,
            details: note.memo ? [note.memo] : [],
            quantity: '',
            amount: money(note.amount),
            tiers: [],
          },
        ]
      : note.line_items.map((line) => ({
          description: line.metric_key === null ? 'Flat fee' : (input.metricNames.get(line.metric_key) ?? line.metric_key),
          details: [`credit on line ${line.line_item_id} of invoice ${note.invoice_number} (line amount ${money(line.line_amount)})`],
          quantity: '',
          amount: money(line.amount),
          tiers: [],
        }));

  const settlement =
    note.settlement === 'amount_due'
      ? `This credit note lowers the amount due on invoice ${note.invoice_number} by ${credited}.`
      : note.settlement === 'refund'
        ? `${credited} is refunded to the card that paid invoice ${note.invoice_number} (refund ${REFUND_STATES[note.refund!.status]}).`
        : `${credited} is added to your credit balance and applied to your next invoices.`;

  return {
    title: 'Credit note',
    number: note.number,
    issuedAt,
    subject: `Credit note ${note.number}${parties.issuer ? ` from ${parties.issuer.name}` : ''}: ${credited} credited on invoice ${note.invoice_number}`,
    currency,
    mark: null,
    ...parties,
    facts: [
      { label: 'Credit note number', value: note.number },
      { label: 'Issue date', value: displayDate(issuedAt) },
      { label: 'Corrects invoice', value: note.invoice_number },
      { label: 'Invoice date', value: displayDate(new Date(invoice.created_at)) },
      { label: 'Invoice period', value: displayPeriod(new Date(invoice.period_start), new Date(invoice.period_end)) },
      { label: 'Reason', value: REASONS[note.reason] },
      { label: 'Customer ID', value: note.customer_id },
    ],
    groups: [{ heading: null, lines }],
    totals: [
      { label: `Invoice ${note.invoice_number} total`, amount: money(invoice.total_amount), emphasis: 'none' },
      { label: 'Total credited', amount: money(note.amount), emphasis: 'due' },
    ],
    amountDue: credited,
    closingHeading: 'Credit given back',
    paymentInstructions: [settlement, ...(note.memo && note.line_items.length > 0 ? [`Note: ${note.memo}`] : [])],
    footer: input.issued.footer,
  };
}
