import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { randomUUID } from 'node:crypto';
import { invoiceCoverage, InvoiceCoverageRefusalCode } from '@abaxus/domain/invoice/invoice-coverage';
import { transition } from '@abaxus/domain/invoice/invoice-lifecycle';
import { isClaimed, isUnsettled } from '@abaxus/domain/invoice/payment-attempt';
import { toDate } from '@abaxus/domain/time/rfc3339-timestamp';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { PaymentAttemptsRepository, summaryOf } from '../payments/payment-attempts.repository';
import { PricingClient } from '../pricing/pricing.client';
import { CustomerBillingRepository } from './customer-billing.repository';
import { invoiceEventMessage } from './invoice-event-message';
import { InvoiceJson, invoiceToJson, snapshotOf } from './invoice-json';
import { InvoicesRepository } from './invoices.repository';
import { BillingScheduleRepository } from '../billing/billing-schedule.repository';
import { CollectionRepository } from '../collection/collection.repository';
import { IssuedInvoiceWriter } from './issued-invoice-writer';
import { cycledSubscription, proratedCalculation } from './prorated-calculation';
import { IssueInvoiceDto } from './issue-invoice.dto';
import { ListInvoicesQuery } from './list-invoices.query';

export type InvoicePage = Page<InvoiceJson>;

const COVERAGE_STATUS: Record<InvoiceCoverageRefusalCode, number> = {
  cutoff_in_future: 422,
  cutoff_not_after_period_start: 422,
  no_active_subscription: 422,
  currency_required: 422,
  already_invoiced: 409,
};

// Longer than pricing may take (each call times out after 30 s; they run side by side). A claim
// left by a crashed issuer blocks the customer's invoices for at most this long.
const ISSUING_CLAIM_MS = 2 * 60_000;

