import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { CollectionRepository } from '../collection/collection.repository';
import { CustomerBillingRepository } from '../invoices/customer-billing.repository';
import { snapshotOf } from '../invoices/invoice-json';
import { pricedMinimum } from '../adjustments/minimum-commitment';
import { IssuedInvoice, IssuedInvoiceWriter } from '../invoices/issued-invoice-writer';
import { settle, Settled } from '@abaxus/platform/service/settled';
import { SubscriptionPricer } from '../invoices/subscription-pricer';
import { LateUsageAdjuster } from '../late-usage/late-usage.adjuster';
import { BillingRunsRepository } from './billing-runs.repository';
import { BillingScheduleRepository, ScheduledSubscription } from './billing-schedule.repository';

/** Longer than pricing a batch of customers' due cycles may take; a crashed run's customers wait at most this long. */
const RUN_CLAIM_MS = 2 * 60_000;
/**
 * Customers claimed and billed together: their reads, pricing and invoices go in a few round trips
 * for all (measured on the month-end bench: 200 beat 50 and 100; 3 batches at once did not beat 2).
 */
const CLAIM_BATCH = 200;
/** A worker's first batch: batches double from here up to CLAIM_BATCH, so the first invoices go out early and a small run is not one big transaction. */
const FIRST_CLAIM_BATCH = 25;
/** Batches in flight at once: one is priced while another one's invoices are written. */
const BATCHES_AT_ONCE = 2;

export interface BillingPassResult {
  invoices_issued: number;
  failures: number;
}

interface RunKey {
  id: string;
  cycleEnd: Date;
  testClock: string | null;
  startedAt: Date;
}

interface PassContext {
  pass: string;
  testClock: string | null;
  dueBy: Date;
  startedAt: Date;
  now: Date;
  touched: Map<string, RunKey>;
  result: BillingPassResult;
}

/** One invoice to issue: a customer's subscriptions due at one cycle end, in one currency. */
interface DueInvoice {
  customerId: string;
  currency: string;
  cycleEnd: Date;
  rows: ScheduledSubscription[];
  run: RunKey;
}

/** A due invoice priced and ready to write. */
interface ReadyInvoice {
  due: DueInvoice;
  issued: IssuedInvoice;
}

/**
 * The automatic billing run: issues, for every customer with cycles ended at least the grace
 * period ago, one invoice per cycle end covering each of its subscriptions due then, oldest cycle
 * first. Exactly once across instances, restarts and crashes: a customer is claimed (row lock
 * with SKIP LOCKED, then a claim token with an expiry, committed) before anything is priced;
 * pricing runs with no transaction open; the invoice is written in a short transaction that
 * checks the claim is still this run's, moves the schedule past the cycle, and relies on the
 * unique (subscription, period_start) of invoice periods as the last guard. Test clocks run the
 * very same pass with their frozen time as "now".
 *
 * Customers are billed a claimed batch at a time (the round trips per invoice are what limits a
 * month end): the batch's schedule read at once, its subscriptions priced and its late usage read
 * together, and its invoices written in one transaction with their numbers from one counter
 * update. A customer that fails is recorded on the run and left out; when the group's transaction
 * fails, its customers are written one by one so only the failing one fails.
 */
@Injectable()
export class BillingRunService {
  private readonly logger = new Logger(BillingRunService.name);

  constructor(
    private readonly schedule: BillingScheduleRepository,
    private readonly runs: BillingRunsRepository,
    private readonly customerBilling: CustomerBillingRepository,
    private readonly collection: CollectionRepository,
    private readonly catalog: CatalogClient,
    private readonly pricer: SubscriptionPricer,
    private readonly lateUsage: LateUsageAdjuster,
    private readonly writer: IssuedInvoiceWriter,
    private readonly outbox: ServiceOutbox,
    private readonly clock: Clock,
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
  ) {}

