import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `idempotency_keys` held the usage events' dedup keys under the same name as the gateway's HTTP
 * Idempotency-Key store: renamed to say what it holds. Rows (and the primary key) are kept.
 */
export class RenameUsageEventKeys1710000000400 implements MigrationInterface {
  name = 'RenameUsageEventKeys1710000000400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE aggregation.idempotency_keys RENAME TO usage_event_keys');
    await runner.query('ALTER TABLE aggregation.usage_event_keys RENAME CONSTRAINT idempotency_keys_pkey TO usage_event_keys_pkey');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE aggregation.usage_event_keys RENAME CONSTRAINT usage_event_keys_pkey TO idempotency_keys_pkey');
    await runner.query('ALTER TABLE aggregation.usage_event_keys RENAME TO idempotency_keys');
  }
}
