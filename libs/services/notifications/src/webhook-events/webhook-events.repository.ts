import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { WebhookEvent, webhookPayload } from './webhook-event';

/**
 * Records webhook events and fans each one out to a pending delivery per endpoint subscribed to
 * its type, in the caller's transaction. An event already recorded (the same fact delivered
 * again) adds nothing; an event no endpoint subscribes to is not kept.
 */
@Injectable()
export class WebhookEventsRepository {
  /** Returns how many deliveries were created. */
  async record(manager: EntityManager, events: WebhookEvent[], now: Date): Promise<number> {
    const unique = [...new Map(events.map((event) => [event.id, event])).values()];
    if (unique.length === 0) return 0;
    // Deliveries are numbered (seq) in the order of the input, then of the endpoint id.
    const rows: Array<{ created: number }> = await manager.query(
      `WITH input AS MATERIALIZED (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY
           AS t(id, type, customer_id, payload, occurred_at, ord)
         WHERE EXISTS (SELECT 1 FROM notifications.webhook_endpoints e WHERE t.type = ANY (e.event_types))
       ), new_events AS (
         INSERT INTO notifications.webhook_events (id, type, customer_id, payload, occurred_at, recorded_at)
         SELECT id, type, customer_id, payload, occurred_at, $6 FROM input ORDER BY ord
         ON CONFLICT (id) DO NOTHING RETURNING id
       ), deliveries AS (
         INSERT INTO notifications.webhook_deliveries (id, endpoint_id, event_id, ordering_key, status, next_attempt_at, created_at)
         SELECT 'del_' || replace(gen_random_uuid()::text, '-', ''), e.id, i.id, coalesce(i.customer_id, ''), 'pending', $6, $6
         FROM input i JOIN new_events n ON n.id = i.id JOIN notifications.webhook_endpoints e ON i.type = ANY (e.event_types)
         ORDER BY i.ord, e.id
         RETURNING 1
       )
       SELECT count(*)::int AS created FROM deliveries`,
      [
        unique.map((event) => event.id),
        unique.map((event) => event.type),
        unique.map((event) => event.customerId),
        unique.map((event) => webhookPayload(event)),
        unique.map((event) => event.occurredAt.toISOString()),
        now.toISOString(),
      ],
    );
    return rows[0].created;
  }
}
