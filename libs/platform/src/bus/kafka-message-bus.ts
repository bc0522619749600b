import { readFileSync } from 'node:fs';
import { Admin, Consumer, Kafka, KafkaConfig, logLevel, Partitioners, Producer, SASLOptions } from 'kafkajs';
import { Logger } from '@nestjs/common';
import { ALL_TOPICS } from '@abaxus/contracts/topics';
import { KafkaSettings } from '../config/abaxus-config';
import { outsideRequest } from '../logging/log-context';
import { handleInMessageContext } from '../logging/message-context';
import { withRequestIdHeader } from '../logging/request-id';
import { registerKafkaCodecs, UNDECODABLE_HEADER } from './kafka-codecs';
import { rememberingKeyPartitioner } from './key-partition';
import { fixKafkajsRequestQueueTimer } from './kafkajs-request-queue-timer';
import { BusSubscription, BusUnavailableError, IncomingMessage, MessageBus, OutgoingMessage, SubscriptionOptions } from './message-bus';
import { settlesWithin } from '../time/settles-within';

const MAX_MESSAGES_PER_SEND = 1000;
/** Admin calls (topic check, end offsets, ping) give up after a few seconds, not half a minute. */
const ADMIN_RETRY = { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 };
/**
 * The consumer's own retries and its restart after a crash stay short, so that it is back within
 * a couple of seconds of the broker's return instead of sleeping out a long exponential backoff.
 */
const CONSUMER_RETRY = { retries: 6, initialRetryTime: 200, maxRetryTime: 2000 };
const REJOIN_DELAY_MAX_MS = 2000;
/** Kafka's classic default (10 s; the broker's minimum is 6 s): long enough for a batch between heartbeats. */
const SESSION_TIMEOUT_MS = 10_000;
/**
 * kafkajs's idempotent producer retries for ever by default; ours gives up after a few seconds.
 * A publish that failed or timed out drops its producer (see dropProducer), so the next one gets a
 * new producer id and the limit cannot upset sequence numbers (kafkajs's warning about it is muted).
 */
const PRODUCER_RETRY = { retries: 4, initialRetryTime: 100, maxRetryTime: 1000 };
const MUTED_KAFKAJS_LINES = [/^Limiting retries for the idempotent producer/];
/** The same kafkajs line (a broker outage repeats hundreds a second) is logged at most this often. */
const REPEATED_LOG_INTERVAL_MS = 10_000;

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  /** Partitions of created topics; overrides settings.topicPartitions. */
  partitions?: number;
  /** Security, topic creation and publish timeout (config.kafka); defaults: plaintext, create 4 partitions, 1.5 s. */
  settings?: Partial<KafkaSettings>;
}

/**
 * Kafka adapter on plain kafkajs: an idempotent producer with acks=all, and eachBatch consumers
 * that commit offset+1 only after the handler (and so its database transaction) succeeded.
 * The NestJS Kafka transport is not used for consuming: it handles one message at a time and
 * retries a throwing handler for ever on the same message.
 *
 * Availability: a publish fails within publishTimeoutMs when the brokers cannot take it (the
 * caller answers 503, nothing is reported durable that is not); subscribe returns at once and
 * the consumer joins its group in the background, again and again until it is stopped, so a
 * service is up while Kafka is not.
 */
export class KafkaMessageBus extends MessageBus {
  private readonly logger = new Logger(KafkaMessageBus.name);
  private readonly kafka: Kafka;
  private readonly settings: KafkaSettings;
  private producer: Producer | undefined;
  private producerReady: Promise<Producer> | undefined;
  private admin: Admin | undefined;
  private adminReady: Promise<Admin> | undefined;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private topicsReady: Promise<void> | undefined;

