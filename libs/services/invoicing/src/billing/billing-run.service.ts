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
import { IssuedInvoiceWriter } from '../invoices/issued-invoice-writer';
import { SubscriptionPricer } from '../invoices/subscription-pricer';
import { LateUsageAdjuster } from '../late-usage/late-usage.adjuster';
import { BillingRunsRepository } from './billing-runs.repository';
import { BillingScheduleRepository, ScheduledSubscription } from './billing-schedule.repository';

/** Longer than pricing a customer's due cycle may take; a crashed run's customers wait at most this long. */
const RUN_CLAIM_MS = 2 * 60_000;
const CLAIM_BATCH = 50;
const CUSTOMERS_AT_ONCE = 4;

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

/**
 * The automatic billing run: issues, for every customer with cycles ended at least the grace
 * period ago, one invoice per cycle end covering each of its subscriptions due then, oldest cycle
 * first. Exactly once across instances, restarts and crashes: a customer is claimed (row lock
 * with SKIP LOCKED, then a claim token with an expiry, committed) before anything is priced;
 * pricing runs with no transaction open; the invoice is written in a short transaction that
 * checks the claim is still this run's, moves the schedule past the cycle, and relies on the
 * unique (subscription, period_start) of invoice periods as the last guard. Test clocks run the
 * very same pass with their frozen time as "now".
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
    const pass = randomUUID();
    const startedAt = this.clock.now();
    const touched = new Map<string, RunKey>();
    const failed: string[] = [];
    const result: BillingPassResult = { invoices_issued: 0, failures: 0 };
    const dueBy = this.dueBy(now);
    for (;;) {
      const realNow = this.clock.now();
      const customers = await this.schedule.claimDueCustomers(testClock, dueBy, realNow, pass, new Date(realNow.getTime() + RUN_CLAIM_MS), CLAIM_BATCH, failed);
      if (customers.length === 0) break;
      let next = 0;
      const worker = async () => {
        while (next < customers.length) {
          const customerId = customers[next++];
          const ok = await this.billCustomer(customerId, { pass, testClock, dueBy, startedAt, now }, touched, result);
          if (!ok) failed.push(customerId);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CUSTOMERS_AT_ONCE, customers.length) }, worker));
    }
    await this.runs.finish([...touched.keys()], this.clock.now());
    return result;
  }

  /** Every due cycle of one claimed customer, in order; false when one failed (recorded on the run). */
  private async billCustomer(
    customerId: string,
    context: { pass: string; testClock: string | null; dueBy: Date; startedAt: Date; now: Date },
    touched: Map<string, RunKey>,
    result: BillingPassResult,
  ): Promise<boolean> {
    let cycleEnd: Date | undefined;
    try {
      for (;;) {
        const due = (await this.schedule.ofCustomer(customerId, context.testClock)).filter(
          (row) => row.next_cycle_end && row.next_cycle_end.getTime() <= context.dueBy.getTime(),
        );
        if (due.length === 0) return true;
        cycleEnd = new Date(Math.min(...due.map((row) => row.next_cycle_end!.getTime())));
        const group = due.filter((row) => row.next_cycle_end!.getTime() === cycleEnd!.getTime());
        const run = this.runKey(context.pass, cycleEnd, context.testClock, context.startedAt, touched);
        // One invoice per currency (an invoice has one); in practice a customer bills in one.
        const currencies = await Promise.all(group.map((row) => this.catalog.planCurrency(row.record.plan_id, row.record.plan_version)));
        for (const currency of [...new Set(currencies)].sort()) {
          const rows = group.filter((_, index) => currencies[index] === currency);
          await this.issueCycle(customerId, context.pass, currency, cycleEnd, rows, run, context.now);
          result.invoices_issued++;
        }
        const realNow = this.clock.now();
        if (!(await this.customerBilling.renewIssuing(customerId, context.pass, new Date(realNow.getTime() + RUN_CLAIM_MS)))) return true;
      }
    } catch (error) {
      result.failures++;
      const problem = error instanceof ProblemException ? error : undefined;
      const code = problem ? String((problem.getResponse() as { code?: string }).code ?? 'error') : 'internal_error';
      this.logger.warn(`billing run: customer ${customerId}, cycle end ${cycleEnd?.toISOString()}: ${(error as Error).message}`);
      if (cycleEnd) {
        await this.runs
          .addFailure(this.runKey(context.pass, cycleEnd, context.testClock, context.startedAt, touched), {
            customer_id: customerId,
            code,
            reason: (error as Error).message,
          })
          .catch(() => undefined);
      }
      return false;
    } finally {
      await this.customerBilling.releaseIssuing(customerId, context.pass).catch(() => undefined);
    }
  }

  private async issueCycle(
    customerId: string,
    claim: string,
    currency: string,
    cycleEnd: Date,
    rows: ScheduledSubscription[],
    run: RunKey,
    now: Date,
  ): Promise<void> {
    const pricedRows = await Promise.all(rows.map((row) => this.pricer.price(customerId, row.record, row.billed_until, cycleEnd)));
    // Late usage of periods already invoiced: adjustment lines after the cycle's own.
    const late = await Promise.all(rows.map((row) => this.lateUsage.forSubscription(customerId, row.record)));
    const { snapshot, total } = snapshotOf(currency, [...pricedRows.flat(), ...late.flatMap((adjusted) => adjusted.priced)]);
    // Printed as "Billed to" on the invoice's document, as the customer is now.
    const billedTo = await this.catalog.customer(customerId);
    const start = new Date(Math.min(...rows.map((row) => row.billed_until.getTime())));
    await this.outbox.transaction(async (tx) => {
      if (!(await this.customerBilling.holdsIssuing(tx.manager, customerId, claim))) {
        throw new ProblemException(409, 'invoice_in_progress', `The claim on customer ${customerId} expired and was taken over.`);
      }
      const invoice = await this.writer.write(tx, {
        customerId,
        currency,
        start,
        end: cycleEnd,
        periods: rows.map((row, index) => ({
          subscription_id: row.subscription_id,
          period_start: row.billed_until,
          period_end: cycleEnd,
          calculation_id: pricedRows[index][0].calculation.calculation_id,
        })),
        snapshot,
        total,
        reason: 'subscription_cycle',
        createdAt: this.clock.now(),
        billedTo,
        adjustments: late.flatMap((adjusted) => adjusted.rows),
      });
      await this.runs.countIssued(tx.manager, run);
      if (invoice.status === 'issued') await this.collection.scheduleIfAutomatic(tx.manager, invoice, rows[0].test_clock, now);
    });
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
