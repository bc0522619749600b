import { AbaxusConfig } from '../config/abaxus-config';
import { KafkaMessageBus } from './kafka-message-bus';
import { MessageBus } from './message-bus';
import { PostgresMessageBus } from './postgres-message-bus';

/** Kafka when KAFKA_BROKERS is set, else the durable embedded bus in PostgreSQL. */
export function createMessageBus(config: AbaxusConfig, databaseUrl: string, clientId: string): MessageBus {
  if (config.kafkaBrokers) {
    return new KafkaMessageBus({ brokers: config.kafkaBrokers, clientId, topicPrefix: config.topicPrefix, settings: config.kafka });
  }
  return new PostgresMessageBus(databaseUrl);
}
