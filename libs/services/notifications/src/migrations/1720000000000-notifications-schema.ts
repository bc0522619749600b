import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notifications service: outbound webhook endpoints, the events recorded for them and one
 * delivery per endpoint and event (with its attempts), usage alerts and the periods they fired
 * in, and how far each of its consumers has read each partition.
 * - webhook_deliveries.seq orders one endpoint's deliveries for one customer (ordering_key);
 *   a delivery is only sent once every earlier pending one of the same endpoint and customer
 *   is done. claim/claimed_until mark the sender working on it (no lock held while sending).
 * - usage_alert_triggers' primary key is the "once per period" rule.
 */
export class NotificationsSchema1720000000000 implements MigrationInterface {
  name = 'NotificationsSchema1720000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE notifications.webhook_endpoints (
        id text PRIMARY KEY,
        sequence bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        url text NOT NULL,
        description text,
        event_types text[] NOT NULL,
        sealed_secret text NOT NULL,
        status text NOT NULL CHECK (status IN ('enabled', 'disabled')),
        disabled_reason text CHECK (disabled_reason IN ('retries_exhausted', 'requested')),
        disabled_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE notifications.webhook_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        customer_id text,
        payload text NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE notifications.webhook_deliveries (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        endpoint_id text NOT NULL REFERENCES notifications.webhook_endpoints (id) ON DELETE CASCADE,
        event_id text NOT NULL REFERENCES notifications.webhook_events (id),
        ordering_key text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        window_failures integer NOT NULL DEFAULT 0,
        window_started_at timestamptz,
        next_attempt_at timestamptz NOT NULL,
        last_attempt_at timestamptz,
        last_response_status integer,
        last_error text,
        claim uuid,
        claimed_until timestamptz,
        created_at timestamptz NOT NULL,
        completed_at timestamptz,
        UNIQUE (endpoint_id, event_id)
      )`);
    await runner.query(`CREATE INDEX webhook_deliveries_due ON notifications.webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await runner.query(
      `CREATE INDEX webhook_deliveries_pending_order ON notifications.webhook_deliveries (endpoint_id, ordering_key, seq) WHERE status = 'pending'`,
    );
    await runner.query('CREATE INDEX webhook_deliveries_by_endpoint ON notifications.webhook_deliveries (endpoint_id, seq)');
    await runner.query(`
      CREATE TABLE notifications.webhook_delivery_attempts (
        delivery_id text NOT NULL REFERENCES notifications.webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL,
        response_status integer,
        error text,
        duration_ms integer NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      )`);
    await runner.query(`
      CREATE TABLE notifications.usage_alerts (
        id text PRIMARY KEY,
        sequence bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        customer_id text NOT NULL,
        metric_key text,
        threshold_kind text NOT NULL CHECK (threshold_kind IN ('usage', 'amount')),
        threshold_value text NOT NULL,
        threshold_currency text,
        created_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX usage_alerts_customer ON notifications.usage_alerts (customer_id)');
    await runner.query(`
      CREATE TABLE notifications.usage_alert_triggers (
        alert_id text NOT NULL REFERENCES notifications.usage_alerts (id) ON DELETE CASCADE,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        value text NOT NULL,
        currency text,
        event_id text NOT NULL,
        triggered_at timestamptz NOT NULL,
        PRIMARY KEY (alert_id, period_start)
      )`);
    await runner.query(`
      CREATE TABLE notifications.consumer_positions (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, topic, partition)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'consumer_positions',
      'usage_alert_triggers',
      'usage_alerts',
      'webhook_delivery_attempts',
      'webhook_deliveries',
      'webhook_events',
      'webhook_endpoints',
    ]) {
      await runner.query(`DROP TABLE notifications.${table}`);
    }
  }
}
