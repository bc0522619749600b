import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { pgCode, PG_UNIQUE_VIOLATION } from '../database/pg-errors';

export interface TaxRateRow {
  id: string;
  seq: string;
  display_name: string;
  percentage: string;
  inclusive: boolean;
  jurisdiction: string | null;
  created_at: Date;
}

const COLUMNS = 'id, seq::text AS seq, display_name, percentage::text AS percentage, inclusive, jurisdiction, created_at';

/** Tax rates never change once created (Stripe's rule): an invoice's taxes stay explainable. */
@Injectable()
export class TaxRatesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: Omit<TaxRateRow, 'seq'>): Promise<TaxRateRow> {
    try {
      const rows: TaxRateRow[] = await this.dataSource.query(
        `INSERT INTO invoicing.tax_rates (id, display_name, percentage, inclusive, jurisdiction, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [row.id, row.display_name, row.percentage, row.inclusive, row.jurisdiction, row.created_at],
      );
      return rows[0];
    } catch (error) {
      if (pgCode(error) === PG_UNIQUE_VIOLATION) throw new ProblemException(409, 'tax_rate_exists', `A tax rate with id ${row.id} already exists.`);
      throw error;
    }
  }

  async find(ids: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<TaxRateRow[]> {
    return manager.query(`SELECT ${COLUMNS} FROM invoicing.tax_rates WHERE id = ANY($1::text[])`, [ids]);
  }

  async list(limit: number, beforeSeq: string | undefined): Promise<TaxRateRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM invoicing.tax_rates WHERE ($1::bigint IS NULL OR seq < $1) ORDER BY seq DESC LIMIT $2`, [
      beforeSeq ?? null,
      limit + 1,
    ]);
  }
}
