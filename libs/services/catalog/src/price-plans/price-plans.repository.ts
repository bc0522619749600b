import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ChargeRecord, PricePlanVersionRecord } from '@abaxus/contracts/catalog-events';
import Big from 'big.js';
import type { BillingInterval } from '@abaxus/domain/billing/billing-cycle';
import { formatAmount } from '@abaxus/domain/money/decimal';

interface VersionRow {
  plan_id: string;
  version: number;
  name: string | null;
  currency: string;
  charges: ChargeRecord[];
  billing_interval: BillingInterval | null;
  minimum_amount: string | null;
  created_at: Date;
}

const COLUMNS = 'plan_id, version, name, currency, charges, billing_interval, minimum_amount::text AS minimum_amount, created_at';

function toRecord(row: VersionRow): PricePlanVersionRecord {
  return {
    id: row.plan_id,
    version: row.version,
    name: row.name,
    currency: row.currency,
    charges: row.charges,
    billing_interval: row.billing_interval,
    // Shown only on plans that have one, so plans without read exactly as before.
    ...(row.minimum_amount !== null ? { minimum_amount: formatAmount(new Big(row.minimum_amount), row.currency) } : {}),
    created_at: row.created_at.toISOString(),
  };
}

@Injectable()
export class PricePlansRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Allocates the plan's next version number. The upsert takes the head row's lock until commit,
   * so concurrent posts of one plan get n+1, n+2, ... and never the same number (a second create
   * of a new id waits on the first insert, then takes the update branch).
   */
  async nextVersion(manager: EntityManager, planId: string): Promise<number> {
    const rows = (await manager.query(
      `INSERT INTO catalog.price_plans (id, latest_version) VALUES ($1, 1)
       ON CONFLICT (id) DO UPDATE SET latest_version = catalog.price_plans.latest_version + 1
       RETURNING latest_version`,
      [planId],
    )) as Array<{ latest_version: number }>;
    return rows[0].latest_version;
  }

  async insertVersion(manager: EntityManager, plan: Omit<PricePlanVersionRecord, 'created_at'>): Promise<PricePlanVersionRecord> {
    const rows = (await manager.query(
      `INSERT INTO catalog.price_plan_versions (plan_id, version, name, currency, charges, billing_interval, minimum_amount)
       VALUES ($1, $2, $3, $4, $5::json, $6, $7)
       RETURNING ${COLUMNS}`,
      [plan.id, plan.version, plan.name, plan.currency, JSON.stringify(plan.charges), plan.billing_interval ?? null, plan.minimum_amount ?? null],
    )) as VersionRow[];
    return toRecord(rows[0]);
  }

  async findLatest(planId: string): Promise<PricePlanVersionRecord | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT v.plan_id, v.version, v.name, v.currency, v.charges, v.billing_interval, v.minimum_amount::text AS minimum_amount, v.created_at FROM catalog.price_plans p
       JOIN catalog.price_plan_versions v ON v.plan_id = p.id AND v.version = p.latest_version
       WHERE p.id = $1`,
      [planId],
    )) as VersionRow[];
    return rows[0] && toRecord(rows[0]);
  }

  /** The latest version of every plan, newest plan first; undefined when the cursor names no plan. */
  async listLatest(limit: number, startingAfter: string | undefined): Promise<PricePlanVersionRecord[] | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT v.plan_id, v.version, v.name, v.currency, v.charges, v.billing_interval, v.minimum_amount::text AS minimum_amount, v.created_at FROM catalog.price_plans p
       JOIN catalog.price_plan_versions v ON v.plan_id = p.id AND v.version = p.latest_version
       WHERE $2::text IS NULL OR p.seq < (SELECT seq FROM catalog.price_plans WHERE id = $2)
       ORDER BY p.seq DESC LIMIT $1`,
      [limit, startingAfter ?? null],
    )) as VersionRow[];
    if (startingAfter !== undefined && rows.length === 0 && (await this.latestVersionNumber(startingAfter)) === undefined) return undefined;
    return rows.map(toRecord);
  }

  async latestVersionNumber(planId: string): Promise<number | undefined> {
    const rows = (await this.dataSource.query('SELECT latest_version FROM catalog.price_plans WHERE id = $1', [planId])) as Array<{
      latest_version: number;
    }>;
    return rows[0]?.latest_version;
  }

  async findVersion(planId: string, version: number): Promise<PricePlanVersionRecord | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM catalog.price_plan_versions WHERE plan_id = $1 AND version = $2`, [
      planId,
      version,
    ])) as VersionRow[];
    return rows[0] && toRecord(rows[0]);
  }

  /** Newest version first; starting_after is a version number. */
  async listVersions(planId: string, limit: number, startingAfter: number | undefined): Promise<PricePlanVersionRecord[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM catalog.price_plan_versions
       WHERE plan_id = $1 AND ($3::int IS NULL OR version < $3)
       ORDER BY version DESC LIMIT $2`,
      [planId, limit, startingAfter ?? null],
    )) as VersionRow[];
    return rows.map(toRecord);
  }
}