/** Issues invoices (a snapshot of stored calculations, numbered without gaps), lists, archives and voids them. */
@Injectable()
export class InvoicesService {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly pricing: PricingClient,
    private readonly invoices: InvoicesRepository,
    private readonly customerBilling: CustomerBillingRepository,
    private readonly attempts: PaymentAttemptsRepository,
    private readonly outbox: ServiceOutbox,
    private readonly clock: Clock,
    private readonly writer: IssuedInvoiceWriter,
    private readonly collections: CollectionRepository,
    private readonly schedule: BillingScheduleRepository,
  ) {}

  /**
   * One issuer per customer at a time, by a claim committed before pricing (a concurrent request
   * gets 409 without pricing anything); pricing runs with no transaction open; only the number
   * and the inserts share a short transaction. A refused issue writes nothing in invoicing.
   */
  async issue(request: IssueInvoiceDto): Promise<InvoiceJson> {
    const cutoff = toDate(request.cutoff_date, 'cutoff_date');
    const subscriptions = await this.catalog.subscriptionsOf(request.customer_id);
    // Billed as it is now (kept in the invoice's document snapshot); an unknown customer → 404.
    const customer = await this.catalog.customer(request.customer_id);
    const customerId = request.customer_id;
    const currencies = await Promise.all(subscriptions.map((subscription) => this.catalog.planCurrency(subscription.plan_id, subscription.plan_version)));

    await this.customerBilling.ensure(customerId);
    const claim = randomUUID();
    const claimedAt = this.clock.now();
    if (!(await this.customerBilling.claimIssuing(customerId, claim, claimedAt, new Date(claimedAt.getTime() + ISSUING_CLAIM_MS)))) {
      throw new ProblemException(409, 'invoice_in_progress', `An invoice for customer ${customerId} is being issued right now; retry once it is done.`);
    }
    try {
      // Read under the claim: a concurrent issuer either holds it (409 above) or has committed.
      const billedUntil = await this.invoices.lastPeriodEnds(subscriptions.map((subscription) => subscription.id));
      const coverage = invoiceCoverage({
        subscriptions: subscriptions.map((subscription, index) => ({
          id: subscription.id,
          startDate: subscription.start_date,
          canceledAt: subscription.canceled_at,
          currency: currencies[index],
          previousPeriodEnd: billedUntil.get(subscription.id),
        })),
        cutoff,
        now: claimedAt,
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
      // A plan with a billing interval: this is an interim invoice, its flat fees prorated.
      const priced = calculations.map((calculation) =>
        proratedCalculation(calculation, cycledSubscription(subscriptions.find((subscription) => subscription.id === calculation.subscription_id)!)),
      );
      const { snapshot, total } = snapshotOf(coverage.currency, priced);
      if (total.eq(0)) {
        throw new ProblemException(
          422,
          'zero_amount_invoice',
          `The invoice of customer ${customerId} up to ${cutoff.toISOString()} would total zero; nothing was issued.`,
        );
      }

      const row = await this.outbox.transaction(async (tx) => {
        if (!(await this.customerBilling.completeIssuing(tx.manager, customerId, claim))) {
          throw new ProblemException(409, 'invoice_in_progress', `Issuing for customer ${customerId} took too long and was taken over; retry.`);
        }
        return this.writer.write(tx, {
          customerId,
          currency: coverage.currency,
          start: coverage.start,
          end: coverage.end,
          periods: coverage.groups.map((group, index) => ({
            subscription_id: group.subscriptionId,
            period_start: group.start,
            period_end: group.end,
            calculation_id: calculations[index].calculation_id,
          })),
          snapshot,
          total,
          reason: 'manual',
          createdAt: this.clock.now(),
          billedTo: customer,
        });
      });
      return invoiceToJson(row, []);
    } finally {
      // Nothing when the inserting transaction already gave it up.
      await this.customerBilling.releaseIssuing(customerId, claim);
    }
  }

  async get(id: string): Promise<InvoiceJson> {
    const invoice = await this.invoices.find(id);
    if (!invoice) throw ProblemException.notFound('Invoice', id);
    return invoiceToJson(invoice, await this.attempts.ofInvoices([id]), (await this.collections.ofInvoices([id]))[0] ?? null);
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
    const attempts = await this.attempts.ofInvoices(page.data.map((row) => row.id));
    const collections = await this.collections.ofInvoices(page.data.map((row) => row.id));
    return {
      ...page,
      data: page.data.map((row) =>
        invoiceToJson(
          row,
          attempts.filter((attempt) => attempt.invoice_id === row.id),
          collections.find((collection) => collection.invoice_id === row.id) ?? null,
        ),
      ),
    };
  }

  async archive(id: string): Promise<InvoiceJson> {
    const row = await this.outbox.transaction(async (tx) => {
      const invoice = await this.invoices.lockForChange(tx.manager, id);
      const next = transition(invoice.status, 'archive');
      if (!next.ok) throw new ProblemException(409, next.code, `Invoice ${id}: ${next.message}.`);
      // A charge talking to Stripe right now must land on a chargeable invoice: wait for its outcome.
      const now = this.clock.now();
      if ((await this.attempts.ofInvoice(id, tx.manager)).some((attempt) => isClaimed(summaryOf(attempt), now))) {
        throw new ProblemException(409, 'payment_in_progress', `Invoice ${id} is being charged right now; retry once the charge is done.`);
      }
      await this.invoices.update(tx.manager, id, { status: next.status, archived_at: now });
      await this.invoices.addHistory(tx.manager, { invoiceId: id, action: 'archive', from: invoice.status, to: next.status, at: now });
      tx.emit(invoiceEventMessage('invoice.archived', invoice, next.status, now));
      return { ...invoice, status: next.status, archived_at: now };
    });
    return invoiceToJson(row, await this.attempts.ofInvoices([id]));
  }

  /**
   * An issued, unpaid invoice becomes `voided`: its number stays used, its periods stop counting
   * as billed (each subscription's next invoice starts where it started), its automatic
   * collection stops, and `invoice.voided` goes out through the outbox. Under the customer's
   * issuing claim, so no invoice being issued right now can start after the voided one.
   */
  async void(id: string): Promise<InvoiceJson> {
    const found = await this.invoices.find(id);
    if (!found) throw ProblemException.notFound('Invoice', id);
    const claim = randomUUID();
    const claimedAt = this.clock.now();
    if (!(await this.customerBilling.claimIssuing(found.customer_id, claim, claimedAt, new Date(claimedAt.getTime() + ISSUING_CLAIM_MS)))) {
      throw new ProblemException(409, 'invoice_in_progress', `An invoice for customer ${found.customer_id} is being issued right now; retry once it is done.`);
    }
    try {
      const row = await this.outbox.transaction(async (tx) => {
        const invoice = await this.invoices.lockForChange(tx.manager, id);
        const next = transition(invoice.status, 'void');
        if (!next.ok) throw new ProblemException(409, next.code, `Invoice ${id}: ${next.message}.`);
        // Its credit notes already correct it; voiding it too would correct the same amount twice.
        if (new Big(invoice.credited_amount ?? 0).gt(0)) {
          throw new ProblemException(
            409,
            'invoice_credited',
            `Invoice ${invoice.number} has credit notes; it cannot be voided. Credit what is left of it instead.`,
          );
        }
        const now = this.clock.now();
        // A payment that may still succeed (being made, outcome unknown, awaiting the customer) must settle first.
        const attempts = await this.attempts.ofInvoice(id, tx.manager);
        if (
          attempts.some(
            (attempt) => isClaimed(summaryOf(attempt), now) || isUnsettled(attempt.status) || ['requires_action', 'processing'].includes(attempt.status),
          )
        ) {
          throw new ProblemException(409, 'payment_in_progress', `Invoice ${id} has a payment that may still succeed; void it once the payment failed.`);
        }
        const periods = await this.invoices.voidPeriods(tx.manager, id, now);
        for (const period of periods) await this.schedule.rewindBilled(tx.manager, period.subscription_id, period.period_start);
        await this.collections.cancel(tx.manager, id);
        await this.invoices.update(tx.manager, id, { status: next.status });
        await this.invoices.addHistory(tx.manager, { invoiceId: id, action: 'void', from: invoice.status, to: next.status, at: now });
        tx.emit(invoiceEventMessage('invoice.voided', invoice, next.status, now));
        return { ...invoice, status: next.status };
      });
      return invoiceToJson(row, await this.attempts.ofInvoices([id]), (await this.collections.ofInvoices([id]))[0] ?? null);
    } finally {
      await this.customerBilling.releaseIssuing(found.customer_id, claim);
    }
  }
}
