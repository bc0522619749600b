import { Client, Pool } from 'pg';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { openServiceDatabase } from '../database/service-data-source';
import { BusLog1700000000000 } from './migrations/1700000000000-bus-log';
import { outsideRequest } from '../logging/log-context';
import { handleInMessageContext } from '../logging/message-context';
import { withRequestIdHeader } from '../logging/request-id';
import { BusSubscription, IncomingMessage, MessageBus, OutgoingMessage, SubscriptionOptions } from './message-bus';

const NOTIFY_CHANNEL = 'abaxus_bus';
const IDLE_POLL_MS = 500;
/**
 * After a small batch the consumer lets messages gather this long before it reads again (as a
 * Kafka consumer's fetch.max.wait does with fetch.min.bytes): under a stream of single events each
 * read then carries tens of messages instead of a few, so the handler's statements and commit are
 * paid per batch, not per event. It delays consumption by at most this, never a publisher.
 */
const LINGER_MS = 10;
const LINGER_BELOW = 100;
const RETRY_DELAY_MS = 1000;
const PRUNE_EVERY_MS = 60_000;
/** Like Kafka's retention: consumed messages are kept a while (for inspection), then deleted. */
const RETENTION_MS = 60 * 60 * 1000;

/** A row of the log as a consumer reads it. */
interface MessageRow {
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  created_at: Date;
}

/**
 * The embedded stand-in for Kafka: an append-only log in PostgreSQL (schema `bus`), one ordered
 * partition per topic. Publishing takes the topic's head row lock to allocate offsets, so offsets
 * become visible in commit order and a consumer reading "offset > position" never skips one.
 * Consumers poll, woken early by NOTIFY; positions are committed after the handler resolved.
 */
export class PostgresMessageBus extends MessageBus {
  private readonly logger = new Logger(PostgresMessageBus.name);
  private readonly pool: Pool;
  private migrated: Promise<DataSource> | undefined;
  private listener: Client | undefined;
  private listenerReady: Promise<void> | undefined;
  /** Each subscription's wake-up, with its topics. */
  private readonly wakers = new Map<() => void, string[]>();
  private readonly loops = new Set<Promise<void>>();
  private closed = false;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(private readonly databaseUrl: string) {
    super();
    this.pool = new Pool({ connectionString: databaseUrl, max: 6, application_name: 'abaxus-bus' });
    // An idle connection dropped by the server (restart, shutdown) must not crash the process.
    this.pool.on('error', (error) => this.logger.warn(`bus connection lost: ${error.message}`));
  }

  private ready(): Promise<DataSource> {
    this.migrated ??= outsideRequest(() => openServiceDatabase({ url: this.databaseUrl, schema: 'bus', migrations: [BusLog1700000000000], poolSize: 1 })).catch(
      (error: unknown) => {
        this.migrated = undefined;
        throw error;
      },
    );
    return this.migrated;
  }

