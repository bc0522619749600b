import { randomBytes } from 'node:crypto';
import { CatalogEventEnvelope } from '@abaxus/contracts/catalog-events';
import { TOPICS } from '@abaxus/contracts/topics';
import { KafkaMessageBus } from '@abaxus/platform/bus/kafka-message-bus';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { PostgresMessageBus } from '@abaxus/platform/bus/postgres-message-bus';
import { TestEngine } from '../test-engine';

export interface ReceivedCatalogEvent {
  key: string | null;
  envelope: CatalogEventEnvelope;
}

export interface CatalogEventListener {
  /** Everything received so far, in delivery order. */
  events: ReceivedCatalogEvent[];
  stop(): Promise<void>;
}

/** A consumer of the engine's catalog events, on its own bus client (like another service would be). */
export async function listenToCatalogEvents(engine: TestEngine, bus: 'kafka' | 'embedded'): Promise<CatalogEventListener> {
  const client: MessageBus =
    bus === 'kafka'
      ? new KafkaMessageBus({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'catalog-test-listener', topicPrefix: engine.topicPrefix })
      : new PostgresMessageBus(engine.databaseUrl);
  const events: ReceivedCatalogEvent[] = [];
  const subscription = await client.subscribe({
    groupId: `catalog-test-${randomBytes(4).toString('hex')}`,
    topics: [TOPICS.catalogEvents],
    handleBatch: async (messages) => {
      for (const message of messages) events.push({ key: message.key, envelope: JSON.parse(message.value) as CatalogEventEnvelope });
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
