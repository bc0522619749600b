import { Injectable } from '@nestjs/common';
import type Big from 'big.js';
import type { InvoiceAdjustments } from '@abaxus/domain/adjustments/invoice-adjustments';
import { randomBytes } from 'node:crypto';
import type { CustomerRecord } from '@abaxus/contracts/catalog-events';
import { formatInvoiceNumber } from '@abaxus/domain/invoice/invoice-number';
import { formatAmount } from '@abaxus/domain/money/decimal';
import { OutboxTransaction } from '@abaxus/platform/bus/service-outbox';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { AdjustmentRequest, InvoiceAdjuster } from '../adjustments/invoice-adjuster';
import { BillingScheduleRepository } from '../billing/billing-schedule.repository';
import { issuedDocumentSnapshot } from '../documents/issued-document-snapshot';
import { UsageAdjustmentRow, UsageAdjustmentsRepository } from '../late-usage/usage-adjustments.repository';
import { SettingsRepository } from '../settings/settings.repository';
import { invoiceEventMessage } from './invoice-event-message';
import { InvoiceSnapshot } from './invoice-json';
import { InvoicePeriodRow, InvoiceRow, InvoicesRepository } from './invoices.repository';

export type BillingReason = 'manual' | 'subscription_cycle';

export interface IssuedInvoice {
  customerId: string;
  currency: string;
  start: Date;
  end: Date;
  periods: InvoicePeriodRow[];
  snapshot: InvoiceSnapshot;
  /** The plans' minimum commitment for the invoiced time (prorated), or null. */
  minimum: Big | null;
  reason: BillingReason;
  createdAt: Date;
  /** The customer's now (its test clock's, if any): when credit expiry is judged. */
  customerNow: Date;
  /** The customer as read before the transaction: its document prints it as "Billed to". */
  billedTo: CustomerRecord;
  /** Late usage billed by this invoice (its adjustment lines are in the snapshot). */
  adjustments?: UsageAdjustmentRow[];
}

/**
 * The one way an invoice is written, requested or automatic, in the caller's short transaction
 * (no network call in it): the number (last, so the shared counter row stays locked only for the
 * inserts), the invoice with its periods and history, the schedule moved past its periods, and
 * invoice.issued through the outbox. Discounts, minimum, taxes and credits (API.md §7) are applied
 * here, the credit spent under the customer's credit lock. A zero total is refused on a requested
 * invoice (§3) and settled at once on an automatic one; a zero amount due is settled at once.
 */
@Injectable()
export class IssuedInvoiceWriter {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly schedule: BillingScheduleRepository,
    private readonly settings: SettingsRepository,
    private readonly adjustments: UsageAdjustmentsRepository,
    private readonly adjuster: InvoiceAdjuster,
  ) {}

  async write(tx: OutboxTransaction, issued: IssuedInvoice): Promise<InvoiceRow> {
    return (await this.writeMany(tx, [issued]))[0];
  }

  /**
   * Several invoices (of different customers, or of one customer's currencies) in the caller's
   * transaction, in order: the schedule moved for all their periods at once, the settings read
   * once, each one's discounts, taxes and credit, then their numbers in one counter update (last,
   * as for one invoice), the invoices inserted together. One failing fails them all (the caller
   * retries them one by one).
   */
  async writeMany(tx: OutboxTransaction, group: readonly IssuedInvoice[]): Promise<InvoiceRow[]> {
    if (group.length === 0) return [];
    await this.schedule.markBilledMany(
      tx.manager,
      group.flatMap((issued) => issued.periods),
    );
    // The issuer, terms and number prefix as they are now go with the invoice (its document never changes).
    const settings = await this.settings.current(tx.manager);
    const requests: AdjustmentRequest[] = group.map((issued) => ({
      customerId: issued.customerId,
      currency: issued.currency,
      lineAmounts: issued.snapshot.line_items.map((item) => item.amount),
      subscriptionIds: issued.periods.map((period) => period.subscription_id),
      taxRateIds: issued.billedTo.tax_rate_ids ?? [],
      minimum: issued.minimum,
      at: issued.customerNow,
    }));
    const computed: Array<{ request: AdjustmentRequest; adjustments: InvoiceAdjustments }> = [];
    for (const [index, adjustments] of (await this.adjuster.computeMany(tx, requests)).entries()) {
      const issued = group[index];
      if (issued.reason === 'manual' && adjustments.total.eq(0)) {
        throw new ProblemException(
          422,
          'zero_amount_invoice',
          `The invoice of customer ${issued.customerId} up to ${issued.end.toISOString()} would total zero after discounts; nothing was issued.`,
        );
      }
      computed.push({ request: requests[index], adjustments });
    }
    const first = await this.invoices.allocateSequences(tx.manager, group.length);
    const written: Array<{ invoice: InvoiceRow; periods: InvoicePeriodRow[]; issueDetail: Record<string, unknown>; reason: BillingReason }> = [];
    for (const [index, issued] of group.entries()) {
      const { request, adjustments } = computed[index];
      const sequence = String(first + BigInt(index));
      const zero = adjustments.amountDue.eq(0);
      const id = `inv_${randomBytes(12).toString('hex')}`;
      const adjusted = await this.adjuster.record(tx, id, request, adjustments);
      const invoice: InvoiceRow = {
        id,
        sequence,
        number: formatInvoiceNumber(sequence, settings.invoice.number_prefix),
        customer_id: issued.customerId,
        status: zero ? 'paid' : 'issued',
        currency: issued.currency,
        period_start: issued.start,
        period_end: issued.end,
        total_amount: formatAmount(adjustments.total, issued.currency),
        amount_due: adjusted.amount_due,
        snapshot: JSON.stringify({ ...issued.snapshot, adjustments: adjusted, document: issuedDocumentSnapshot(settings, issued.billedTo) }),
        payment_intent: null,
        sent_at: null,
        paid_at: zero ? issued.createdAt : null,
        archived_at: null,
        created_at: issued.createdAt,
      };
      written.push({
        invoice,
        periods: issued.periods,
        issueDetail: {
          number: invoice.number,
          calculation_ids: issued.snapshot.calculation_ids,
          billing_reason: issued.reason,
          ...(zero ? { settled: adjustments.total.eq(0) ? 'zero_total' : 'zero_amount_due' } : {}),
        },
        reason: issued.reason,
      });
    }
    await this.invoices.insertMany(tx.manager, written);
    for (const [index, { invoice }] of written.entries()) {
      await this.adjustments.insert(tx.manager, invoice.id, group[index].adjustments ?? []);
      tx.emit(invoiceEventMessage('invoice.issued', invoice, invoice.status, invoice.created_at));
    }
    return written.map(({ invoice }) => invoice);
  }
}
