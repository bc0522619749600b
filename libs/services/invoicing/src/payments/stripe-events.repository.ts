import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** What a Stripe event was taken for: it settled something, named nothing of ours, or was refused (and why). */
export interface StripeEventOutcome {
  outcome: 'paid' | 'payment_failed' | 'ignored' | 'refused';
  invoiceId: string | null;
  detail?: Record<string, unknown>;
}

/** Every Stripe event received (delivered at least once): its id, and what it was taken for. */
@Injectable()
export class StripeEventsRepository {
  /** False when this event was received before (then it changes nothing again). */
  async receive(manager: EntityManager, event: { id: string; type: string; paymentIntentId: string | null; at: Date }): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO invoicing.stripe_events (event_id, type, payment_intent_id, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [event.id, event.type, event.paymentIntentId, event.at],
    );
    return rows.length === 1;
  }

  async recordOutcome(manager: EntityManager, eventId: string, outcome: StripeEventOutcome): Promise<void> {
    await manager.query('UPDATE invoicing.stripe_events SET outcome = $2, invoice_id = $3, detail = $4::jsonb WHERE event_id = $1', [
      eventId,
      outcome.outcome,
      outcome.invoiceId,
      JSON.stringify(outcome.detail ?? {}),
    ]);
  }
}