  /** Grace: events of a cycle that arrive this long after its end are on its invoice. */
  dueBy(now: Date): Date {
    return new Date(now.getTime() - this.config.billingGraceSeconds * 1000);
  }

  /** One pass over everything due at `now` on a clock (null: real time), until nothing claimable is left. */
  async runDue(testClock: string | null, now: Date): Promise<BillingPassResult> {
    const context: PassContext = {
      pass: randomUUID(),
      testClock,
      dueBy: this.dueBy(now),
      startedAt: this.clock.now(),
      now,
      touched: new Map(),
      result: { invoices_issued: 0, failures: 0 },
    };
    // Customers that failed in this pass are not claimed again by it.
    const failed: string[] = [];
    const worker = async () => {
      for (let size = FIRST_CLAIM_BATCH; ; size = Math.min(CLAIM_BATCH, size * 2)) {
        const realNow = this.clock.now();
        const customers = await this.schedule.claimDueCustomers(
          testClock,
          context.dueBy,
          realNow,
          context.pass,
          new Date(realNow.getTime() + RUN_CLAIM_MS),
          size,
          failed,
        );
        if (customers.length === 0) return;
        await this.billBatch(customers, context, failed);
      }
    };
    await Promise.all(Array.from({ length: BATCHES_AT_ONCE }, worker));
    await this.runs.finish([...context.touched.keys()], this.clock.now());
    return context.result;
  }

  /** Every due cycle of a batch of claimed customers, oldest first; those that fail are recorded on the run and added to `failed`. */
  private async billBatch(customers: string[], context: PassContext, failed: string[]): Promise<void> {
    let active = customers;
    const failedHere = new Set<string>();
    const fail = (customerId: string, cycleEnd: Date | undefined, error: unknown) => {
      failedHere.add(customerId);
      return this.recordFailure(customerId, cycleEnd, error, context);
    };
    try {
      while (active.length > 0) {
        const due = await this.dueInvoices(active, context, fail);
        if (due.length === 0) return;
        const ready = await this.prepare(due, context, fail);
        await this.writeGroup(
          ready.filter(({ due: { customerId } }) => !failedHere.has(customerId)),
          context,
          fail,
        );
        // Customers with their invoice of this cycle written go on to their next due cycle, if their claim still holds.
        const billed = [...new Set(due.map(({ customerId }) => customerId))].filter((customerId) => !failedHere.has(customerId));
        const realNow = this.clock.now();
        const renewed = await this.customerBilling.renewIssuingMany(billed, context.pass, new Date(realNow.getTime() + RUN_CLAIM_MS));
        active = billed.filter((customerId) => renewed.has(customerId));
      }
    } catch (error) {
      // A batch-wide read failed (the database): every customer still in it failed.
      for (const customerId of active) if (!failedHere.has(customerId)) await fail(customerId, undefined, error);
    } finally {
      // Before the claims go: this pass must not claim them again.
      failed.push(...failedHere);
      await this.customerBilling.releaseIssuingMany(customers, context.pass).catch(() => undefined);
    }
  }

  /** The next due invoice(s) of each customer: its earliest cycle end due, one per currency. */
  private async dueInvoices(
    customers: string[],
    context: PassContext,
    fail: (customerId: string, cycleEnd: Date | undefined, error: unknown) => Promise<void>,
  ): Promise<DueInvoice[]> {
    const rowsOf = new Map<string, ScheduledSubscription[]>();
    for (const row of await this.schedule.ofCustomers(customers, context.testClock)) {
      if (!row.next_cycle_end || row.next_cycle_end.getTime() > context.dueBy.getTime()) continue;
      rowsOf.set(row.customer_id, [...(rowsOf.get(row.customer_id) ?? []), row]);
    }
    const perCustomer = await Promise.all(
      customers.map(async (customerId): Promise<DueInvoice[]> => {
        const due = rowsOf.get(customerId);
        if (!due) return [];
        const cycleEnd = new Date(Math.min(...due.map((row) => row.next_cycle_end!.getTime())));
        const group = due.filter((row) => row.next_cycle_end!.getTime() === cycleEnd.getTime());
        const run = this.runKey(context.pass, cycleEnd, context.testClock, context.startedAt, context.touched);
        try {
          // One invoice per currency (an invoice has one); in practice a customer bills in one.
          const currencies = await Promise.all(group.map((row) => this.catalog.planCurrency(row.record.plan_id, row.record.plan_version)));
          return [...new Set(currencies)]
            .sort()
            .map((currency) => ({ customerId, currency, cycleEnd, rows: group.filter((_, index) => currencies[index] === currency), run }));
        } catch (error) {
          await fail(customerId, cycleEnd, error);
          return [];
        }
      }),
    );
    return perCustomer.flat();
  }

