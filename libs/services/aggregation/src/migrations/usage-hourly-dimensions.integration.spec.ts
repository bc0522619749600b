import { DataSource } from 'typeorm';
import { openServiceDatabase } from '@abaxus/platform/database/service-data-source';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { catalogCopyDimensionsMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy-dimensions.migration';
import { catalogCopyMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy.migration';
import { UsageStore1710000000300 } from './1710000000300-usage-store';
import { RenameUsageEventKeys1710000000400 } from './1710000000400-rename-usage-event-keys';
import { DeadLetterOutbox1710000000500 } from './1710000000500-dead-letter-outbox';
import { UsageHourlyDimensions1710000000710 } from './1710000000710-usage-hourly-dimensions';

const BEFORE = [catalogCopyMigration('aggregation'), UsageStore1710000000300, RenameUsageEventKeys1710000000400, DeadLetterOutbox1710000000500];

describe('migrations CatalogCopyDimensions1710000000700 and UsageHourlyDimensions1710000000710', () => {
  let database: TestDatabase;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database.drop();
  });

  it('keeps existing buckets under {}, keys new ones by dimension values too, and empties the catalog copy so it refills with dimensions', async () => {
    const before = await openServiceDatabase({ url: database.url, schema: 'aggregation', migrations: BEFORE });
    await before.query("INSERT INTO aggregation.catalog_metrics (key, aggregation_type, value_type) VALUES ('tokens', 'sum', 'integer')");
    await before.query(
      `INSERT INTO aggregation.usage_hourly (customer_id, metric_key, hour, subscription_key, state) VALUES ('c', 'tokens', '2026-03-01T00:00:00Z', '', '{"type":"sum","sum":"5"}')`,
    );
    await before.destroy();

    dataSource = await openServiceDatabase({
      url: database.url,
      schema: 'aggregation',
      migrations: [...BEFORE, catalogCopyDimensionsMigration('aggregation'), UsageHourlyDimensions1710000000710],
    });
    expect(await dataSource.query('SELECT dimension_key, state FROM aggregation.usage_hourly')).toEqual([
      { dimension_key: '{}', state: { type: 'sum', sum: '5' } },
    ]);
    expect(await dataSource.query('SELECT key FROM aggregation.catalog_metrics')).toEqual([]);
    const insert = (key: string) =>
      dataSource!.query(
        `INSERT INTO aggregation.usage_hourly (customer_id, metric_key, hour, subscription_key, dimension_key, state)
         VALUES ('c', 'tokens', '2026-03-01T00:00:00Z', '', $1, '{"type":"sum","sum":"1"}') ON CONFLICT DO NOTHING RETURNING dimension_key`,
        [key],
      );
    expect(await insert('{"model":"a"}')).toEqual([{ dimension_key: '{"model":"a"}' }]);
    expect(await insert('{}')).toEqual([]);

    await dataSource.undoLastMigration();
    expect(await dataSource.query('SELECT count(*)::int AS n FROM aggregation.usage_hourly')).toEqual([{ n: 1 }]);
  });
});
