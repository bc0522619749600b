import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { BillingInterval, nextCycleEnd } from '@abaxus/domain/billing/billing-cycle';

export interface ScheduledSubscription {
  subscription_id: string;
  customer_id: string;
  billing_interval: BillingInterval;
  anchor: Date;
  ends_at: Date | null;
  test_clock: string | null;
  billed_until: Date;
  next_cycle_end: Date | null;
  record: SubscriptionRecord;
}

const COLUMNS = 'subscription_id, customer_id, billing_interval, anchor, ends_at, test_clock, billed_until, next_cycle_end, record';

/** Where the next invoice of a subscription that starts at `billedUntil` ends; null when nothing is left to bill. */
export function nextInvoiceEnd(row: Pick<ScheduledSubscription, 'anchor' | 'billing_interval' | 'ends_at'>, billedUntil: Date): Date | null {
  if (row.ends_at && row.ends_at.getTime() <= billedUntil.getTime()) return null;
  return nextCycleEnd(row.anchor, row.billing_interval, billedUntil, row.ends_at);
}

/**
 * The durable billing schedule: one row per subscription on a cycled plan, kept from the catalog's
 * events and moved forward by every invoice in its issuing transaction. What is due is always
 * found by query, so any instance (or a restarted one) sees the same work.
 */
