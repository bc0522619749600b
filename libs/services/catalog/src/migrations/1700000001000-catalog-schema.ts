import { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTableDdl } from '@abaxus/platform/bus/outbox-relay';

/**
 * The catalog: metrics, price plans with immutable versions, customers, subscriptions, and the
 * outbox of catalog events. JSON columns use `json`, not `jsonb`, so charges come back with their
 * keys in the order they were posted. `seq` orders lists (newest first) behind opaque id cursors.
 */
export class CatalogSchema1700000001000 implements MigrationInterface {
  name = 'CatalogSchema1700000001000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE catalog.metrics (
        key text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        name text NOT NULL,
        aggregation_type text NOT NULL CHECK (aggregation_type IN ('sum', 'count', 'max', 'min', 'unique_count', 'latest')),
        value_type text NOT NULL CHECK (value_type IN ('integer', 'decimal', 'string')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE catalog.price_plans (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        latest_version integer NOT NULL CHECK (latest_version > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE catalog.price_plan_versions (
        plan_id text NOT NULL REFERENCES catalog.price_plans (id),
        version integer NOT NULL CHECK (version > 0),
        name text,
        currency text NOT NULL,
        charges json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (plan_id, version)
      )`);
    await runner.query(`
      CREATE TABLE catalog.customers (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        name text,
        email text,
        billing json,
        payment_method json,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE catalog.subscriptions (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        customer_id text NOT NULL REFERENCES catalog.customers (id),
        plan_id text NOT NULL,
        plan_version integer NOT NULL,
        start_date timestamptz NOT NULL,
        canceled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (plan_id, plan_version) REFERENCES catalog.price_plan_versions (plan_id, version)
      )`);
    await runner.query('CREATE INDEX subscriptions_customer_seq ON catalog.subscriptions (customer_id, seq)');
    await runner.query(outboxTableDdl('catalog.outbox'));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE catalog.outbox');
    await runner.query('DROP TABLE catalog.subscriptions');
    await runner.query('DROP TABLE catalog.customers');
    await runner.query('DROP TABLE catalog.price_plan_versions');
    await runner.query('DROP TABLE catalog.price_plans');
    await runner.query('DROP TABLE catalog.metrics');
  }
}
