import { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyKeys1700000000100 implements MigrationInterface {
  name = 'IdempotencyKeys1700000000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE gateway.idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status integer,
        content_type text,
        response_body text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (scope, key)
      )`);
    await runner.query('CREATE INDEX idempotency_keys_created_at ON gateway.idempotency_keys (created_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE gateway.idempotency_keys');
  }
}
