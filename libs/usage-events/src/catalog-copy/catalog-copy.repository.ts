import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AggregationType } from '@abaxus/domain/aggregation/aggregation-state';
import { ValueType } from '@abaxus/domain/aggregation/metric-value';

/** Schema holding the read copy (the owning service's own schema). */
export const CATALOG_COPY_SCHEMA = Symbol('CATALOG_COPY_SCHEMA');

export interface MetricRow {
  key: string;
  aggregationType: AggregationType;
  valueType: ValueType;
}

export interface SubscriptionRow {
  id: string;
  customerId: string;
}

/** SQL of the catalog read copy; upserts are idempotent, so redelivered catalog events are harmless. */
@Injectable()
export class CatalogCopyRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CATALOG_COPY_SCHEMA) private readonly schema: string,
  ) {}

  async findMetrics(keys: string[]): Promise<MetricRow[]> {
    const rows: Array<{ key: string; aggregation_type: AggregationType; value_type: ValueType }> = await this.dataSource.query(
      `SELECT key, aggregation_type, value_type FROM ${this.schema}.catalog_metrics WHERE key = ANY($1::text[])`,
      [keys],
    );
    return rows.map((row) => ({ key: row.key, aggregationType: row.aggregation_type, valueType: row.value_type }));
  }

  async findCustomers(ids: string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM ${this.schema}.catalog_customers WHERE id = ANY($1::text[])`, [ids]);
    return rows.map((row) => row.id);
  }

  async findSubscriptions(ids: string[]): Promise<SubscriptionRow[]> {
    const rows: Array<{ id: string; customer_id: string }> = await this.dataSource.query(
      `SELECT id, customer_id FROM ${this.schema}.catalog_subscriptions WHERE id = ANY($1::text[])`,
      [ids],
    );
    return rows.map((row) => ({ id: row.id, customerId: row.customer_id }));
  }

  async saveMetrics(rows: MetricRow[]): Promise<void> {
    // One row per key: an upsert may not touch the same row twice in one statement.
    const metrics = [...new Map(rows.map((row) => [row.key, row])).values()];
    if (metrics.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.catalog_metrics (key, aggregation_type, value_type)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (key) DO UPDATE SET aggregation_type = EXCLUDED.aggregation_type, value_type = EXCLUDED.value_type, updated_at = now()`,
      [metrics.map((m) => m.key), metrics.map((m) => m.aggregationType), metrics.map((m) => m.valueType)],
    );
  }

  async saveCustomers(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(`INSERT INTO ${this.schema}.catalog_customers (id) SELECT unnest($1::text[]) ON CONFLICT (id) DO NOTHING`, [ids]);
  }

  async saveSubscriptions(rows: SubscriptionRow[]): Promise<void> {
    const subscriptions = [...new Map(rows.map((row) => [row.id, row])).values()];
    if (subscriptions.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.catalog_subscriptions (id, customer_id)
       SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id, updated_at = now()`,
      [subscriptions.map((s) => s.id), subscriptions.map((s) => s.customerId)],
    );
  }
}
