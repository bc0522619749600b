import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface BillingRunFailure {
  customer_id: string;
  code: string;
  reason: string;
}

export interface BillingRunRow {
  id: string;
  seq: string;
  cycle_end: Date;
  test_clock: string | null;
  started_at: Date;
  finished_at: Date | null;
  invoices_issued: number;
  failures: BillingRunFailure[];
}

const COLUMNS = 'id, seq::text AS seq, cycle_end, test_clock, started_at, finished_at, invoices_issued, failures';

/** What each automatic run did for one cycle end: counted in the issuing transaction itself, so it never disagrees with the invoices. */
@Injectable()
export class BillingRunsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async countIssued(manager: EntityManager, run: { id: string; cycleEnd: Date; testClock: string | null; startedAt: Date }): Promise<void> {
    await manager.query(
      `INSERT INTO invoicing.billing_runs (id, cycle_end, test_clock, started_at, invoices_issued) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (id) DO UPDATE SET invoices_issued = billing_runs.invoices_issued + 1`,
      [run.id, run.cycleEnd, run.testClock, run.startedAt],
    );
  }

  /** countIssued for several runs at once: `issued` invoices more on each. */
  async countIssuedMany(
    manager: EntityManager,
    runs: ReadonlyArray<{ run: { id: string; cycleEnd: Date; testClock: string | null; startedAt: Date }; issued: number }>,
  ): Promise<void> {
    if (runs.length === 0) return;
    await manager.query(
      `INSERT INTO invoicing.billing_runs (id, cycle_end, test_clock, started_at, invoices_issued)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::timestamptz[], $5::int[]) ORDER BY 1
       ON CONFLICT (id) DO UPDATE SET invoices_issued = billing_runs.invoices_issued + EXCLUDED.invoices_issued`,
      [
        runs.map(({ run }) => run.id),
        runs.map(({ run }) => run.cycleEnd),
        runs.map(({ run }) => run.testClock),
        runs.map(({ run }) => run.startedAt),
        runs.map(({ issued }) => issued),
      ],
    );
  }

  async addFailure(run: { id: string; cycleEnd: Date; testClock: string | null; startedAt: Date }, failure: BillingRunFailure): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO invoicing.billing_runs (id, cycle_end, test_clock, started_at, failures) VALUES ($1, $2, $3, $4, jsonb_build_array($5::jsonb))
       ON CONFLICT (id) DO UPDATE SET failures = billing_runs.failures || $5::jsonb`,
      [run.id, run.cycleEnd, run.testClock, run.startedAt, JSON.stringify(failure)],
    );
  }

  async finish(ids: string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query('UPDATE invoicing.billing_runs SET finished_at = $2 WHERE id = ANY($1::text[])', [ids, at]);
  }

  async seqOf(id: string): Promise<string | undefined> {
    const rows: Array<{ seq: string }> = await this.dataSource.query('SELECT seq::text AS seq FROM invoicing.billing_runs WHERE id = $1', [id]);
    return rows[0]?.seq;
  }

  /** Newest first; limit + 1 rows so the caller knows whether more exist. */
  async list(limit: number, beforeSeq: string | undefined, testClock: string | undefined): Promise<BillingRunRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM invoicing.billing_runs
       WHERE ($2::bigint IS NULL OR seq < $2) AND ($3::text IS NULL OR test_clock = $3)
       ORDER BY seq DESC LIMIT $1`,
      [limit + 1, beforeSeq ?? null, testClock ?? null],
    );
  }
}
