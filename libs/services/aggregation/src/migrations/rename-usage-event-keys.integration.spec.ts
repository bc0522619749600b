import { DataSource } from 'typeorm';
import { openServiceDatabase } from '@abaxus/platform/database/service-data-source';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { catalogCopyMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy.migration';
import { UsageStore1710000000300 } from './1710000000300-usage-store';
import { RenameUsageEventKeys1710000000400 } from './1710000000400-rename-usage-event-keys';

const BEFORE = [catalogCopyMigration('aggregation'), UsageStore1710000000300];

describe('migration RenameUsageEventKeys1710000000400', () => {
  let database: TestDatabase;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database.drop();
  });

  it('renames aggregation.idempotency_keys to usage_event_keys, keeping every key and the uniqueness', async () => {
    const before = await openServiceDatabase({ url: database.url, schema: 'aggregation', migrations: BEFORE });
    await before.query("INSERT INTO aggregation.idempotency_keys (key) VALUES ('evt_1'), ('evt_2')");
    await before.destroy();

    dataSource = await openServiceDatabase({ url: database.url, schema: 'aggregation', migrations: [...BEFORE, RenameUsageEventKeys1710000000400] });
    const keys: Array<{ key: string }> = await dataSource.query('SELECT key FROM aggregation.usage_event_keys ORDER BY key');
    expect(keys.map((row) => row.key)).toEqual(['evt_1', 'evt_2']);
    const [old]: Array<{ table: string | null }> = await dataSource.query("SELECT to_regclass('aggregation.idempotency_keys')::text AS table");
    expect(old.table).toBeNull();
    const inserted: unknown[] = await dataSource.query(
      "INSERT INTO aggregation.usage_event_keys (key) VALUES ('evt_1'), ('evt_3') ON CONFLICT ON CONSTRAINT usage_event_keys_pkey DO NOTHING RETURNING key",
    );
    expect(inserted).toEqual([{ key: 'evt_3' }]);

    await dataSource.undoLastMigration();
    const [restored]: Array<{ count: string }> = await dataSource.query('SELECT count(*)::text AS count FROM aggregation.idempotency_keys');
    expect(restored.count).toBe('3');
  });
});
