import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';

/** Stored calculations: the answer text exactly as first sent, plus a few columns to find it. */
@Injectable()
export class CalculationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(calculation: CalculationJson, body: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO pricing.calculations (id, customer_id, subscription_id, period_start, period_end, currency, total_amount, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        calculation.calculation_id,
        calculation.customer_id,
        calculation.subscription_id,
        calculation.period_start,
        calculation.period_end,
        calculation.currency,
        calculation.total_amount,
        body,
        calculation.created_at,
      ],
    );
  }

  /** Several calculations in one statement (a batch). */
  async insertMany(stored: ReadonlyArray<{ calculation: CalculationJson; body: string }>): Promise<void> {
    if (stored.length === 0) return;
    const column = <T>(pick: (calculation: CalculationJson) => T) => stored.map(({ calculation }) => pick(calculation));
    await this.dataSource.query(
      `INSERT INTO pricing.calculations (id, customer_id, subscription_id, period_start, period_end, currency, total_amount, body, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::numeric[], $8::text[], $9::timestamptz[])`,
      [
        column((calculation) => calculation.calculation_id),
        column((calculation) => calculation.customer_id),
        column((calculation) => calculation.subscription_id),
        column((calculation) => calculation.period_start),
        column((calculation) => calculation.period_end),
        column((calculation) => calculation.currency),
        column((calculation) => calculation.total_amount),
        stored.map(({ body }) => body),
        column((calculation) => calculation.created_at),
      ],
    );
  }

  async findBody(id: string): Promise<string | undefined> {
    const rows: Array<{ body: string }> = await this.dataSource.query('SELECT body FROM pricing.calculations WHERE id = $1', [id]);
    return rows[0]?.body;
  }
}
