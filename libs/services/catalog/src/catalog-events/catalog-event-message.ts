import { randomUUID } from 'node:crypto';
import { CatalogEvent, CatalogEventEnvelope } from '@abaxus/contracts/catalog-events';
import { TOPICS } from '@abaxus/contracts/topics';
import { OutgoingMessage } from '@abaxus/platform/bus/message-bus';

/** The bus message of a catalog event: keyed by the entity id, so one entity's changes stay in order. */
export function catalogEventMessage(event: CatalogEvent, occurredAt: Date = new Date()): OutgoingMessage {
  const envelope: CatalogEventEnvelope = { event_id: randomUUID(), occurred_at: occurredAt.toISOString(), ...event };
  return { topic: TOPICS.catalogEvents, key: entityIdOf(event), value: JSON.stringify(envelope) };
}

function entityIdOf(event: CatalogEvent): string {
  switch (event.type) {
    case 'metric.created':
      return event.data.key;
    case 'price_plan_version.created':
    case 'customer.created':
    case 'customer.updated':
    case 'subscription.created':
    case 'subscription.canceled':
    case 'subscription.changed':
      return event.data.id;
  }
}