  /**
   * Prices the due invoices (no transaction open): every subscription priced and its late usage
   * read together, the customers as the catalog has them now. One that fails fails its customer.
   */
  private async prepare(
    due: DueInvoice[],
    context: PassContext,
    fail: (customerId: string, cycleEnd: Date | undefined, error: unknown) => Promise<void>,
  ): Promise<ReadyInvoice[]> {
    const pieces = due.flatMap((invoice) => invoice.rows.map((row) => ({ invoice, row })));
    const items = pieces.map(({ invoice, row }) => ({
      customerId: invoice.customerId,
      subscription: row.record,
      from: row.billed_until,
      to: invoice.cycleEnd,
    }));
    const customerIds = [...new Set(due.map(({ customerId }) => customerId))];
    const [priced, late, billedTo] = await Promise.all([
      this.pricer.priceMany(items),
      // Late usage of periods already invoiced: adjustment lines after the cycle's own.
      this.lateUsage.forSubscriptions(items),
      settle(this.catalog.customersById(customerIds)),
    ]);
    const ready: ReadyInvoice[] = [];
    let offset = 0;
    for (const invoice of due) {
      const indexes = invoice.rows.map((_, index) => offset + index);
      offset += invoice.rows.length;
      try {
        const pricedRows = indexes.map((index) => valueOf(priced[index]));
        const lateRows = indexes.map((index) => valueOf(late[index]));
        const customer = valueOf(billedTo).get(invoice.customerId);
        if (!customer) throw ProblemException.notFound('Customer', invoice.customerId);
        const { snapshot } = snapshotOf(invoice.currency, [...pricedRows.flat(), ...lateRows.flatMap((adjusted) => adjusted.priced)]);
        const minimum = await pricedMinimum(
          this.catalog,
          invoice.currency,
          pricedRows.flatMap((rowPieces, index) => rowPieces.map((piece) => ({ priced: piece, subscription: invoice.rows[index].record }))),
        );
        ready.push({
          due: invoice,
          issued: {
            customerId: invoice.customerId,
            currency: invoice.currency,
            start: new Date(Math.min(...invoice.rows.map((row) => row.billed_until.getTime()))),
            end: invoice.cycleEnd,
            periods: invoice.rows.map((row, index) => ({
              subscription_id: row.subscription_id,
              period_start: row.billed_until,
              period_end: invoice.cycleEnd,
              calculation_id: pricedRows[index][0].calculation.calculation_id,
            })),
            snapshot,
            minimum,
            reason: 'subscription_cycle',
            createdAt: this.clock.now(),
            // When the scheduler issues this cycle on time (its end plus the grace): credit that expired
            // while a test clock jumped ahead or the engine was down still pays for the cycles it covered.
            customerNow: new Date(invoice.cycleEnd.getTime() + this.config.billingGraceSeconds * 1000),
            // Printed as "Billed to" on the invoice's document, as the customer is now.
            billedTo: customer,
            adjustments: lateRows.flatMap((adjusted) => adjusted.rows),
          },
        });
      } catch (error) {
        await fail(invoice.customerId, invoice.cycleEnd, error);
      }
    }
    return ready;
  }

