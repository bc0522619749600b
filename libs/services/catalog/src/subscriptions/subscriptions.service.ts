import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { toDate } from '@abaxus/domain/time/rfc3339-timestamp';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { CatalogTransactions } from '../catalog-events/catalog-transactions';
import { CustomersService } from '../customers/customers.service';
import { ListQueryDto, listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { PricePlansService } from '../price-plans/price-plans.service';
import { phaseAt, phasesOf, phasesUntil, planChange } from '@abaxus/domain/billing/subscription-phase';
import { CancelSubscriptionDto, ChangeSubscriptionPlanDto, CreateSubscriptionDto } from './subscription.dto';
import { SubscriptionView, subscriptionView, withPlanInForce } from './subscription-status';
import { InvoicedUntilClient } from './invoiced-until.client';
import { SubscriptionTime } from './subscription-time';
import { SubscriptionsRepository } from './subscriptions.repository';

/** Server-made ids: the contract's prefix and 16 random url-safe characters. */
function newSubscriptionId(): string {
  return `sub_${randomBytes(12).toString('base64url')}`;
}

/** An instant an invoice already covers cannot be the start of a change or a cancel: issued invoices are never changed. */
function refuseIntoInvoicedPeriod(at: Date, invoicedUntil: Date | null, field: string): void {
  if (invoicedUntil && at.getTime() < invoicedUntil.getTime()) {
    throw new ProblemException(
      422,
      'period_already_invoiced',
      `${at.toISOString()} lies in a period already invoiced (up to ${invoicedUntil.toISOString()}).`,
      {
        errors: [{ field, message: `must not be before ${invoicedUntil.toISOString()}, where invoices of this subscription reach` }],
      },
    );
  }
}

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly repository: SubscriptionsRepository,
    private readonly customers: CustomersService,
    private readonly plans: PricePlansService,
    private readonly transactions: CatalogTransactions,
    private readonly time: SubscriptionTime,
    private readonly invoiced: InvoicedUntilClient,
  ) {}

  /**
   * Pins the plan's latest version now; later versions never change it. Customers and plans are
   * never deleted, so checking them before the transaction is enough (foreign keys back it up).
   */
  async create(body: CreateSubscriptionDto): Promise<SubscriptionView> {
    const [customerExists, plan] = await Promise.all([this.customers.exists(body.customer_id), this.plans.latestVersion(body.plan_id)]);
    if (!customerExists) {
      throw new ProblemException(404, 'not_found', `Customer "${body.customer_id}" does not exist.`, {
        errors: [{ field: 'customer_id', message: 'unknown customer' }],
      });
    }
    if (plan === undefined) {
      throw new ProblemException(404, 'not_found', `Price plan "${body.plan_id}" does not exist.`, {
        errors: [{ field: 'plan_id', message: 'unknown price plan' }],
      });
    }
    const testClock = body.test_clock ?? null;
    const now = await this.time.now(testClock, 'test_clock');
    const startDate = body.start_date ? toDate(body.start_date, 'start_date') : now;
    const trialEnd = body.trial_end ? toDate(body.trial_end, 'trial_end') : null;
    if (trialEnd && trialEnd.getTime() <= startDate.getTime()) {
      throw ProblemException.validation([{ field: 'trial_end', message: `trial_end must be after the start date ${startDate.toISOString()}` }]);
    }
    const record = await this.transactions.run(async (tx) => {
      const created = await this.repository.insert(tx.manager, {
        id: newSubscriptionId(),
        customer_id: body.customer_id,
        plan_id: body.plan_id,
        plan_version: plan.version,
        start_date: startDate,
        billing_interval: plan.billing_interval ?? null,
        trial_end: trialEnd,
        test_clock: testClock,
      });
      tx.emit({ type: 'subscription.created', data: withPlanInForce(created, now) });
      return created;
    });
    return subscriptionView(record, now);
  }

  /** Usage after `at` (default now) is not billed. A subscription is canceled once. */
  async cancel(id: string, body: CancelSubscriptionDto): Promise<SubscriptionView> {
    const before = await this.repository.find(id);
    if (!before) throw ProblemException.notFound('Subscription', id);
    // The subscription's own "now" (its test clock's) and how far it was invoiced, read before the
    // transaction: no call under the row lock.
    const [now, invoicedUntil] = await Promise.all([this.time.now(before.test_clock ?? null), this.invoiced.invoicedUntil(id)]);
    const at = body.at ? toDate(body.at, 'at') : now;
    refuseIntoInvoicedPeriod(at, invoicedUntil, 'at');
    const record = await this.transactions.run(async (tx) => {
      const current = await this.repository.findForUpdate(tx.manager, id);
      if (!current) throw ProblemException.notFound('Subscription', id);
      if (current.canceled_at !== null) {
        throw new ProblemException(409, 'subscription_already_canceled', `Subscription "${id}" was already canceled (at ${current.canceled_at}).`);
      }
      // A change scheduled from the cancellation on never comes into force.
      const canceled = await this.repository.cancel(tx.manager, id, at, phasesUntil(phasesOf(current), at));
      tx.emit({ type: 'subscription.canceled', data: withPlanInForce(canceled, now) });
      return canceled;
    });
    return subscriptionView(record, now);
  }

  /**
   * Moves the subscription to the plan's latest version at `at` (default: its own now): the
   * phase in force then ends there and the new one starts; a future `at` only schedules it (the
   * phase in force is read from the phases at each instant, so nothing has to run at `at`:
   * billing and the view both read the phases). A later request made before a scheduled change
   * starts replaces it. The new plan keeps the cycle: same currency and billing interval.
   */
  async change(id: string, body: ChangeSubscriptionPlanDto): Promise<SubscriptionView> {
    const before = await this.repository.find(id);
    if (!before) throw ProblemException.notFound('Subscription', id);
    // Read before the transaction, never under the row lock: the plan, the subscription's now, how far it was invoiced.
    const [plan, now, invoicedUntil] = await Promise.all([
      this.plans.latestVersion(body.plan_id),
      this.time.now(before.test_clock ?? null),
      this.invoiced.invoicedUntil(id),
    ]);
    if (plan === undefined) {
      throw new ProblemException(404, 'not_found', `Price plan "${body.plan_id}" does not exist.`, {
        errors: [{ field: 'plan_id', message: 'unknown price plan' }],
      });
    }
    const at = body.at ? toDate(body.at, 'at') : now;
    const inForce = phaseAt(phasesOf(before), at);
    const current = await this.plans.version(inForce.plan_id, inForce.plan_version);
    if (current && current.currency !== plan.currency) {
      throw new ProblemException(422, 'currency_mismatch', `Plan "${plan.id}" is priced in ${plan.currency}, the subscription in ${current.currency}.`, {
        errors: [{ field: 'plan_id', message: `must be a plan in ${current.currency}` }],
      });
    }
    if ((plan.billing_interval ?? null) !== (before.billing_interval ?? null)) {
      throw new ProblemException(
        422,
        'billing_interval_mismatch',
        `Plan "${plan.id}" bills per ${plan.billing_interval ?? '(no interval)'}, the subscription per ${before.billing_interval ?? '(no interval)'}; a change keeps the cycle.`,
        { errors: [{ field: 'plan_id', message: `must be a plan with billing_interval ${before.billing_interval ?? 'null'}` }] },
      );
    }
    refuseIntoInvoicedPeriod(at, invoicedUntil, 'at');
    const record = await this.transactions.run(async (tx) => {
      const locked = await this.repository.findForUpdate(tx.manager, id);
      if (!locked) throw ProblemException.notFound('Subscription', id);
      const canceledAt = locked.canceled_at ? new Date(locked.canceled_at) : null;
      if (canceledAt && canceledAt.getTime() <= now.getTime()) {
        throw new ProblemException(409, 'subscription_canceled', `Subscription "${id}" was canceled (at ${locked.canceled_at}); its plan cannot change.`);
      }
      const changed = planChange(phasesOf(locked), {
        plan_id: plan.id,
        plan_version: plan.version,
        at,
        now,
        start_date: new Date(locked.start_date),
        canceled_at: canceledAt,
      });
      if (!changed.ok) {
        throw new ProblemException(
          422,
          changed.code,
          `Subscription "${id}" cannot change to ${plan.id} at ${at.toISOString()}: ${changed.field} ${changed.message}.`,
          {
            errors: [{ field: changed.field, message: changed.message }],
          },
        );
      }
      const phases = canceledAt ? phasesUntil(changed.phases, canceledAt) : changed.phases;
      const updated = await this.repository.setPhases(tx.manager, id, phases);
      tx.emit({ type: 'subscription.changed', data: withPlanInForce(updated, now) });
      return updated;
    });
    return subscriptionView(record, now);
  }

  async get(id: string): Promise<SubscriptionView> {
    const record = await this.repository.find(id);
    if (!record) throw ProblemException.notFound('Subscription', id);
    return subscriptionView(record, await this.time.now(record.test_clock ?? null));
  }

  /** Those of the ids that exist, each as GET /v1/subscriptions/:id shows it (one read, each clock's now asked once). */
  async findMany(ids: readonly string[]): Promise<SubscriptionView[]> {
    const rows = await this.repository.findMany(ids);
    const nows = await this.time.nowsFor(rows.map((row) => row.test_clock ?? null));
    return rows.map((row) => subscriptionView(row, nows.get(row.test_clock ?? null)!));
  }

  async list(query: ListQueryDto & { customer_id?: string }): Promise<Page<SubscriptionView>> {
    const limit = listLimit(query);
    const rows = await this.repository.list(limit + 1, query.starting_after, query.customer_id);
    if (!rows) throw unknownCursor(query.starting_after!);
    const nows = await this.time.nowsFor(rows.map((row) => row.test_clock ?? null));
    return toPage(
      rows.map((row) => subscriptionView(row, nows.get(row.test_clock ?? null)!)),
      limit,
      (subscription) => subscription.id,
    );
  }
}
