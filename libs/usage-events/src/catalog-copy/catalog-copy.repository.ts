import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AggregationType } from '@abaxus/domain/aggregation/aggregation-state';
import { ValueType } from '@abaxus/domain/aggregation/metric-value';
import { MetricFacts } from '../usage-event-rules';

/** Schema holding the read copy (the owning service's own schema). */
export const CATALOG_COPY_SCHEMA = Symbol('CATALOG_COPY_SCHEMA');

/** A customer's entry says only that it exists. */
export type CustomerFacts = true;

/** A subscription's entry: the customer it belongs to. */
export type SubscriptionOwner = string;

/**
 * SQL of the catalog read copy: one table per entity, read and written as maps from id to what the
 * copy keeps of it. Upserts are idempotent, so redelivered catalog events are harmless.
 */
@Injectable()
export class CatalogCopyRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CATALOG_COPY_SCHEMA) private readonly schema: string,
  ) {}

  async findMetrics(keys: string[]): Promise<Map<string, MetricFacts>> {
    const rows: Array<{ key: string; aggregation_type: AggregationType; value_type: ValueType; dimensions: string[] }> = await this.dataSource.query(
      `SELECT key, aggregation_type, value_type, dimensions FROM ${this.schema}.catalog_metrics WHERE key = ANY($1::text[])`,
      [keys],
    );
    return new Map(rows.map((row) => [row.key, { aggregationType: row.aggregation_type, valueType: row.value_type, dimensions: row.dimensions }]));
  }

  async findCustomers(ids: string[]): Promise<Map<string, CustomerFacts>> {
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM ${this.schema}.catalog_customers WHERE id = ANY($1::text[])`, [ids]);
    return new Map(rows.map((row) => [row.id, true]));
  }

  async findSubscriptions(ids: string[]): Promise<Map<string, SubscriptionOwner>> {
    const rows: Array<{ id: string; customer_id: string }> = await this.dataSource.query(
      `SELECT id, customer_id FROM ${this.schema}.catalog_subscriptions WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.customer_id]));
  }

  // One entry per id (a map): an upsert may not touch the same row twice in one statement.

  async saveMetrics(metrics: Map<string, MetricFacts>): Promise<void> {
    if (metrics.size === 0) return;
    const facts = [...metrics.values()];
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.catalog_metrics (key, aggregation_type, value_type, dimensions)
       SELECT key, aggregation_type, value_type, ARRAY(SELECT jsonb_array_elements_text(dimensions::jsonb))
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(key, aggregation_type, value_type, dimensions)
       ON CONFLICT (key) DO UPDATE
       SET aggregation_type = EXCLUDED.aggregation_type, value_type = EXCLUDED.value_type, dimensions = EXCLUDED.dimensions, updated_at = now()`,
      [[...metrics.keys()], facts.map((m) => m.aggregationType), facts.map((m) => m.valueType), facts.map((m) => JSON.stringify(m.dimensions ?? []))],
    );
  }

  async saveCustomers(customers: Map<string, CustomerFacts>): Promise<void> {
    if (customers.size === 0) return;
    await this.dataSource.query(`INSERT INTO ${this.schema}.catalog_customers (id) SELECT unnest($1::text[]) ON CONFLICT (id) DO NOTHING`, [
      [...customers.keys()],
    ]);
  }

  async saveSubscriptions(subscriptions: Map<string, SubscriptionOwner>): Promise<void> {
    if (subscriptions.size === 0) return;
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.catalog_subscriptions (id, customer_id)
       SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id, updated_at = now()`,
      [[...subscriptions.keys()], [...subscriptions.values()]],
    );
  }
}