  /**
   * The group's invoices in one short transaction (no network call in it); when it fails, each
   * customer's in its own, so one customer's failure (a lost claim, a period already invoiced)
   * fails only that customer.
   */
  private async writeGroup(
    ready: ReadyInvoice[],
    context: PassContext,
    fail: (customerId: string, cycleEnd: Date | undefined, error: unknown) => Promise<void>,
  ): Promise<void> {
    if (ready.length === 0) return;
    const customerIds = [...new Set(ready.map(({ due }) => due.customerId))];
    try {
      await this.writeInvoices(ready, context);
      return;
    } catch (error) {
      if (customerIds.length === 1) {
        await fail(customerIds[0], ready[0].due.cycleEnd, error);
        return;
      }
    }
    for (const customerId of customerIds) {
      const own = ready.filter(({ due }) => due.customerId === customerId);
      try {
        await this.writeInvoices(own, context);
      } catch (error) {
        await fail(customerId, own[0].due.cycleEnd, error);
      }
    }
  }

  private async writeInvoices(ready: ReadyInvoice[], context: PassContext): Promise<void> {
    const customerIds = [...new Set(ready.map(({ due }) => due.customerId))];
    await this.outbox.transaction(async (tx) => {
      const held = await this.customerBilling.holdingIssuing(tx.manager, customerIds, context.pass);
      const lost = customerIds.find((customerId) => !held.has(customerId));
      if (lost) throw new ProblemException(409, 'invoice_in_progress', `The claim on customer ${lost} expired and was taken over.`);
      const invoices = await this.writer.writeMany(
        tx,
        ready.map(({ issued }) => issued),
      );
      const perRun = new Map<string, { run: RunKey; issued: number }>();
      for (const { due } of ready) {
        const entry = perRun.get(due.run.id) ?? { run: due.run, issued: 0 };
        entry.issued += 1;
        perRun.set(due.run.id, entry);
      }
      await this.runs.countIssuedMany(tx.manager, [...perRun.values()]);
      await this.collection.scheduleIfAutomaticMany(
        tx.manager,
        invoices.flatMap((invoice, index) =>
          invoice.status === 'issued' ? [{ id: invoice.id, customer_id: invoice.customer_id, test_clock: ready[index].due.rows[0].test_clock }] : [],
        ),
        context.now,
      );
    });
    context.result.invoices_issued += ready.length;
  }

  /** Logged and recorded on the run of its cycle end (when known). */
  private async recordFailure(customerId: string, cycleEnd: Date | undefined, error: unknown, context: PassContext): Promise<void> {
    context.result.failures++;
    const problem = error instanceof ProblemException ? error : undefined;
    const answer = problem ? (problem.getResponse() as { code?: string; detail?: string }) : undefined;
    const code = answer ? String(answer.code ?? 'error') : 'internal_error';
    const reason = answer?.detail ?? (error as Error).message;
    this.logger.warn(`billing run: customer ${customerId}, cycle end ${cycleEnd?.toISOString()}: ${code}: ${reason}`);
    if (cycleEnd) {
      await this.runs
        .addFailure(this.runKey(context.pass, cycleEnd, context.testClock, context.startedAt, context.touched), {
          customer_id: customerId,
          code,
          reason,
        })
        .catch(() => undefined);
    }
  }

  private runKey(pass: string, cycleEnd: Date, testClock: string | null, startedAt: Date, touched: Map<string, RunKey>): RunKey {
    const id = `run_${createHash('sha256')
      .update(`${pass}|${cycleEnd.toISOString()}|${testClock ?? ''}`)
      .digest('hex')
      .slice(0, 24)}`;
    let key = touched.get(id);
    if (!key) {
      key = { id, cycleEnd, testClock, startedAt };
      touched.set(id, key);
    }
    return key;
  }
}

function valueOf<T>(settled: Settled<T>): T {
  if (!settled.ok) throw settled.error;
  return settled.value;
}
