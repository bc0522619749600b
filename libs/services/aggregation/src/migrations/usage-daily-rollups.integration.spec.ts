import { DataSource } from 'typeorm';
import { openServiceDatabase } from '@abaxus/platform/database/service-data-source';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { catalogCopyDimensionsMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy-dimensions.migration';
import { catalogCopyMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy.migration';
import { UsageStore1710000000300 } from './1710000000300-usage-store';
import { RenameUsageEventKeys1710000000400 } from './1710000000400-rename-usage-event-keys';
import { DeadLetterOutbox1710000000500 } from './1710000000500-dead-letter-outbox';
import { UsageHourlyDimensions1710000000710 } from './1710000000710-usage-hourly-dimensions';
import { UsageDailyRollups1710000000800 } from './1710000000800-usage-daily-rollups';

const BEFORE = [
  catalogCopyMigration('aggregation'),
  UsageStore1710000000300,
  RenameUsageEventKeys1710000000400,
  DeadLetterOutbox1710000000500,
  catalogCopyDimensionsMigration('aggregation'),
  UsageHourlyDimensions1710000000710,
];

describe('migration UsageDailyRollups1710000000800', () => {
  let database: TestDatabase;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database.drop();
  });

  it('fills the daily rollups of the SQL-merged types from the hourly buckets already stored, per UTC day and key, and keeps them whatever writes the buckets', async () => {
    const before = await openServiceDatabase({ url: database.url, schema: 'aggregation', migrations: BEFORE });
    const hour = (customer: string, metric: string, at: string, state: object, dimensionKey = '{}', subscription = '') =>
      before.query(
        'INSERT INTO aggregation.usage_hourly (customer_id, metric_key, hour, subscription_key, dimension_key, state) VALUES ($1, $2, $3, $4, $5, $6)',
        [customer, metric, at, subscription, dimensionKey, JSON.stringify(state)],
      );
    await hour('c', 'calls', '2026-03-17T00:00:00Z', { type: 'sum', sum: '5' });
    await hour('c', 'calls', '2026-03-17T23:00:00Z', { type: 'sum', sum: '2.5' });
    await hour('c', 'calls', '2026-03-18T00:00:00Z', { type: 'sum', sum: '4' });
    await hour('c', 'calls', '2026-03-17T05:00:00Z', { type: 'sum', sum: '1' }, '{}', 'sub_1');
    await hour('c', 'peak', '2026-03-17T01:00:00Z', { type: 'max', max: '3' });
    await hour('c', 'peak', '2026-03-17T02:00:00Z', { type: 'max', max: null });
    await hour('c', 'low', '2026-03-17T01:00:00Z', { type: 'min', min: '-3' }, '*');
    await hour('c', 'low', '2026-03-17T02:00:00Z', { type: 'min', min: '7' }, '*');
    await hour('c', 'hits', '2026-03-17T02:00:00Z', { type: 'count', count: '2' });
    await hour('c', 'users', '2026-03-17T02:00:00Z', { type: 'unique_count', values: ['a'] });
    await before.destroy();

    dataSource = await openServiceDatabase({ url: database.url, schema: 'aggregation', migrations: [...BEFORE, UsageDailyRollups1710000000800] });
    const days = await dataSource.query(
      `SELECT metric_key, to_char(day AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, subscription_key, dimension_key, state
       FROM aggregation.usage_daily ORDER BY metric_key, day, subscription_key`,
    );
    expect(days).toEqual([
      { metric_key: 'calls', day: '2026-03-17', subscription_key: '', dimension_key: '{}', state: { type: 'sum', sum: '7.5' } },
      { metric_key: 'calls', day: '2026-03-17', subscription_key: 'sub_1', dimension_key: '{}', state: { type: 'sum', sum: '1' } },
      { metric_key: 'calls', day: '2026-03-18', subscription_key: '', dimension_key: '{}', state: { type: 'sum', sum: '4' } },
      { metric_key: 'hits', day: '2026-03-17', subscription_key: '', dimension_key: '{}', state: { type: 'count', count: '2' } },
      { metric_key: 'low', day: '2026-03-17', subscription_key: '', dimension_key: '*', state: { type: 'min', min: '-3' } },
      { metric_key: 'peak', day: '2026-03-17', subscription_key: '', dimension_key: '{}', state: { type: 'max', max: '3' } },
    ]);

    // Whatever writes the hourly buckets afterwards (a previous release still rolling, plain SQL),
    // the database keeps their days: an insert adds, a sum's update adds its growth, a max merges
    // outwards, a no-op update (the lock the store takes) changes nothing.
    const daily = async (metric: string, day: string) =>
      (await dataSource!.query(`SELECT state FROM aggregation.usage_daily WHERE metric_key = $1 AND day = $2 AND subscription_key = ''`, [metric, day]))[0]
        ?.state;
    await dataSource.query(
      `INSERT INTO aggregation.usage_hourly (customer_id, metric_key, hour, subscription_key, state)
       VALUES ('c', 'calls', '2026-03-17T06:00:00Z', '', '{"type":"sum","sum":"0.25"}'), ('c', 'calls', '2026-03-19T06:00:00Z', '', '{"type":"sum","sum":"3"}')`,
    );
    await dataSource.query(
      `UPDATE aggregation.usage_hourly SET state = '{"type":"sum","sum":"7"}' WHERE metric_key = 'calls' AND hour = '2026-03-17T00:00:00Z' AND subscription_key = ''`,
    );
    await dataSource.query(
      `UPDATE aggregation.usage_hourly SET state = '{"type":"max","max":"9"}' WHERE metric_key = 'peak' AND hour = '2026-03-17T02:00:00Z'`,
    );
    await dataSource.query(`INSERT INTO aggregation.usage_hourly AS b (customer_id, metric_key, hour, subscription_key, state)
       VALUES ('c', 'calls', '2026-03-17T23:00:00Z', '', '{"type":"sum","sum":"100"}') ON CONFLICT (customer_id, metric_key, hour, subscription_key, dimension_key) DO UPDATE SET state = b.state`);
    expect(await daily('calls', '2026-03-17T00:00:00Z')).toEqual({ type: 'sum', sum: '9.75' }); // 7.5 + 0.25 + (7 − 5)
    expect(await daily('calls', '2026-03-19T00:00:00Z')).toEqual({ type: 'sum', sum: '3' });
    expect(await daily('peak', '2026-03-17T00:00:00Z')).toEqual({ type: 'max', max: '9' });

    await dataSource.undoLastMigration();
    expect(await dataSource.query("SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE 'usage_daily%'")).toEqual([{ n: 0 }]);
    await dataSource.query(
      `UPDATE aggregation.usage_hourly SET state = '{"type":"sum","sum":"8"}' WHERE metric_key = 'calls' AND hour = '2026-03-17T00:00:00Z' AND subscription_key = ''`,
    );
    expect(await dataSource.query("SELECT to_regclass('aggregation.usage_daily') AS t")).toEqual([{ t: null }]);
  });
});
