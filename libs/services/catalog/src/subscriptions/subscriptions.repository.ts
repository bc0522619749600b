import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SubscriptionPhaseRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { phasesOf } from '@abaxus/domain/billing/subscription-phase';
import type { BillingInterval } from '@abaxus/domain/billing/billing-cycle';

interface SubscriptionRow {
  id: string;
  customer_id: string;
  plan_id: string;
  plan_version: number;
  start_date: Date;
  canceled_at: Date | null;
  billing_interval: BillingInterval | null;
  trial_end: Date | null;
  test_clock: string | null;
  phases: SubscriptionPhaseRecord[] | null;
  created_at: Date;
}

const COLUMNS = 'id, customer_id, plan_id, plan_version, start_date, canceled_at, billing_interval, trial_end, test_clock, phases, created_at';

/** plan_id/plan_version are the plan it was created with; SubscriptionsService shows the phase in force. */
function toRecord(row: SubscriptionRow): SubscriptionRecord {
  const startDate = row.start_date.toISOString();
  return {
    id: row.id,
    customer_id: row.customer_id,
    plan_id: row.plan_id,
    plan_version: row.plan_version,
    start_date: startDate,
    canceled_at: row.canceled_at ? row.canceled_at.toISOString() : null,
    billing_interval: row.billing_interval,
    trial_end: row.trial_end ? row.trial_end.toISOString() : null,
    test_clock: row.test_clock,
    phases: phasesOf({ plan_id: row.plan_id, plan_version: row.plan_version, start_date: startDate, phases: row.phases }),
    created_at: row.created_at.toISOString(),
  };
}

export interface NewSubscription {
  id: string;
  customer_id: string;
  plan_id: string;
  plan_version: number;
  start_date: Date;
  billing_interval: BillingInterval | null;
  trial_end: Date | null;
  test_clock: string | null;
}

@Injectable()
export class SubscriptionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, subscription: NewSubscription): Promise<SubscriptionRecord> {
    const rows = (await manager.query(
      `INSERT INTO catalog.subscriptions (id, customer_id, plan_id, plan_version, start_date, billing_interval, trial_end, test_clock)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [
        subscription.id,
        subscription.customer_id,
        subscription.plan_id,
        subscription.plan_version,
        subscription.start_date,
        subscription.billing_interval,
        subscription.trial_end,
        subscription.test_clock,
      ],
    )) as SubscriptionRow[];
    return toRecord(rows[0]);
  }

  /** Locks the row until commit: two concurrent cancels cannot both succeed. */
  async findForUpdate(manager: EntityManager, id: string): Promise<SubscriptionRecord | undefined> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM catalog.subscriptions WHERE id = $1 FOR UPDATE`, [id])) as SubscriptionRow[];
    return rows[0] && toRecord(rows[0]);
  }

  async cancel(manager: EntityManager, id: string, at: Date, phases: SubscriptionPhaseRecord[]): Promise<SubscriptionRecord> {
    const rows = (await manager.query(
      // In a CTE: TypeORM answers a bare UPDATE with [rows, count] instead of the rows.
      `WITH updated AS (
         UPDATE catalog.subscriptions SET canceled_at = $2, phases = $3::jsonb WHERE id = $1 RETURNING ${COLUMNS}
       ) SELECT * FROM updated`,
      [id, at, JSON.stringify(phases)],
    )) as SubscriptionRow[];
    return toRecord(rows[0]);
  }

  async setPhases(manager: EntityManager, id: string, phases: SubscriptionPhaseRecord[]): Promise<SubscriptionRecord> {
    const rows = (await manager.query(
      `WITH updated AS (
         UPDATE catalog.subscriptions SET phases = $2::jsonb WHERE id = $1 RETURNING ${COLUMNS}
       ) SELECT * FROM updated`,
      [id, JSON.stringify(phases)],
    )) as SubscriptionRow[];
    return toRecord(rows[0]);
  }

  /** The subscriptions of these ids that exist, in no particular order. */
  async findMany(ids: readonly string[]): Promise<SubscriptionRecord[]> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM catalog.subscriptions WHERE id = ANY($1::text[])`, [ids])) as SubscriptionRow[];
    return rows.map(toRecord);
  }

  async find(id: string): Promise<SubscriptionRecord | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM catalog.subscriptions WHERE id = $1`, [id])) as SubscriptionRow[];
    return rows[0] && toRecord(rows[0]);
  }

  /** Newest first, optionally of one customer; undefined when the cursor names no subscription. */
  async list(limit: number, startingAfter: string | undefined, customerId: string | undefined): Promise<SubscriptionRecord[] | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM catalog.subscriptions
       WHERE ($2::text IS NULL OR seq < (SELECT seq FROM catalog.subscriptions WHERE id = $2))
         AND ($3::text IS NULL OR customer_id = $3)
       ORDER BY seq DESC LIMIT $1`,
      [limit, startingAfter ?? null, customerId ?? null],
    )) as SubscriptionRow[];
    if (startingAfter !== undefined && rows.length === 0 && !(await this.find(startingAfter))) return undefined;
    return rows.map(toRecord);
  }
}
