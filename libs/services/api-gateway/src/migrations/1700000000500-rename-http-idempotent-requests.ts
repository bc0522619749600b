import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `idempotency_keys` held the HTTP Idempotency-Key replay store (each key's request hash and stored
 * answer) under the same name as the usage events' dedup keys: renamed to say what it holds.
 * Rows, the primary key and the index are kept.
 */
export class RenameHttpIdempotentRequests1700000000500 implements MigrationInterface {
  name = 'RenameHttpIdempotentRequests1700000000500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE gateway.idempotency_keys RENAME TO http_idempotent_requests');
    await runner.query('ALTER TABLE gateway.http_idempotent_requests RENAME CONSTRAINT idempotency_keys_pkey TO http_idempotent_requests_pkey');
    await runner.query('ALTER INDEX gateway.idempotency_keys_created_at RENAME TO http_idempotent_requests_created_at');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER INDEX gateway.http_idempotent_requests_created_at RENAME TO idempotency_keys_created_at');
    await runner.query('ALTER TABLE gateway.http_idempotent_requests RENAME CONSTRAINT http_idempotent_requests_pkey TO idempotency_keys_pkey');
    await runner.query('ALTER TABLE gateway.http_idempotent_requests RENAME TO idempotency_keys');
  }
}
