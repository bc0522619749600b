import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { randomBytes } from 'node:crypto';
import type { CustomerRecord } from '@abaxus/contracts/catalog-events';
import { formatInvoiceNumber } from '@abaxus/domain/invoice/invoice-number';
import { formatAmount } from '@abaxus/domain/money/decimal';
import { OutboxTransaction } from '@abaxus/platform/bus/service-outbox';
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
  total: Big;
  reason: BillingReason;
  createdAt: Date;
  /** The customer as read before the transaction: its document prints it as "Billed to". */
  billedTo: CustomerRecord;
  /** Late usage billed by this invoice (its adjustment lines are in the snapshot). */
  adjustments?: UsageAdjustmentRow[];
}

/**
 * The one way an invoice is written, requested or automatic, in the caller's short transaction
 * (no network call in it): the number (last, so the shared counter row stays locked only for the
 * inserts), the invoice with its periods and history, the schedule moved past its periods, and
 * invoice.issued through the outbox. A zero total (automatic runs only) is settled at once.
 */
@Injectable()
export class IssuedInvoiceWriter {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly schedule: BillingScheduleRepository,
    private readonly settings: SettingsRepository,
    private readonly adjustments: UsageAdjustmentsRepository,
  ) {}

  async write(tx: OutboxTransaction, issued: IssuedInvoice): Promise<InvoiceRow> {
    for (const period of issued.periods) await this.schedule.markBilled(tx.manager, period.subscription_id, period.period_end);
    // The issuer, terms and number prefix as they are now go with the invoice (its document never changes).
    const settings = await this.settings.current(tx.manager);
    const sequence = await this.invoices.allocateSequence(tx.manager);
    const zero = issued.total.eq(0);
    const invoice: InvoiceRow = {
      id: `inv_${randomBytes(12).toString('hex')}`,
      sequence,
      number: formatInvoiceNumber(sequence, settings.invoice.number_prefix),
      customer_id: issued.customerId,
      status: zero ? 'paid' : 'issued',
      currency: issued.currency,
      period_start: issued.start,
      period_end: issued.end,
      total_amount: formatAmount(issued.total, issued.currency),
      snapshot: JSON.stringify({ ...issued.snapshot, document: issuedDocumentSnapshot(settings, issued.billedTo) }),
      payment_intent: null,
      sent_at: null,
      paid_at: zero ? issued.createdAt : null,
      archived_at: null,
      created_at: issued.createdAt,
    };
    await this.invoices.insert(
      tx.manager,
      invoice,
      issued.periods,
      {
        number: invoice.number,
        calculation_ids: issued.snapshot.calculation_ids,
        billing_reason: issued.reason,
        ...(zero ? { settled: 'zero_total' } : {}),
      },
      issued.reason,
    );
    await this.adjustments.insert(tx.manager, invoice.id, issued.adjustments ?? []);
    tx.emit(invoiceEventMessage('invoice.issued', invoice, invoice.status, invoice.created_at));
    return invoice;
  }
}
