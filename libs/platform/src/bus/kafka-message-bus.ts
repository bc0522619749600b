import { Admin, Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { Logger } from '@nestjs/common';
import { ALL_TOPICS } from '@abaxus/contracts/topics';
import { outsideRequest } from '../logging/log-context';
import { handleInMessageContext } from '../logging/message-context';
import { withRequestIdHeader } from '../logging/request-id';
import { fixKafkajsRequestQueueTimer } from './kafkajs-request-queue-timer';
import { BusSubscription, IncomingMessage, MessageBus, OutgoingMessage, SubscriptionOptions } from './message-bus';

const MAX_MESSAGES_PER_SEND = 1000;

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  partitions?: number;
}

/**
 * Kafka adapter on plain kafkajs: an idempotent producer with acks=all, and eachBatch consumers
 * that commit offset+1 only after the handler (and so its database transaction) succeeded.
 * The NestJS Kafka transport is not used for consuming: it handles one message at a time and
 * retries a throwing handler for ever on the same message.
 */
export class KafkaMessageBus extends MessageBus {
  private readonly logger = new Logger(KafkaMessageBus.name);
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private producerReady: Promise<Producer> | undefined;
  private admin: Admin | undefined;
  private readonly consumers = new Set<Consumer>();
  private topicsReady: Promise<void> | undefined;

  constructor(private readonly options: KafkaBusOptions) {
    super();
    fixKafkajsRequestQueueTimer();
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }) => {
          const text = `${log.message}${log.error ? `: ${log.error}` : ''}`;
          if (level <= logLevel.ERROR) this.logger.error(text);
          else if (level === logLevel.WARN) this.logger.warn(text);
        },
    });
  }

  private physical(topic: string): string {
    return `${this.options.topicPrefix}${topic}`;
  }

  private logical(topic: string): string {
    return topic.startsWith(this.options.topicPrefix) ? topic.slice(this.options.topicPrefix.length) : topic;
  }

  /** Creates the engine's topics once (brokers may have auto-creation off). */
  ensureTopics(): Promise<void> {
    this.topicsReady ??= outsideRequest(async () => {
      const admin = await this.getAdmin();
      const existing = new Set(await admin.listTopics());
      const missing = ALL_TOPICS.map((t) => this.physical(t)).filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: this.options.partitions ?? 4 })),
        });
      }
    }).catch((error: unknown) => {
      this.topicsReady = undefined;
      throw error;
    });
    return this.topicsReady;
  }

  private getAdmin(): Promise<Admin> {
    return outsideRequest(async () => {
      if (!this.admin) {
        const admin = this.kafka.admin({ retry: { retries: 8, initialRetryTime: 200 } });
        await admin.connect();
        this.admin = admin;
      }
      return this.admin;
    });
  }

  private getProducer(): Promise<Producer> {
    this.producerReady ??= outsideRequest(async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      this.producer = producer;
      return producer;
    }).catch((error: unknown) => {
      this.producerReady = undefined;
      throw error;
    });
    return this.producerReady;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.ensureTopics();
    const producer = await this.getProducer();
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic) ?? [];
      list.push(message);
      byTopic.set(message.topic, list);
    }
    // kafkajs groups a send's messages by partition in quadratic time: sends of ~1,000 messages
    // measured twice the throughput of one large send. One after the other, to keep key order.
    for (const [topic, list] of byTopic) {
      for (let start = 0; start < list.length; start += MAX_MESSAGES_PER_SEND) {
        await producer.send({
          acks: -1,
          topic: this.physical(topic),
          messages: list.slice(start, start + MAX_MESSAGES_PER_SEND).map((m) => ({ key: m.key, value: m.value, headers: withRequestIdHeader(m.headers) })),
        });
      }
    }
  }

  async subscribe(options: SubscriptionOptions): Promise<BusSubscription> {
    await this.ensureTopics();
    const consumer = this.kafka.consumer({
      groupId: `${this.options.topicPrefix}${options.groupId}`,
      sessionTimeout: 30000,
      retry: { retries: 8, initialRetryTime: 200 },
      heartbeatInterval: 3000,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    this.consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics.map((t) => this.physical(t)), fromBeginning: true });
    const maxBatch = options.maxBatchSize ?? 5000;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionConcurrency ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const all = batch.messages;
        for (let start = 0; start < all.length; start += maxBatch) {
          if (!isRunning() || isStale()) return;
          const slice = all.slice(start, start + maxBatch);
          const messages: IncomingMessage[] = slice.map((m) => ({
            topic: this.logical(batch.topic),
            partition: batch.partition,
            offset: m.offset,
            key: m.key ? m.key.toString() : null,
            value: m.value ? m.value.toString() : '',
            headers: Object.fromEntries(
              Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : v === undefined ? '' : v.toString()]),
            ),
            timestamp: new Date(Number(m.timestamp)).toISOString(),
          }));
          // Retry the same batch here until it succeeds: a throw out of eachBatch can make kafkajs
          // move on from its in-memory position (kafkajs#238). Stop only on shutdown or rebalance,
          // leaving the batch uncommitted for whoever owns the partition next.
          let delivered = false;
          for (let attempt = 0; !delivered; attempt += 1) {
            try {
              await handleInMessageContext(this.logger, options.groupId, messages, (batch) => options.handleBatch(batch));
              delivered = true;
            } catch (error) {
              this.logger.warn(`group ${options.groupId}, ${batch.topic}[${batch.partition}] at ${slice[0].offset}: ${(error as Error).message}; retrying`);
              await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** attempt)));
              if (!isRunning() || isStale()) return;
              await heartbeat();
            }
          }
          const next = (BigInt(slice[slice.length - 1].offset) + 1n).toString();
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
          resolveOffset(slice[slice.length - 1].offset);
          await heartbeat();
        }
      },
    });
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async endOffsets(topic: string): Promise<Map<number, string>> {
    await this.ensureTopics();
    const admin = await this.getAdmin();
    const offsets = await admin.fetchTopicOffsets(this.physical(topic));
    return new Map(offsets.map((o) => [o.partition, o.high]));
  }

  async ping(): Promise<void> {
    const admin = await this.getAdmin();
    await admin.describeCluster();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    await Promise.allSettled([this.producer?.disconnect(), this.admin?.disconnect()]);
    this.producer = undefined;
    this.producerReady = undefined;
    this.admin = undefined;
  }
}
