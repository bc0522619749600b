import { MigrationInterface, QueryRunner } from 'typeorm';

const MERGED_TYPES = `('sum', 'count', 'max', 'min')`;

/**
 * Merges the rows of `source` (hourly rows with `type` and `delta`, the state's decimal field or,
 * for an updated sum or count, its growth) into the daily rollups: one row per UTC day and key,
 * merged in the database on the row as committed, so concurrent writers of other hours add up.
 */
function mergeIntoDailySql(source: string): string {
  return `
    INSERT INTO aggregation.usage_daily AS d (customer_id, metric_key, day, subscription_key, dimension_key, state)
    SELECT customer_id, metric_key, date_trunc('day', hour, 'UTC'), subscription_key, dimension_key,
           jsonb_build_object('type', type, type, CASE type WHEN 'max' THEN max(delta) WHEN 'min' THEN min(delta) ELSE sum(delta) END::text)
    FROM (${source}) h
    GROUP BY customer_id, metric_key, date_trunc('day', hour, 'UTC'), subscription_key, dimension_key, type
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (customer_id, metric_key, day, subscription_key, dimension_key) DO UPDATE
    SET state = jsonb_build_object('type', d.state ->> 'type', d.state ->> 'type', (CASE d.state ->> 'type'
          WHEN 'max' THEN GREATEST((d.state ->> 'max')::numeric, (EXCLUDED.state ->> 'max')::numeric)
          WHEN 'min' THEN LEAST((d.state ->> 'min')::numeric, (EXCLUDED.state ->> 'min')::numeric)
          ELSE (d.state ->> (d.state ->> 'type'))::numeric + (EXCLUDED.state ->> (d.state ->> 'type'))::numeric END)::text),
        updated_at = now()`;
}

/** The hourly rows of the merged types with their whole state as the delta. */
const WHOLE_ROWS = (table: string) =>
  `SELECT h.*, h.state ->> 'type' AS type, (h.state ->> (h.state ->> 'type'))::numeric AS delta FROM ${table} h WHERE h.state ->> 'type' IN ${MERGED_TYPES}`;

/**
 * Updated hourly rows: a sum or count grew by new − old; a max or min is merged whole (events are
 * only ever added, so it only moves outwards). Unchanged rows (a lock taken by a no-op update) are skipped.
 */
const UPDATED_ROWS = `
  SELECT n.*, n.state ->> 'type' AS type,
         CASE WHEN n.state ->> 'type' IN ('max', 'min') THEN (n.state ->> (n.state ->> 'type'))::numeric
              ELSE (n.state ->> (n.state ->> 'type'))::numeric - coalesce((o.state ->> (o.state ->> 'type'))::numeric, 0) END AS delta
  FROM new_rows n JOIN old_rows o USING (customer_id, metric_key, hour, subscription_key, dimension_key)
  WHERE n.state ->> 'type' IN ${MERGED_TYPES} AND n.state IS DISTINCT FROM o.state`;

/**
 * Daily rollups of the hourly buckets of the types the database merges (sum, count, max, min; the
 * state's field is named as its type): a month's total reads 31 rows per bucket key instead of 744.
 * Kept by statement triggers on the hourly buckets, in the transaction that writes them, whatever
 * writes them — also a previous release still running during a rolling upgrade, which knows nothing
 * of rollups. Filled here from the hourly buckets stored so far, with writers held off meanwhile.
 * Hourly rows are never deleted (events are only ever added). Metrics with dimensions get the same
 * partial index for their `*` rollups.
 */
export class UsageDailyRollups1710000000800 implements MigrationInterface {
  name = 'UsageDailyRollups1710000000800';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('LOCK TABLE aggregation.usage_hourly IN SHARE ROW EXCLUSIVE MODE');
    await runner.query(`
      CREATE TABLE aggregation.usage_daily (
        customer_id text NOT NULL,
        metric_key text NOT NULL,
        day timestamptz NOT NULL,
        subscription_key text NOT NULL,
        dimension_key text NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (customer_id, metric_key, day, subscription_key, dimension_key)
      )`);
    await runner.query(`CREATE INDEX usage_daily_rollups ON aggregation.usage_daily (customer_id, metric_key, day) WHERE dimension_key = '*'`);
    await runner.query(`
      CREATE FUNCTION aggregation.usage_hourly_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN ${mergeIntoDailySql(WHOLE_ROWS('new_rows'))}; RETURN NULL; END $$`);
    await runner.query(`
      CREATE FUNCTION aggregation.usage_hourly_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN ${mergeIntoDailySql(UPDATED_ROWS)}; RETURN NULL; END $$`);
    await runner.query(`
      CREATE TRIGGER usage_daily_on_insert AFTER INSERT ON aggregation.usage_hourly
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aggregation.usage_hourly_inserted()`);
    await runner.query(`
      CREATE TRIGGER usage_daily_on_update AFTER UPDATE ON aggregation.usage_hourly
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aggregation.usage_hourly_updated()`);
    await runner.query(mergeIntoDailySql(WHOLE_ROWS('aggregation.usage_hourly')));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TRIGGER usage_daily_on_update ON aggregation.usage_hourly');
    await runner.query('DROP TRIGGER usage_daily_on_insert ON aggregation.usage_hourly');
    await runner.query('DROP FUNCTION aggregation.usage_hourly_updated()');
    await runner.query('DROP FUNCTION aggregation.usage_hourly_inserted()');
    await runner.query('DROP TABLE aggregation.usage_daily');
  }
}