  /**
   * One statement, so one round trip and one commit whatever the topics: the heads are advanced
   * (row locks taken in topic order, so two publishers cannot deadlock, and held until the commit,
   * so offsets become visible in commit order), the messages stored, and each topic's consumers
   * woken at the commit.
   */
  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.ready();
    await this.pool.query(
      `WITH input AS (
         SELECT m.topic, m.key, m.value, m.headers, row_number() OVER (PARTITION BY m.topic ORDER BY m.ord) AS n
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS m(topic, key, value, headers, ord)
       ), counts AS (
         SELECT topic, count(*) AS size FROM input GROUP BY topic
       ), heads AS (
         INSERT INTO bus.topic_heads AS h (topic, next_offset) SELECT topic, size FROM counts ORDER BY topic
         ON CONFLICT (topic) DO UPDATE SET next_offset = h.next_offset + EXCLUDED.next_offset
         RETURNING h.topic, h.next_offset
       ), stored AS (
         INSERT INTO bus.messages (topic, "offset", key, value, headers)
         SELECT i.topic, h.next_offset - c.size + i.n - 1, i.key, i.value, i.headers::jsonb
         FROM input i JOIN heads h ON h.topic = i.topic JOIN counts c ON c.topic = i.topic
       )
       SELECT pg_notify('${NOTIFY_CHANNEL}', topic) FROM counts`,
      [
        messages.map((m) => m.topic),
        messages.map((m) => m.key),
        messages.map((m) => m.value),
        messages.map((m) => JSON.stringify(withRequestIdHeader(m.headers) ?? {})),
      ],
    );
  }

  private async listen(): Promise<void> {
    this.listenerReady ??= outsideRequest(async () => {
      const client = new Client({ connectionString: this.databaseUrl, application_name: 'abaxus-bus-listener' });
      // The payload names the topic written: only its consumers look (an empty one wakes all).
      client.on('notification', (notification) => {
        for (const [wake, topics] of this.wakers) if (!notification.payload || topics.includes(notification.payload)) wake();
      });
      client.on('error', (error) => {
        this.logger.warn(`bus listener: ${error.message}`);
        this.listenAgain(client);
      });
      client.on('end', () => this.listenAgain(client));
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.listener = client;
      if (this.closed) await client.end().catch(() => undefined);
    }).catch((error: unknown) => {
      this.listenerReady = undefined;
      throw error;
    });
    return this.listenerReady;
  }

  /** A lost LISTEN connection (database restarted) is opened again; until then consumers poll. */
  private listenAgain(lost: Client): void {
    if (this.closed || this.listener !== lost) return;
    this.listener = undefined;
    this.listenerReady = undefined;
    void lost.end().catch(() => undefined);
    const retry = () => {
      if (this.closed) return;
      this.listen().then(
        () => this.wakers.forEach((_topics, wake) => wake()),
        () => setTimeout(retry, RETRY_DELAY_MS).unref(),
      );
    };
    setTimeout(retry, RETRY_DELAY_MS).unref();
  }

  async subscribe(options: SubscriptionOptions): Promise<BusSubscription> {
    await this.ready();
    await this.listen();
    this.pruneTimer ??= setInterval(() => {
      this.prune(RETENTION_MS).catch((error: Error) => this.logger.warn(`bus prune: ${error.message}`));
    }, PRUNE_EVERY_MS).unref();
    let running = true;
    // A wake-up that comes while the loop is busy is kept, so the next sleep ends at once.
    let woken = false;
    const remember = () => {
      woken = true;
    };
    let wake: () => void = remember;
    const waker = () => wake();
    this.wakers.set(waker, options.topics);
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (woken) return resolve();
        const timer = setTimeout(() => {
          wake = remember;
          resolve();
        }, ms);
        wake = () => {
          clearTimeout(timer);
          wake = remember;
          resolve();
        };
      });
    const positioned = new Set<string>();
    const loop = (async () => {
      while (running && !this.closed) {
        woken = false;
        let delivered = 0;
        for (const topic of options.topics) {
          if (!running) break;
          try {
            delivered += await this.deliverOnce(options, topic, positioned);
          } catch (error) {
            this.logger.warn(`group ${options.groupId} on ${topic}: ${(error as Error).message}; retrying`);
            // A failing handler waits its delay (a wake-up kept from the failed attempt must not skip it).
            woken = false;
            await sleep(RETRY_DELAY_MS);
          }
        }
        if (delivered === 0 && running) await sleep(IDLE_POLL_MS);
        else if (delivered < LINGER_BELOW && running) await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
      }
    })();
    this.loops.add(loop);
    return {
      stop: async () => {
        running = false;
        wake();
        this.wakers.delete(waker);
        await loop;
        this.loops.delete(loop);
      },
    };
  }

  /** Delivers one batch of a topic to the group; the position moves only if the handler succeeded. */
  private async deliverOnce(options: SubscriptionOptions, topic: string, positioned: Set<string>): Promise<number> {
    if (!positioned.has(topic)) {
      await this.pool.query('INSERT INTO bus.group_offsets (group_id, topic, next_offset) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING', [options.groupId, topic]);
      positioned.add(topic);
    }
    // The group's position and the messages after it, in one round trip. Offsets are dense, so the
    // next batch lies in [position, position + limit): bounding the range on both sides keeps the
    // read to one batch. With only the lower bound PostgreSQL read the whole backlog (a bitmap scan
    // it then sorted), so a consumer that fell behind by a million messages slowed to a third.
    const limit = options.maxBatchSize ?? 5000;
    const read = (bounded: boolean) =>
      this.pool.query<MessageRow>(
        `SELECT m."offset", m.key, m.value, m.headers, m.created_at
         FROM bus.group_offsets g JOIN bus.messages m ON m.topic = g.topic AND m."offset" >= g.next_offset
         ${bounded ? 'AND m."offset" < g.next_offset + $3::bigint' : ''}
         WHERE g.group_id = $2 AND g.topic = $1
         ORDER BY m."offset" LIMIT $3`,
        [topic, options.groupId, limit],
      );
    let rows = await read(true);
    // Nothing in the range: either nothing new, or the position lies below messages already
    // pruned (a group that subscribed later), which only the open-ended read finds.
    if (rows.rows.length === 0) rows = await read(false);
    if (rows.rows.length === 0) return 0;
    const messages: IncomingMessage[] = rows.rows.map((row) => ({
      topic,
      partition: 0,
      offset: row.offset,
      key: row.key,
      value: row.value,
      headers: row.headers,
      timestamp: row.created_at.toISOString(),
    }));
    await handleInMessageContext(this.logger, options.groupId, messages, (batch) => options.handleBatch(batch));
    const next = (BigInt(messages[messages.length - 1].offset) + 1n).toString();
    await this.pool.query('UPDATE bus.group_offsets SET next_offset = $3, updated_at = now() WHERE group_id = $1 AND topic = $2', [
      options.groupId,
      topic,
      next,
    ]);
    return messages.length;
  }

  /**
   * Deletes messages older than the retention that every group of their topic has consumed.
   * Returns how many went. (A group that subscribes later starts after what was pruned.)
   */
  async prune(retentionMs: number): Promise<number> {
    await this.ready();
    const result = await this.pool.query(
      `DELETE FROM bus.messages m
       USING (SELECT topic, min(next_offset) AS low FROM bus.group_offsets GROUP BY topic) g
       WHERE m.topic = g.topic AND m."offset" < g.low AND m.created_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [retentionMs],
    );
    return result.rowCount ?? 0;
  }

  async endOffsets(topic: string): Promise<Map<number, string>> {
    await this.ready();
    const head = await this.pool.query<{ next_offset: string }>('SELECT next_offset FROM bus.topic_heads WHERE topic = $1', [topic]);
    return new Map([[0, head.rows[0]?.next_offset ?? '0']]);
  }

  async ping(): Promise<void> {
    await this.ready();
    await this.pool.query('SELECT 1 FROM bus.topic_heads LIMIT 1');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.wakers.forEach((_topics, wake) => wake());
    await Promise.allSettled([...this.loops]);
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    const dataSource = await this.migrated?.catch(() => undefined);
    await dataSource?.destroy().catch(() => undefined);
  }
}