@Injectable()
export class BillingScheduleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Applies the catalog's latest record of a subscription (in the consumer's transaction). A new
   * row starts at the start date, or where invoices of it already reached.
   */
  async applyRecord(manager: EntityManager, record: SubscriptionRecord): Promise<void> {
    if (!record.billing_interval) return;
    const rows: ScheduledSubscription[] = await manager.query(`SELECT ${COLUMNS} FROM invoicing.billing_subscriptions WHERE subscription_id = $1 FOR UPDATE`, [
      record.id,
    ]);
    const fields = {
      billing_interval: record.billing_interval,
      anchor: new Date(record.start_date),
      ends_at: record.canceled_at ? new Date(record.canceled_at) : null,
    };
    let billedUntil = rows[0]?.billed_until;
    if (!billedUntil) {
      const invoiced: Array<{ period_end: Date | null }> = await manager.query(
        'SELECT max(period_end) AS period_end FROM invoicing.invoice_periods WHERE subscription_id = $1 AND voided_at IS NULL',
        [record.id],
      );
      billedUntil = invoiced[0]?.period_end ?? fields.anchor;
    }
    await manager.query(
      `INSERT INTO invoicing.billing_subscriptions (subscription_id, customer_id, billing_interval, anchor, ends_at, test_clock, billed_until, next_cycle_end, record, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, now())
       ON CONFLICT (subscription_id) DO UPDATE SET billing_interval = $3, anchor = $4, ends_at = $5, test_clock = $6, next_cycle_end = $8, record = $9::jsonb, updated_at = now()`,
      [
        record.id,
        record.customer_id,
        fields.billing_interval,
        fields.anchor,
        fields.ends_at,
        record.test_clock ?? null,
        billedUntil,
        nextInvoiceEnd(fields, billedUntil),
        JSON.stringify(record),
      ],
    );
    await manager.query('INSERT INTO invoicing.customer_billing (customer_id) VALUES ($1) ON CONFLICT DO NOTHING', [record.customer_id]);
  }

  /**
   * In an issuing transaction: the subscription is billed up to `periodEnd` (nothing for a
   * subscription without a row, i.e. without a billing interval).
   */
  async markBilled(manager: EntityManager, subscriptionId: string, periodEnd: Date): Promise<void> {
    const rows: ScheduledSubscription[] = await manager.query(`SELECT ${COLUMNS} FROM invoicing.billing_subscriptions WHERE subscription_id = $1 FOR UPDATE`, [
      subscriptionId,
    ]);
    if (rows.length === 0 || rows[0].billed_until.getTime() >= periodEnd.getTime()) return;
    await manager.query('UPDATE invoicing.billing_subscriptions SET billed_until = $2, next_cycle_end = $3, updated_at = now() WHERE subscription_id = $1', [
      subscriptionId,
      periodEnd,
      nextInvoiceEnd(rows[0], periodEnd),
    ]);
  }

  /**
   * markBilled for many subscriptions in one read and one write (an issuing transaction of
   * several invoices); a subscription appears at most once.
   */
  async markBilledMany(manager: EntityManager, periods: ReadonlyArray<{ subscription_id: string; period_end: Date }>): Promise<void> {
    if (periods.length === 0) return;
    if (periods.length === 1) return this.markBilled(manager, periods[0].subscription_id, periods[0].period_end);
    const ends = new Map(periods.map((period) => [period.subscription_id, period.period_end]));
    const rows: ScheduledSubscription[] = await manager.query(
      // Byte order, as the catalog consumer applies a batch in: the two never wait on each other in a cycle.
      `SELECT ${COLUMNS} FROM invoicing.billing_subscriptions WHERE subscription_id = ANY($1::text[]) ORDER BY subscription_id COLLATE "C" FOR UPDATE`,
      [[...ends.keys()]],
    );
    const moved = rows.filter((row) => row.billed_until.getTime() < ends.get(row.subscription_id)!.getTime());
    if (moved.length === 0) return;
    await manager.query(
      `UPDATE invoicing.billing_subscriptions s SET billed_until = m.billed_until, next_cycle_end = m.next_cycle_end, updated_at = now()
       FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS m(subscription_id, billed_until, next_cycle_end)
       WHERE s.subscription_id = m.subscription_id`,
      [
        moved.map((row) => row.subscription_id),
        moved.map((row) => ends.get(row.subscription_id)!),
        moved.map((row) => nextInvoiceEnd(row, ends.get(row.subscription_id)!)),
      ],
    );
  }

  /**
   * In a void's transaction: the subscription's billing goes back to `periodStart` (where the
   * voided invoice started), so its next invoice bills that time again.
   */
  async rewindBilled(manager: EntityManager, subscriptionId: string, periodStart: Date): Promise<void> {
    const rows: ScheduledSubscription[] = await manager.query(`SELECT ${COLUMNS} FROM invoicing.billing_subscriptions WHERE subscription_id = $1 FOR UPDATE`, [
      subscriptionId,
    ]);
    if (rows.length === 0 || rows[0].billed_until.getTime() <= periodStart.getTime()) return;
    await manager.query('UPDATE invoicing.billing_subscriptions SET billed_until = $2, next_cycle_end = $3, updated_at = now() WHERE subscription_id = $1', [
      subscriptionId,
      periodStart,
      nextInvoiceEnd(rows[0], periodStart),
    ]);
  }

  async ofCustomer(customerId: string, testClock: string | null): Promise<ScheduledSubscription[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM invoicing.billing_subscriptions WHERE customer_id = $1 AND test_clock IS NOT DISTINCT FROM $2 ORDER BY anchor, subscription_id`,
      [customerId, testClock],
    );
  }

  /** ofCustomer for many customers in one read (a billing run's claimed batch). */
  async ofCustomers(customerIds: readonly string[], testClock: string | null): Promise<ScheduledSubscription[]> {
    if (customerIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM invoicing.billing_subscriptions WHERE customer_id = ANY($1::text[]) AND test_clock IS NOT DISTINCT FROM $2 ORDER BY customer_id, anchor, subscription_id`,
      [customerIds, testClock],
    );
  }

  async allOfCustomer(customerId: string): Promise<ScheduledSubscription[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM invoicing.billing_subscriptions WHERE customer_id = $1 ORDER BY anchor, subscription_id`, [
      customerId,
    ]);
  }

  async find(subscriptionId: string): Promise<ScheduledSubscription | undefined> {
    const rows: ScheduledSubscription[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM invoicing.billing_subscriptions WHERE subscription_id = $1`, [
      subscriptionId,
    ]);
    return rows[0];
  }

  /**
   * Claims (with `claim` until `until`) the issuing of up to `limit` customers that have a cycle
   * ended at or before `dueBy` on the given clock (null: real time), earliest due first. Rows
   * another instance is claiming right now are skipped, not waited for; a claim left by a
   * crashed instance is taken over once it expired.
   */
  async claimDueCustomers(testClock: string | null, dueBy: Date, now: Date, claim: string, until: Date, limit: number, skip: string[] = []): Promise<string[]> {
    const [rows]: [Array<{ customer_id: string }>, number] = await this.dataSource.query(
      `WITH due AS (
         SELECT customer_id, min(next_cycle_end) AS first_due FROM invoicing.billing_subscriptions
         WHERE next_cycle_end IS NOT NULL AND test_clock IS NOT DISTINCT FROM $1 AND next_cycle_end <= $2
         GROUP BY customer_id
       ), claimable AS (
         SELECT cb.customer_id FROM invoicing.customer_billing cb JOIN due ON due.customer_id = cb.customer_id
         WHERE (cb.issuing_claim IS NULL OR cb.issuing_until <= $3) AND cb.customer_id <> ALL($7::text[])
         ORDER BY due.first_due, cb.customer_id
         LIMIT $6
         FOR UPDATE OF cb SKIP LOCKED
       )
       UPDATE invoicing.customer_billing cb SET issuing_claim = $4, issuing_until = $5
       FROM claimable WHERE cb.customer_id = claimable.customer_id
       RETURNING cb.customer_id`,
      [testClock, dueBy, now, claim, until, limit, skip],
    );
    return rows.map((row) => row.customer_id);
  }

  /** Whether anything is due on the clock by then (claimed or not). */
  async anyDue(testClock: string | null, dueBy: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM invoicing.billing_subscriptions WHERE next_cycle_end IS NOT NULL AND test_clock IS NOT DISTINCT FROM $1 AND next_cycle_end <= $2 LIMIT 1`,
      [testClock, dueBy],
    );
    return rows.length > 0;
  }
}
