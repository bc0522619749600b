import { DataSource } from 'typeorm';
import { openServiceDatabase } from '@abaxus/platform/database/service-data-source';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { IdempotencyKeys1700000000100 } from './1700000000100-idempotency-keys';
import { RenameHttpIdempotentRequests1700000000500 } from './1700000000500-rename-http-idempotent-requests';

describe('migration RenameHttpIdempotentRequests1700000000500', () => {
  let database: TestDatabase;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database.drop();
  });

  it('renames gateway.idempotency_keys to http_idempotent_requests, keeping stored answers, key and index', async () => {
    const before = await openServiceDatabase({ url: database.url, schema: 'gateway', migrations: [IdempotencyKeys1700000000100] });
    await before.query(
      `INSERT INTO gateway.idempotency_keys (scope, key, request_hash, status, content_type, response_body)
       VALUES ('key_a', 'idem_1', 'hash', 201, 'application/json', '{"id":"cust_1"}')`,
    );
    await before.destroy();

    dataSource = await openServiceDatabase({
      url: database.url,
      schema: 'gateway',
      migrations: [IdempotencyKeys1700000000100, RenameHttpIdempotentRequests1700000000500],
    });
    const rows: unknown[] = await dataSource.query('SELECT scope, key, status, response_body FROM gateway.http_idempotent_requests');
    expect(rows).toEqual([{ scope: 'key_a', key: 'idem_1', status: 201, response_body: '{"id":"cust_1"}' }]);
    const names: Array<{ name: string | null }> = await dataSource.query(
      `SELECT to_regclass(name)::text AS name FROM unnest(ARRAY['gateway.idempotency_keys', 'gateway.http_idempotent_requests_pkey',
         'gateway.http_idempotent_requests_created_at']) AS name`,
    );
    expect(names.map((row) => row.name)).toEqual([null, 'gateway.http_idempotent_requests_pkey', 'gateway.http_idempotent_requests_created_at']);

    await dataSource.undoLastMigration();
    const [restored]: Array<{ count: string }> = await dataSource.query('SELECT count(*)::text AS count FROM gateway.idempotency_keys');
    expect(restored.count).toBe('1');
  });
});
