/*
 * Usage written straight into the aggregation store with SQL, for reads over months far larger
 * than the benches could ingest in their time: the events table and its keys (by the caller),
 * then the hourly buckets rebuilt as the engine keeps them (sum metrics only; the database's
 * triggers keep their daily rollups).
 */
import { Client } from 'pg';

export async function ensureMarchPartition(sql: Client): Promise<void> {
  await sql.query(
    `CREATE TABLE IF NOT EXISTS aggregation.events_p202603 PARTITION OF aggregation.events FOR VALUES FROM ('2026-03-01T00:00:00Z') TO ('2026-04-01T00:00:00Z')`,
  );
}

/** Rebuilds a customer's hourly buckets of sum metrics from its events (the database's triggers rebuild their daily rollups). */
export async function rebuildSumBuckets(sql: Client, customerId: string): Promise<void> {
  await sql.query('DELETE FROM aggregation.usage_hourly WHERE customer_id = $1', [customerId]);
  await sql.query('DELETE FROM aggregation.usage_daily WHERE customer_id = $1', [customerId]);
  await sql.query(
    `INSERT INTO aggregation.usage_hourly (customer_id, metric_key, hour, subscription_key, state)
     SELECT customer_id, metric_key, date_trunc('hour', ts, 'UTC'), coalesce(subscription_id, ''), jsonb_build_object('type', 'sum', 'sum', sum(value::numeric)::text)
     FROM aggregation.events WHERE customer_id = $1 GROUP BY 1, 2, 3, 4`,
    [customerId],
  );
  for (const table of ['events_p202603', 'usage_event_keys', 'usage_hourly', 'usage_daily']) await sql.query(`ANALYZE aggregation.${table}`);
}
