import { randomBytes } from 'node:crypto';
import type { InvoiceEventEnvelope } from '@abaxus/contracts/invoice-events';
import { TOPICS } from '@abaxus/contracts/topics';
import type { TestEngine } from '../test-engine';
import { KafkaMessageBus } from '@abaxus/platform/bus/kafka-message-bus';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { PostgresMessageBus } from '@abaxus/platform/bus/postgres-message-bus';

export interface InvoiceEventListener {
  /** Everything received so far, in delivery order. */
  events: Array<{ key: string | null; envelope: InvoiceEventEnvelope }>;
  stop(): Promise<void>;
}

/** A consumer of the engine's invoice events on its own bus client, as an outside system would be. */
export async function listenToInvoiceEvents(engine: TestEngine, bus: 'kafka' | 'embedded'): Promise<InvoiceEventListener> {
  const client: MessageBus =
    bus === 'kafka'
      ? new KafkaMessageBus({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'invoice-test-listener', topicPrefix: engine.topicPrefix })
      : new PostgresMessageBus(engine.databaseUrl);
  const events: InvoiceEventListener['events'] = [];
  const subscription = await client.subscribe({
    groupId: `invoice-test-${randomBytes(4).toString('hex')}`,
    topics: [TOPICS.invoiceEvents],
    handleBatch: async (messages) => {
      for (const message of messages) events.push({ key: message.key, envelope: JSON.parse(message.value) as InvoiceEventEnvelope });
    },
  });
  return {
    events,
    stop: async () => {
      await subscription.stop();
      await client.close();
    },
  };
}
