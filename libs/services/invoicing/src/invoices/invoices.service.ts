import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { invoiceCoverage, InvoiceCoverageRefusalCode } from '@abaxus/domain/invoice/invoice-coverage';
import { transition } from '@abaxus/domain/invoice/invoice-lifecycle';
import { formatInvoiceNumber } from '@abaxus/domain/invoice/invoice-number';
import { formatAmount } from '@abaxus/domain/money/decimal';
import { toDate } from '@abaxus/domain/time/rfc3339-timestamp';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { PricingClient } from '../pricing/pricing.client';
import { invoiceEventMessage } from './invoice-event-message';
import { InvoiceJson, invoiceToJson, snapshotOf } from './invoice-json';
import { InvoiceRow, InvoicesRepository } from './invoices.repository';
import { IssueInvoiceDto } from './issue-invoice.dto';
import { listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { ListInvoicesQuery } from './list-invoices.query';

export type InvoicePage = Page<InvoiceJson>;

const COVERAGE_STATUS: Record<InvoiceCoverageRefusalCode, number> = {
  cutoff_in_future: 422,
  cutoff_not_after_period_start: 422,
  no_active_subscription: 422,
  currency_required: 422,
  already_invoiced: 409,
};

/** Issues invoices (a snapshot of stored calculations, numbered without gaps), lists and archives them. */
@Injectable()
export class InvoicesService {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly pricing: PricingClient,
    private readonly invoices: InvoicesRepository,
  ) {}

  async issue(request: IssueInvoiceDto): Promise<InvoiceJson> {
    const cutoff = toDate(request.cutoff_date, 'cutoff_date');
    const subscriptions = await this.catalog.subscriptionsOf(request.customer_id);
    // A subscription proves its customer exists; without any, ask, to tell 404 from 422.
    if (subscriptions.length === 0) await this.catalog.customer(request.customer_id);
    const customerId = request.customer_id;
    const currencies = await Promise.all(subscriptions.map((subscription) => this.catalog.planCurrency(subscription.plan_id, subscription.plan_version)));
    await this.invoices.ensureCustomerBilling(customerId);

    const row = await this.invoices.transaction(async (tx) => {
      await tx.lockCustomer(customerId);
      // Read under the lock: a concurrent invoice either holds it (409 above) or has committed.
      const billedUntil = await tx.lastPeriodEnds(subscriptions.map((subscription) => subscription.id));
      const coverage = invoiceCoverage({
        subscriptions: subscriptions.map((subscription, index) => ({
          id: subscription.id,
          startDate: subscription.start_date,
          canceledAt: subscription.canceled_at,
          currency: currencies[index],
          previousPeriodEnd: billedUntil.get(subscription.id),
        })),
        cutoff,
        now: new Date(),
        currency: request.currency,
      });
      if (!coverage.ok) {
        throw new ProblemException(COVERAGE_STATUS[coverage.code], coverage.code, `Cannot invoice customer ${customerId}: ${coverage.message}.`, {
          ...(coverage.currencies ? { currencies: coverage.currencies } : {}),
        });
      }
      const calculations = await Promise.all(
        coverage.groups.map((group) =>
          this.pricing.calculate({ customerId: customerId, subscriptionId: group.subscriptionId, start: group.start, end: group.end }),
        ),
      );
      const { snapshot, total } = snapshotOf(coverage.currency, calculations);
      if (total.eq(0)) {
        throw new ProblemException(
          422,
          'zero_amount_invoice',
          `The invoice of customer ${customerId} up to ${cutoff.toISOString()} would total zero; nothing was issued.`,
        );
      }
      // Last, so the counter row (shared by every issuer) stays locked only for the final inserts.
      const sequence = await tx.allocateSequence();
      const invoice: InvoiceRow = {
        id: `inv_${randomBytes(12).toString('hex')}`,
        sequence,
        number: formatInvoiceNumber(sequence),
        customer_id: customerId,
        status: 'issued',
        currency: coverage.currency,
        period_start: coverage.start,
        period_end: coverage.end,
        total_amount: formatAmount(total, coverage.currency),
        snapshot: JSON.stringify(snapshot),
        payment_intent: null,
        sent_at: null,
        paid_at: null,
        archived_at: null,
        created_at: new Date(),
      };
      await tx.insertInvoice(
        invoice,
        coverage.groups.map((group, index) => ({
          subscription_id: group.subscriptionId,
          period_start: group.start,
          period_end: group.end,
          calculation_id: calculations[index].calculation_id,
        })),
        { number: invoice.number, calculation_ids: snapshot.calculation_ids },
      );
      tx.emit(invoiceEventMessage('invoice.issued', invoice, 'issued'));
      return invoice;
    });
    return invoiceToJson(row, []);
  }

  async get(id: string): Promise<InvoiceJson> {
    const invoice = await this.invoices.find(id);
    if (!invoice) throw ProblemException.notFound('Invoice', id);
    return invoiceToJson(invoice, await this.invoices.attemptsOf([id]));
  }

  async list(query: ListInvoicesQuery): Promise<InvoicePage> {
    const limit = listLimit(query);
    let beforeSequence: string | undefined;
    if (query.starting_after !== undefined) {
      beforeSequence = await this.invoices.sequenceOf(query.starting_after);
      if (beforeSequence === undefined) throw unknownCursor(query.starting_after);
    }
    const rows = await this.invoices.list({ customerId: query.customer_id, status: query.status, beforeSequence, limit });
    const page = toPage(rows, limit, (row) => row.id);
    const attempts = await this.invoices.attemptsOf(page.data.map((row) => row.id));
    return {
      ...page,
      data: page.data.map((row) =>
        invoiceToJson(
          row,
          attempts.filter((attempt) => attempt.invoice_id === row.id),
        ),
      ),
    };
  }

  async archive(id: string): Promise<InvoiceJson> {
    const row = await this.invoices.transaction(async (tx) => {
      const invoice = await tx.lockInvoice(id);
      const next = transition(invoice.status, 'archive');
      if (!next.ok) throw new ProblemException(409, next.code, `Invoice ${id}: ${next.message}.`);
      const archivedAt = new Date();
      await tx.updateInvoice(id, { status: next.status, archived_at: archivedAt });
      await tx.addHistory(id, 'archive', invoice.status, next.status);
      tx.emit(invoiceEventMessage('invoice.archived', invoice, next.status));
      return { ...invoice, status: next.status, archived_at: archivedAt };
    });
    return invoiceToJson(row, await this.invoices.attemptsOf([id]));
  }
}
