import { Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { withRequestIdHeader } from '../logging/request-id';
import { MessageBus, OutgoingMessage } from './message-bus';

/*
 * Transactional outbox, reusable by every service. A service writes the messages that must follow
 * a state change into its own outbox table in the same database transaction as the change
 * (appendToOutbox), and an OutboxRelay publishes committed rows on the bus, then deletes them.
 * A crash between publish and delete publishes again: delivery is at least once, so consumers
 * dedup (catalog events carry an event_id for that).
 *
 * The table lives in the service's schema; its migration creates it with outboxTableDdl.
 *
 * Order per key is kept when the writers of one key serialise on a row lock of that entity before
 * appending (an update takes the entity's row lock, so its outbox row gets committed after the
 * earlier one): the relay publishes in id order and only one relay drains a table at a time.
 */

const QUALIFIED_TABLE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

function checkTable(table: string): string {
  if (!QUALIFIED_TABLE.test(table)) throw new Error(`outbox table must be "schema.table" in lower case, got "${table}"`);
  return table;
}

/** The outbox table's definition, for the owning service's migration. */
export function outboxTableDdl(table: string): string {
  return `
    CREATE TABLE ${checkTable(table)} (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      topic text NOT NULL,
      key text NOT NULL,
      value text NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`;
}

/** Inserts messages into the outbox table inside the caller's transaction, with the request id of the request that made them. */
export async function appendToOutbox(manager: EntityManager, table: string, messages: OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await manager.query(
    `INSERT INTO ${checkTable(table)} (topic, key, value, headers)
     SELECT topic, key, value, headers::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS m(topic, key, value, headers)`,
    [
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      messages.map((m) => m.value),
      messages.map((m) => JSON.stringify(withRequestIdHeader(m.headers) ?? {})),
    ],
  );
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  bus: MessageBus;
  /** Schema-qualified table, e.g. `catalog.outbox`. */
  table: string;
  /** Rows published per round (one bus publish call). */
  batchSize?: number;
  /** How often an idle relay looks for rows nobody woke it for (e.g. left by a crashed replica). */
  idlePollMs?: number;
  retryDelayMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * Publishes an outbox table's rows in id order. wake() after a commit makes delivery prompt;
 * a slow poll catches the rest. Several replicas may run a relay on the same table: a
 * transaction-scoped advisory lock lets one drain at a time, which keeps the order.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly table: string;
  /** The advisory lock that lets one relay at a time drain the table. */
  private readonly lockName: string;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeRequested = false;
  private wakeSleeper: () => void = () => undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.table = checkTable(options.table);
    this.lockName = `abaxus-outbox:${this.table}`;
    this.logger = new Logger(`OutboxRelay(${this.table})`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks for a drain now (call it after committing a transaction that appended messages). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper();
  }

  /** Stops after the round in progress; rows left are published by the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeSleeper();
    await this.loop;
    this.loop = undefined;
  }

  /**
   * One round: publishes up to batchSize committed rows, then deletes them. No transaction is open
   * while the bus is called: a session-level advisory lock on one connection keeps any other relay
   * of the table out (so rows leave in id order), and is released after the delete. Returns how
   * many were published (0 also when another relay holds the table).
   */
  async drainOnce(): Promise<number> {
    const driver = this.options.dataSource.driver as PostgresDriver;
    const [client, release] = (await driver.obtainMasterConnection()) as [PoolClient, (error?: Error) => void];
    let broken: Error | undefined;
    // A connection lost while the bus is called is reported as an 'error' event: without a listener it would end the process.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      const lock = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.lockName]);
      if (!lock.rows[0].locked) return 0;
      try {
        const rows = (
          await client.query<OutboxRow>(`SELECT id, topic, key, value, headers FROM ${this.table} ORDER BY id LIMIT $1`, [this.options.batchSize ?? 500])
        ).rows;
        if (rows.length === 0) return 0;
        await this.options.bus.publish(rows.map((row) => ({ topic: row.topic, key: row.key, value: row.value, headers: row.headers })));
        await client.query(`DELETE FROM ${this.table} WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
        return rows.length;
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [this.lockName]).catch((error: Error) => {
          broken = error;
        });
      }
    } finally {
      client.removeListener('error', onError);
      // A connection that failed is closed rather than pooled: closing its session also drops a lock it may still hold.
      release(broken);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      let published = 0;
      try {
        published = await this.drainOnce();
      } catch (error) {
        this.logger.warn(`publishing failed, will retry: ${(error as Error).message}`);
        await this.sleep(this.options.retryDelayMs ?? 1000, false);
        continue;
      }
      if (published === 0) await this.sleep(this.options.idlePollMs ?? 1000, true);
    }
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (!this.running || (wakeable && this.wakeRequested)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeSleeper = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // A wake during a retry pause only ends it when stopping: retrying at once would spin.
      this.wakeSleeper = () => {
        if (wakeable || !this.running) done();
      };
    });
  }
}
