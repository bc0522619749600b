import { randomUUID } from 'node:crypto';
import { CatalogEvent, CatalogEventEnvelope, CustomerRecord, MetricRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { TOPICS } from '@abaxus/contracts/topics';
import { OutgoingMessage } from '@abaxus/platform/bus/message-bus';

/*
 * Catalog events as the catalog publishes them (libs/contracts: envelope, topic, key = entity id),
 * for tests of a service that keeps a catalog read copy: publish them on its bus to seed the copy.
 */

const AT = '2026-01-01T00:00:00.000Z';

export function catalogEventMessages(...events: CatalogEvent[]): OutgoingMessage[] {
  return events.map((event) => {
    const envelope: CatalogEventEnvelope = { event_id: randomUUID(), occurred_at: new Date().toISOString(), ...event };
    return { topic: TOPICS.catalogEvents, key: event.type === 'metric.created' ? event.data.key : event.data.id, value: JSON.stringify(envelope) };
  });
}

export function metricCreated(
  key: string,
  aggregationType: MetricRecord['aggregation_type'],
  valueType: MetricRecord['value_type'] = 'integer',
): { type: 'metric.created'; data: MetricRecord } {
  return { type: 'metric.created', data: { key, name: key, aggregation_type: aggregationType, value_type: valueType, dimensions: [], created_at: AT } };
}

export function customerCreated(id: string): { type: 'customer.created'; data: CustomerRecord } {
  return {
    type: 'customer.created',
    data: { id, name: null, email: null, billing: null, payment_method: null, address: null, tax_id: null, created_at: AT, updated_at: AT },
  };
}

export function subscriptionCreated(id: string, customerId: string): { type: 'subscription.created'; data: SubscriptionRecord } {
  const subscription: SubscriptionRecord = {
    id,
    customer_id: customerId,
    plan_id: 'plan_test',
    plan_version: 1,
    start_date: AT,
    canceled_at: null,
    created_at: AT,
  };
  return { type: 'subscription.created', data: subscription };
}
