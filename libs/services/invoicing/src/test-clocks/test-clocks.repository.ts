import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface TestClockRow {
  id: string;
  seq: string;
  name: string | null;
  frozen_time: Date;
  status: 'ready' | 'advancing';
  created_at: Date;
}

const COLUMNS = 'id, seq::text AS seq, name, frozen_time, status, created_at';

@Injectable()
export class TestClocksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(clock: Omit<TestClockRow, 'seq' | 'status'>): Promise<TestClockRow> {
    const rows: TestClockRow[] = await this.dataSource.query(
      `INSERT INTO invoicing.test_clocks (id, name, frozen_time, status, created_at) VALUES ($1, $2, $3, 'ready', $4) RETURNING ${COLUMNS}`,
      [clock.id, clock.name, clock.frozen_time, clock.created_at],
    );
    return rows[0];
  }

  async find(id: string): Promise<TestClockRow | undefined> {
    const rows: TestClockRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM invoicing.test_clocks WHERE id = $1`, [id]);
    return rows[0];
  }

  async list(limit: number, beforeSeq: string | undefined): Promise<TestClockRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM invoicing.test_clocks WHERE ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $1`, [
      limit + 1,
      beforeSeq ?? null,
    ]);
  }

  /** Moves a ready clock forward and marks it advancing; undefined when it is advancing already or would not move forward. */
  async startAdvance(id: string, to: Date): Promise<TestClockRow | undefined> {
    const [rows]: [TestClockRow[], number] = await this.dataSource.query(
      `UPDATE invoicing.test_clocks SET frozen_time = $2, status = 'advancing' WHERE id = $1 AND status = 'ready' AND frozen_time < $2 RETURNING ${COLUMNS}`,
      [id, to],
    );
    return rows[0];
  }

  /** Ready again, unless it was advanced further meanwhile. */
  async finishAdvance(id: string, to: Date): Promise<void> {
    await this.dataSource.query(`UPDATE invoicing.test_clocks SET status = 'ready' WHERE id = $1 AND frozen_time = $2 AND status = 'advancing'`, [id, to]);
  }

  async advancing(): Promise<TestClockRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM invoicing.test_clocks WHERE status = 'advancing' ORDER BY seq`);
  }
}
