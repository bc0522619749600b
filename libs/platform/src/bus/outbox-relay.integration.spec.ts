import { DataSource } from 'typeorm';
import { serviceDataSourceOptions } from '../database/service-data-source';
import { pollUntil } from '../testing/poll-until';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { runInLogContext } from '../logging/log-context';
import { BusSubscription, MessageBus, OutgoingMessage } from './message-bus';
import { appendToOutbox, OutboxRelay, outboxTableDdl } from './outbox-relay';

const TABLE = 'relay_test.outbox';

/** A bus that records what it is given and can be told to fail or to be slow. */
class RecordingBus extends MessageBus {
  readonly published: OutgoingMessage[] = [];
  failures = 0;
  delayMs = 0;

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('broker unavailable');
    }
    this.published.push(...messages);
  }

  subscribe(): Promise<BusSubscription> {
    throw new Error('not used');
  }

  async endOffsets(): Promise<Map<number, string>> {
    return new Map();
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

function message(key: string, value: string): OutgoingMessage {
  return { topic: 'test.topic', key, value, headers: { source: 'test' } };
}

describe('OutboxRelay (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource(serviceDataSourceOptions({ url: database.url, schema: 'relay_test', poolSize: 4 }));
    await dataSource.initialize();
    await dataSource.query('CREATE SCHEMA relay_test');
    await dataSource.query(outboxTableDdl('relay_test.outbox'));
  });

  afterEach(async () => {
    await dataSource.query(`DELETE FROM ${TABLE}`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function rowsLeft(): Promise<number> {
    const [row] = (await dataSource.query(`SELECT count(*)::int AS n FROM ${TABLE}`)) as Array<{ n: number }>;
    return row.n;
  }

  it('publishes committed messages in order with their headers, then deletes them; rolled-back ones never', async () => {
    const bus = new RecordingBus();
    const relay = new OutboxRelay({ dataSource, bus, table: TABLE });
    await dataSource.transaction((manager) => appendToOutbox(manager, TABLE, [message('a', '1'), message('b', '2')]));
    await dataSource
      .transaction(async (manager) => {
        await appendToOutbox(manager, TABLE, [message('c', 'rolled back')]);
        throw new Error('abort');
      })
      .catch(() => undefined);
    await dataSource.transaction((manager) => appendToOutbox(manager, TABLE, [message('a', '3')]));

    expect(await relay.drainOnce()).toBe(3);
    expect(bus.published).toEqual([message('a', '1'), message('b', '2'), message('a', '3')]);
    expect(await rowsLeft()).toBe(0);
    expect(await relay.drainOnce()).toBe(0);
  });

  it('stores the request id of the request that appended a message, and publishes it later outside that request', async () => {
    const bus = new RecordingBus();
    const relay = new OutboxRelay({ dataSource, bus, table: TABLE });
    await runInLogContext({ requestId: 'req-appending' }, () => dataSource.transaction((manager) => appendToOutbox(manager, TABLE, [message('r', '1')])));
    await runInLogContext({ requestId: 'req-relaying' }, () => relay.drainOnce());
    expect(bus.published).toEqual([{ ...message('r', '1'), headers: { source: 'test', 'x-request-id': 'req-appending' } }]);
  });

  it('keeps the messages when publishing fails and publishes them on a later round', async () => {
    const bus = new RecordingBus();
    bus.failures = 1;
    const relay = new OutboxRelay({ dataSource, bus, table: TABLE });
    await dataSource.transaction((manager) => appendToOutbox(manager, TABLE, [message('k', 'v')]));
    await expect(relay.drainOnce()).rejects.toThrow('broker unavailable');
    expect(await rowsLeft()).toBe(1);
    expect(await relay.drainOnce()).toBe(1);
    expect(bus.published).toEqual([message('k', 'v')]);
  });

  /** A relay draining one row, paused half-way through its bus call. */
  async function midwayThroughSlowPublish() {
    const bus = new RecordingBus();
    bus.delayMs = 500;
    const relay = new OutboxRelay({ dataSource, bus, table: TABLE });
    await dataSource.transaction((manager) => appendToOutbox(manager, TABLE, [message('k', 'v')]));
    const draining = relay.drainOnce();
    await new Promise((resolve) => setTimeout(resolve, 250));
    return { bus, relay, draining };
  }

  it('holds no transaction open while the bus is called', async () => {
    const { bus, draining } = await midwayThroughSlowPublish();
    const open = (await dataSource.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    )) as Array<{ n: number }>;
    expect(bus.published).toEqual([]);
    expect(open[0].n).toBe(0);
    expect(await draining).toBe(1);
    expect(await rowsLeft()).toBe(0);
  });

  it('survives losing its connection while the bus is called, and publishes the rows again on the next round', async () => {
    const { bus, relay, draining } = await midwayThroughSlowPublish();
    // The relay's session is the one holding the table's advisory lock.
    const [terminated] = (await dataSource.query(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`,
    )) as Array<{ n: number }>;
    expect(terminated.n).toBe(1);
    await expect(draining).rejects.toThrow();
    expect(await rowsLeft()).toBe(1);
    bus.delayMs = 0;
    expect(await relay.drainOnce()).toBe(1);
    expect(bus.published).toEqual([message('k', 'v'), message('k', 'v')]);
    expect(await rowsLeft()).toBe(0);
  });

  it('lets one of two relays on a table drain at a time, so nothing is published twice', async () => {
    const bus = new RecordingBus();
    bus.delayMs = 300;
    const relays = [new OutboxRelay({ dataSource, bus, table: TABLE }), new OutboxRelay({ dataSource, bus, table: TABLE })];
    await dataSource.transaction((manager) => appendToOutbox(manager, TABLE, [message('a', '1'), message('b', '2')]));
    const counts = await Promise.all(relays.map((relay) => relay.drainOnce()));
    expect(counts.sort()).toEqual([0, 2]);
    expect(bus.published).toHaveLength(2);
  });

  it('runs in the background: retries after a failure, and a wake publishes without waiting for the idle poll', async () => {
    const bus = new RecordingBus();
    bus.failures = 1;
    const relay = new OutboxRelay({ dataSource, bus, table: TABLE, idlePollMs: 60_000, retryDelayMs: 50 });
    await dataSource.transaction((manager) => appendToOutbox(manager, TABLE, [message('x', 'first')]));
    relay.start();
    try {
      await pollUntil(async () => expect(bus.published).toEqual([message('x', 'first')]));
      // The relay is now idle for a minute; only the wake can make the next message quick.
      await pollUntil(async () => expect(await rowsLeft()).toBe(0));
      await dataSource.transaction((manager) => appendToOutbox(manager, TABLE, [message('x', 'second')]));
      relay.wake();
      await pollUntil(async () => expect(bus.published.map((m) => m.value)).toEqual(['first', 'second']), { timeoutMs: 10_000 });
    } finally {
      await relay.stop();
    }
  });

  it('refuses a table name that is not schema.table', () => {
    expect(() => new OutboxRelay({ dataSource, bus: new RecordingBus(), table: 'outbox; DROP TABLE x' })).toThrow('schema.table');
  });
});
