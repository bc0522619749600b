import { REJECTION_ID_HEADER, TOPICS } from '@abaxus/contracts/topics';
import type { IncomingMessage, OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import { creditNoteFact, deadLetterFact, invoiceFact, subscriptionCanceledFact } from '../testing/bus-facts';
import { MAX_REJECTED_BODY_CHARS, webhookEventOf } from './facts-to-webhook-events';
import { webhookPayload } from './webhook-event';

let offset = 0;
function incoming(message: OutgoingMessage): IncomingMessage {
  offset += 1;
  return {
    topic: message.topic,
    partition: 0,
    offset: String(offset),
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    timestamp: '2026-03-17T14:00:00.000Z',
  };
}

describe('facts on the bus as webhook events', () => {
  it('passes invoice events through, with an id derived from the fact (the same fact twice is the same event)', () => {
    const { message, envelope } = invoiceFact('cust_1', 'invoice.payment_failed', { failure_code: 'card_declined' });
    const event = webhookEventOf(incoming(message))!;
    expect(event).toMatchObject({ type: 'invoice.payment_failed', customerId: 'cust_1', data: envelope.data });
    expect(event.occurredAt.toISOString()).toBe(envelope.occurred_at);
    expect(webhookEventOf(incoming(message))!.id).toBe(event.id);
    expect(webhookEventOf(incoming(invoiceFact('cust_1').message))!.id).not.toBe(event.id);
    expect(JSON.parse(webhookPayload(event))).toEqual({ type: 'invoice.payment_failed', timestamp: envelope.occurred_at, data: envelope.data });
  });

  it('sends credit_note.issued from the invoice events topic with the credit note as published', () => {
    const { message, envelope } = creditNoteFact('cust_7');
    const event = webhookEventOf(incoming(message))!;
    expect(event).toMatchObject({ type: 'credit_note.issued', customerId: 'cust_7', data: envelope.data });
    expect(JSON.parse(webhookPayload(event))).toEqual({ type: 'credit_note.issued', timestamp: envelope.occurred_at, data: envelope.data });
  });

  it('leaves out what endpoints cannot subscribe to and what cannot be read', () => {
    expect(webhookEventOf(incoming(invoiceFact('cust_1', 'invoice.archived').message))).toBeNull();
    expect(webhookEventOf(incoming({ topic: TOPICS.invoiceEvents, key: 'c', value: '{oops' }))).toBeNull();
    expect(
      webhookEventOf(incoming({ topic: TOPICS.catalogEvents, key: 'm', value: JSON.stringify({ type: 'metric.created', event_id: 'e1', data: {} }) })),
    ).toBeNull();
    expect(webhookEventOf(incoming({ topic: TOPICS.usageEvents, key: 'c', value: '{}' }))).toBeNull();
  });

  it('sends subscription cancellations with the subscription as it was published', () => {
    const subscription = {
      id: 'sub_1',
      customer_id: 'cust_2',
      plan_id: 'p',
      plan_version: 2,
      start_date: '2026-01-01T00:00:00.000Z',
      canceled_at: '2026-02-01T00:00:00.000Z',
      created_at: '2026-01-01T00:00:00.000Z',
    };
    expect(webhookEventOf(incoming(subscriptionCanceledFact(subscription)))).toMatchObject({
      type: 'subscription.canceled',
      customerId: 'cust_2',
      data: subscription,
    });
  });

  it('turns a dead letter into events.rejected, identified by its source position (one event per refused message)', () => {
    const fact = deadLetterFact('{"customer_id":"cust_3","idempotency_key":"k9","value":"x"}', 'cust_3', 'validation_failed: value: must be a number', {
      partition: 1,
      offset: '42',
    });
    const event = webhookEventOf(incoming(fact))!;
    expect(event).toMatchObject({
      type: 'events.rejected',
      customerId: 'cust_3',
      data: { source: 'dead_letter', reason: 'validation_failed: value: must be a number', idempotency_key: 'k9', event: { value: 'x' } },
    });
    expect(webhookEventOf(incoming(fact))!.id).toBe(event.id);
    const other = deadLetterFact(fact.value, 'cust_3', 'x', { partition: 1, offset: '43' });
    expect(webhookEventOf(incoming(other))!.id).not.toBe(event.id);
  });

  it('tells a batch refusal by its rejection id, and cuts a huge unreadable body', () => {
    const refusal = { ...deadLetterFact('[1,2]', '', 'validation_failed: body: must be a JSON object', { partition: 0, offset: '0' }) };
    refusal.headers = { ...refusal.headers, [REJECTION_ID_HEADER]: 'rej_1' };
    const event = webhookEventOf(incoming(refusal))!;
    expect(event).toMatchObject({ customerId: null, data: { source: 'batch', raw: '[1,2]', truncated: false } });
    const huge = webhookEventOf(incoming(deadLetterFact('x'.repeat(MAX_REJECTED_BODY_CHARS + 10), 'c', 'too big', { partition: 0, offset: '1' })))!;
    expect(huge.data).toMatchObject({ truncated: true });
    expect((huge.data.raw as string).length).toBe(MAX_REJECTED_BODY_CHARS);
  });
});