  constructor(private readonly options: KafkaBusOptions) {
    super();
    fixKafkajsRequestQueueTimer();
    registerKafkaCodecs();
    this.settings = {
      ssl: undefined,
      sasl: undefined,
      topicPartitions: 4,
      topicReplicationFactor: undefined,
      createTopics: true,
      publishTimeoutMs: 1500,
      ...options.settings,
    };
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ...securityOptions(this.settings),
      logLevel: logLevel.WARN,
      logCreator: () => {
        const lastLogged = new Map<string, number>();
        // kafkajs reports at ERROR what it retries; what the engine gives up on, it logs itself.
        return ({ log }) => {
          const text = `${log.message}${log.error ? `: ${log.error}` : ''}`;
          if (MUTED_KAFKAJS_LINES.some((line) => line.test(text))) return;
          const now = Date.now();
          if (now - (lastLogged.get(text) ?? 0) < REPEATED_LOG_INTERVAL_MS) return;
          if (lastLogged.size > 1000) lastLogged.clear();
          lastLogged.set(text, now);
          this.logger.warn(text);
        };
      },
    });
  }

  private physical(topic: string): string {
    return `${this.options.topicPrefix}${topic}`;
  }

  private logical(topic: string): string {
    return topic.startsWith(this.options.topicPrefix) ? topic.slice(this.options.topicPrefix.length) : topic;
  }

  /** Says which setting to look at: a raw kafkajs retry error names neither the brokers nor the variable. */
  explain(error: unknown): Error {
    return explainKafkaError(error, this.options.brokers);
  }

  /** Creates the engine's missing topics once, or (ABAXUS_KAFKA_CREATE_TOPICS=false) checks they exist. */
  ensureTopics(): Promise<void> {
    this.topicsReady ??= outsideRequest(async () => {
      const admin = await this.getAdmin();
      const existing = new Set(await admin.listTopics());
      const missing = ALL_TOPICS.map((t) => this.physical(t)).filter((t) => !existing.has(t));
      // The producer's session (connection, TLS, SASL, producer id) is set up now, not inside the
      // first publish's time limit.
      void this.getProducer().catch(() => undefined);
      if (missing.length === 0) return;
      if (!this.settings.createTopics) {
        throw new Error(`topics ${missing.join(', ')} do not exist and ABAXUS_KAFKA_CREATE_TOPICS=false: create them on the cluster`);
      }
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.options.partitions ?? this.settings.topicPartitions,
          ...(this.settings.topicReplicationFactor === undefined ? {} : { replicationFactor: this.settings.topicReplicationFactor }),
        })),
      });
    }).catch((error: unknown) => {
      this.topicsReady = undefined;
      throw this.explain(error);
    });
    return this.topicsReady;
  }

  private getAdmin(): Promise<Admin> {
    this.adminReady ??= outsideRequest(async () => {
      const admin = this.kafka.admin({ retry: ADMIN_RETRY });
      await admin.connect();
      this.admin = admin;
      return admin;
    }).catch((error: unknown) => {
      this.adminReady = undefined;
      throw this.explain(error);
    });
    return this.adminReady;
  }

  private getProducer(): Promise<Producer> {
    this.producerReady ??= outsideRequest(async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: PRODUCER_RETRY,
        createPartitioner: () => rememberingKeyPartitioner(Partitioners.DefaultPartitioner()),
      });
      this.producer = producer;
      await producer.connect();
      return producer;
    }).catch((error: unknown) => {
      this.producerReady = undefined;
      throw error;
    });
    return this.producerReady;
  }

  /**
   * A publish that ran out of time may still be retrying inside kafkajs (its idempotent producer
   * retries for ever): that producer is dropped, so nothing of it lingers, and the next publish
   * starts a fresh one. A message it still delivers is a duplicate the consumers dedup.
   */
  private dropProducer(): void {
    const producer = this.producer;
    this.producer = undefined;
    this.producerReady = undefined;
    void producer?.disconnect().catch(() => undefined);
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const timeoutMs = this.settings.publishTimeoutMs;
    const sending = this.send(messages);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const outcome = await Promise.race([sending.then(() => 'sent' as const), timedOut]);
      if (outcome === 'timeout') {
        sending.catch(() => undefined);
        this.dropProducer();
        throw new BusUnavailableError(`Kafka (KAFKA_BROKERS=${this.options.brokers.join(',')}) did not acknowledge the messages within ${timeoutMs} ms`);
      }
    } catch (error) {
      if (error instanceof BusUnavailableError) throw error;
      this.dropProducer();
      throw new BusUnavailableError(this.explain(error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(messages: OutgoingMessage[]): Promise<void> {
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
    const subscription = new KafkaSubscription(this, options, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  /** A consumer of the group, with this adapter's settings (used by KafkaSubscription). */
  newConsumer(groupId: string): Consumer {
    return this.kafka.consumer({
      groupId: `${this.options.topicPrefix}${groupId}`,
      // A member that died (SIGKILL) or that a restarted broker still lists holds its partitions
      // until this runs out; kafkajs cannot rejoin under the old member id, so it bounds recovery.
      sessionTimeout: SESSION_TIMEOUT_MS,
      retry: CONSUMER_RETRY,
      heartbeatInterval: 2000,
      // A fetch is held whole in memory while its batches are handled (each record's buffer is a
      // slice of it): 1 MiB per partition is about the 5,000 usage events of one batch.
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 2 * 1024 * 1024,
      // A fetch returns as soon as a record arrives; this only bounds an idle long poll, which a
      // stopping consumer waits out (kafkajs's 5 s made every service take seconds to stop).
      maxWaitTimeInMs: 1000,
    });
  }

  /** The consumer's view of a fetched record: the bus's message shape. */
  toIncoming(
    topic: string,
    partition: number,
    m: { offset: string; key: Buffer | null; value: Buffer | null; headers?: Record<string, unknown>; timestamp: string },
  ): IncomingMessage {
    const headers = Object.fromEntries(
      Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : v === undefined ? '' : String(v)]),
    );
    const message: IncomingMessage = {
      topic: this.logical(topic),
      partition,
      offset: m.offset,
      key: m.key ? m.key.toString() : null,
      value: m.value ? m.value.toString() : '',
      headers,
      timestamp: new Date(Number(m.timestamp)).toISOString(),
    };
    if (headers[UNDECODABLE_HEADER] !== undefined) {
      message.undecodable = headers[UNDECODABLE_HEADER];
      delete headers[UNDECODABLE_HEADER];
    }
    return message;
  }

  physicalTopics(topics: string[]): string[] {
    return topics.map((t) => this.physical(t));
  }

  async endOffsets(topic: string): Promise<Map<number, string>> {
    try {
      await this.ensureTopics();
      const admin = await this.getAdmin();
      for (let attempt = 1; ; attempt++) {
        try {
          const offsets = await admin.fetchTopicOffsets(this.physical(topic));
          return new Map(offsets.map((o) => [o.partition, o.high]));
        } catch (error) {
          // Right after topic creation (or a leader change) kafkajs keeps asking the old leader:
          // fetching the topic's metadata points it at the new one.
          if (attempt >= 3 || !/not the leader|leader not available|does not host this topic-partition/i.test((error as Error).message)) throw error;
          await admin.fetchTopicMetadata({ topics: [this.physical(topic)] });
        }
      }
    } catch (error) {
      throw this.explain(error);
    }
  }

  async ping(): Promise<void> {
    try {
      const admin = await this.getAdmin();
      await admin.describeCluster();
    } catch (error) {
      throw this.explain(error);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    await Promise.allSettled([this.producer?.disconnect(), this.admin?.disconnect()]);
    this.producer = undefined;
    this.producerReady = undefined;
    this.admin = undefined;
    this.adminReady = undefined;
  }
}

/**
 * One group subscription: joins in the background and joins again whenever kafkajs gives up on
 * its consumer (a crash it does not restart itself), with a short bounded pause in between.
 */
class KafkaSubscription implements BusSubscription {
  private readonly logger = new Logger('KafkaConsumer');
  private consumer: Consumer | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: () => void = () => undefined;
  private failures = 0;

  constructor(
    private readonly bus: KafkaMessageBus,
    private readonly options: SubscriptionOptions,
    private readonly onStop: () => void,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let ended: Promise<void> | undefined;
      try {
        ({ ended } = await this.join());
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        if (!this.stopped) this.logger.warn(`group ${this.options.groupId} cannot join yet: ${this.bus.explain(error).message}; trying again`);
        await this.disconnect();
      }
      // Wait until kafkajs gives the consumer up for good (or we stop), then start a new one.
      if (ended) await ended;
      await this.pause(Math.min(REJOIN_DELAY_MAX_MS, 200 * 2 ** Math.min(this.failures, 4)));
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Connects, subscribes and runs a consumer; `ended` settles when kafkajs gives it up. */
  private async join(): Promise<{ ended: Promise<void> }> {
    await this.bus.ensureTopics();
    if (this.stopped) return { ended: Promise.resolve() };
    const consumer = this.bus.newConsumer(this.options.groupId);
    this.consumer = consumer;
    const givenUp = new Promise<void>((resolve) => {
      this.wake = resolve;
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) return;
        this.logger.warn(`group ${this.options.groupId}: consumer stopped on ${this.bus.explain(payload.error).message}; joining again`);
        void this.disconnect().then(resolve);
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.bus.physicalTopics(this.options.topics), fromBeginning: true });
    const maxBatch = this.options.maxBatchSize ?? 5000;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionConcurrency ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const all = batch.messages;
        for (let start = 0; start < all.length; start += maxBatch) {
          if (!isRunning() || isStale()) return;
          const slice = all.slice(start, start + maxBatch);
          const messages = slice.map((m) => this.bus.toIncoming(batch.topic, batch.partition, m));
          // Retry the same batch here until it succeeds: a throw out of eachBatch can make kafkajs
          // move on from its in-memory position (kafkajs#238). Stop only on shutdown or rebalance,
          // leaving the batch uncommitted for whoever owns the partition next.
          let delivered = false;
          for (let attempt = 0; !delivered; attempt += 1) {
            try {
              await handleInMessageContext(this.logger, this.options.groupId, messages, (batch) => this.options.handleBatch(batch));
              delivered = true;
            } catch (error) {
              this.logger.warn(
                `group ${this.options.groupId}, ${batch.topic}[${batch.partition}] at ${slice[0].offset}: ${(error as Error).message}; retrying`,
              );
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
    return { ended: givenUp };
  }

  private async disconnect(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.onStop();
    this.wake();
    // Bounded: a join still retrying against a slow or unreachable broker must not hold the
    // process's shutdown. Nothing is lost by leaving early: offsets are committed only after a
    // batch was handled, so whatever was not committed is read again (and deduplicated).
    const settled = await settlesWithin(
      (async () => {
        await this.disconnect();
        await this.loop;
        // A join that was connecting while we stopped may have left a consumer behind.
        await this.disconnect();
      })(),
      STOP_BOUND_MS,
    );
    if (!settled) this.logger.warn(`group ${this.options.groupId}: the consumer did not stop within ${STOP_BOUND_MS} ms; leaving it behind`);
  }
}

/** How long stopping a subscription may wait for its consumer (connect, join and disconnect retry for longer). */
const STOP_BOUND_MS = 5_000;

function securityOptions(settings: KafkaSettings): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (settings.ssl) {
    const { caFile, certFile, keyFile } = settings.ssl;
    options.ssl =
      caFile || certFile
        ? {
            ...(caFile ? { ca: [readFileSync(caFile, 'utf8')] } : {}),
            ...(certFile ? { cert: readFileSync(certFile, 'utf8') } : {}),
            ...(keyFile ? { key: readFileSync(keyFile, 'utf8') } : {}),
          }
        : true;
  }
  if (settings.sasl) {
    options.sasl = { mechanism: settings.sasl.mechanism, username: settings.sasl.username, password: settings.sasl.password } as SASLOptions;
  }
  return options;
}

/** The innermost cause of a kafkajs error (retry wrappers hide the one that matters). */
function rootCause(error: unknown): Error {
  let current = error as Error & { cause?: unknown };
  while (current && current.cause instanceof Error) current = current.cause as Error & { cause?: unknown };
  return current instanceof Error ? current : new Error(String(error));
}

export function explainKafkaError(error: unknown, brokers: string[]): Error {
  if (error instanceof BusUnavailableError || (error instanceof Error && error.message.includes('KAFKA_BROKERS='))) return error;
  const cause = rootCause(error);
  const at = `KAFKA_BROKERS=${brokers.join(',')}`;
  const text = `${cause.name}: ${cause.message}`;
  if (cause.name === 'KafkaJSSASLAuthenticationError' || /SASL|authentication/i.test(cause.message)) {
    return new Error(`Kafka at ${at} refused the credentials (check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD): ${text}`);
  }
  if (/certificate|SSL|TLS|self[- ]signed|EPROTO/i.test(cause.message)) {
    return new Error(`TLS to Kafka at ${at} failed (check KAFKA_SSL and KAFKA_SSL_CA_FILE / _CERT_FILE / _KEY_FILE): ${text}`);
  }
  if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|Connection (timeout|error)|connect|Closed connection/i.test(cause.message) ||
    cause.name === 'KafkaJSConnectionError'
  ) {
    return new Error(`Kafka at ${at} cannot be reached: ${text}`);
  }
  if (error instanceof Error && error !== cause) return new Error(`Kafka (${at}): ${error.message}: ${text}`);
  return cause.message.includes('KAFKA_') ? cause : new Error(`Kafka (${at}): ${text}`);
}
