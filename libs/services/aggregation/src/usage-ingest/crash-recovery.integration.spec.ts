import { randomBytes, randomInt } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS } from '@abaxus/contracts/topics';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceStub } from '@abaxus/platform/testing/service-under-test';
import { FakeCatalog } from '@abaxus/usage-events/catalog-copy/testing/fake-catalog';
import { startAggregationWorker, WorkerProcess } from '../testing/aggregation-worker-process';

const EVENTS = 50_000;
const DUPLICATES = 2_000;
const CUSTOMERS = 8;

function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/**
 * The aggregation consumer SIGKILLed in the middle of a 50,000-event stream published straight to
 * Kafka, then restarted: every event is stored and aggregated exactly once. The worker (the
 * aggregation service alone, in a child process) runs against its own database and topic prefix;
 * the catalog it asks about the metric and customers is a stub.
 */
describe('aggregation consumer crash recovery (Kafka)', () => {
  let catalogStub: ServiceStub;
  let catalog: FakeCatalog;
  let database: TestDatabase;
  let sql: Client;
  let worker: WorkerProcess | undefined;
  const prefix = `crash${randomBytes(4).toString('hex')}.`;

  beforeAll(async () => {
    catalogStub = await ServiceStub.start();
    catalog = new FakeCatalog(catalogStub);
    database = await createTestDatabase();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await worker?.stop();
    await sql?.end();
    await database?.drop();
    await catalogStub?.close();
    const admin = new Kafka({ clientId: 'crash-test-cleanup', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  });

  const workerEnv = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    ABAXUS_TOPIC_PREFIX: prefix,
    CATALOG_URL: catalogStub.url,
    ABAXUS_DB_POOL_SIZE: '4',
    ...extra,
  });

  const storedEvents = async () => Number((await sql.query('SELECT count(*) AS n FROM aggregation.events')).rows[0].n);

  it('stores every event exactly once after a SIGKILL mid-stream and a restart', async () => {
    const metric = catalog.createMetric('sum');
    const customers = Array.from({ length: CUSTOMERS }, () => catalog.createCustomer());

    const kafka = new Kafka({ clientId: 'crash-test', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: `${prefix}${TOPICS.usageEvents}`, numPartitions: 4 }] });
    await admin.disconnect();

    const expected = new Map<string, bigint>(customers.map((customer) => [customer, 0n]));
    const events = Array.from({ length: EVENTS }, (_, i) => {
      const customer = customers[i % CUSTOMERS];
      const value = randomInt(1, 1000);
      expected.set(customer, expected.get(customer)! + BigInt(value));
      const minute = String(i % 60).padStart(2, '0');
      const hour = String(i % 24).padStart(2, '0');
      return {
        customer_id: customer,
        metric_key: metric,
        value: String(value),
        timestamp: `2026-03-${String((i % 28) + 1).padStart(2, '0')}T${hour}:${minute}:00Z`,
        idempotency_key: uniqueId(`e${i}`),
      };
    });
    // Redeliveries from the producer's side: the same keys again with other values, interleaved.
    const duplicates = events.slice(0, DUPLICATES).map((event) => ({ ...event, value: '100000' }));
    const stream = [...events.slice(0, EVENTS / 2), ...duplicates, ...events.slice(EVENTS / 2)];
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (let start = 0; start < stream.length; start += 5000) {
      await producer.send({
        topic: `${prefix}${TOPICS.usageEvents}`,
        acks: -1,
        messages: stream.slice(start, start + 5000).map((event) => ({ key: event.customer_id, value: JSON.stringify(event) })),
      });
    }
    await producer.disconnect();

    worker = await startAggregationWorker(workerEnv());
    await pollUntil(async () => expect(await storedEvents()).toBeGreaterThan(0), { timeoutMs: 60_000, intervalMs: 5 });
    await worker.kill();
    const storedAtCrash = await storedEvents();
    expect(storedAtCrash).toBeLessThan(EVENTS);

    // The killed member still holds its partitions until its session times out; meanwhile the
    // restarted worker refuses an exact figure instead of giving a short one.
    worker = await startAggregationWorker(workerEnv({ ABAXUS_STRONG_READ_TIMEOUT_MS: '0' }));
    const period = { metric_key: metric, period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };
    const early = await fetch(`${worker.url}/v1/usage/compute`, { method: 'POST', body: JSON.stringify({ ...period, customer_id: customers[0] }) });
    expect(early.status).toBe(503);
    expect(await early.json()).toMatchObject({ code: 'usage_not_caught_up' });

    const url = worker.url;
    for (const customer of customers) {
      const exact = await pollUntil(
        async () => {
          const response = await fetch(`${url}/v1/usage/compute`, { method: 'POST', body: JSON.stringify({ ...period, customer_id: customer }) });
          expect(response.status).toBe(200);
          return (await response.json()) as { value: string };
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      );
      const summary = await fetch(`${url}/v1/usage/summary?${new URLSearchParams({ ...period, customer_id: customer })}`);
      expect({ customer, compute: exact.value, summary: ((await summary.json()) as { value: string }).value }).toEqual({
        customer,
        compute: expected.get(customer)!.toString(),
        summary: expected.get(customer)!.toString(),
      });
    }
    const counts = await sql.query('SELECT (SELECT count(*) FROM aggregation.events) AS events, (SELECT count(*) FROM aggregation.usage_event_keys) AS keys');
    expect(counts.rows[0]).toEqual({ events: String(EVENTS), keys: String(EVENTS) });
  }, 240_000);
});
