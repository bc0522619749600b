import { MigrationInterface, QueryRunner } from 'typeorm';

/** Finished deliveries are deleted after the retention period: find them, and the events left without one, by index. */
export class WebhookDeliveryRetention1720000000100 implements MigrationInterface {
  name = 'WebhookDeliveryRetention1720000000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX webhook_deliveries_finished ON notifications.webhook_deliveries (completed_at) WHERE status <> 'pending'`);
    await runner.query('CREATE INDEX webhook_deliveries_event ON notifications.webhook_deliveries (event_id)');
    await runner.query('CREATE INDEX webhook_events_recorded ON notifications.webhook_events (recorded_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX notifications.webhook_events_recorded');
    await runner.query('DROP INDEX notifications.webhook_deliveries_event');
    await runner.query('DROP INDEX notifications.webhook_deliveries_finished');
  }
}
