import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS } from '@abaxus/contracts/topics';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceStub } from '@abaxus/platform/testing/service-under-test';
import { startAggregationWorker, WorkerProcess } from '../testing/aggregation-worker-process';

const MESSAGES = 20_000;
/** Every tenth message is invalid: malformed JSON or an unknown metric, alternately. */
const INVALID_EVERY = 10;

/**
 * The aggregation consumer SIGKILLed while it works through a stream holding invalid messages, then
 * restarted: each invalid message has exactly one dead letter (they go through the outbox in the
 * transaction that moves the position past them), and each valid one is stored once.
 */
describe('dead letters across a consumer crash (Kafka)', () => {
  const brokers = process.env.KAFKA_BROKERS!;
  const prefix = `dlq${randomBytes(4).toString('hex')}.`;
  const kafka = new Kafka({ clientId: 'dead-letter-crash-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  let database: TestDatabase;
  let sql: Client;
  let catalog: ServiceStub;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    catalog = await ServiceStub.start();
    catalog.on('GET /v1/metrics/calls', { status: 200, body: { key: 'calls', aggregation_type: 'sum', value_type: 'integer' } });
    for (let i = 0; i < 8; i++) catalog.on(`GET /v1/customers/cust-${i}`, { status: 200, body: { id: `cust-${i}` } });
    catalog.on('GET /v1/metrics/nope', { status: 404, body: { code: 'not_found' } });
  });

  afterAll(async () => {
    await worker?.stop();
    await sql?.end();
    await database?.drop();
    await catalog?.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  });

  const env = { DATABASE_URL: '', KAFKA_BROKERS: brokers, ABAXUS_TOPIC_PREFIX: prefix, CATALOG_URL: '', ABAXUS_DB_POOL_SIZE: '3' };
  const count = async (table: string) => Number((await sql.query(`SELECT count(*) AS n FROM aggregation.${table}`)).rows[0].n);

  it('writes exactly one dead letter per invalid message after a SIGKILL mid-stream and a restart', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: `${prefix}${TOPICS.usageEvents}`, numPartitions: 4 }] });
    await admin.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const messages = Array.from({ length: MESSAGES }, (_, i) => {
      const customer = `cust-${i % 8}`;
      const invalid = i % INVALID_EVERY === 0;
      const event = { customer_id: customer, metric_key: invalid ? 'nope' : 'calls', value: '1', timestamp: '2026-03-10T10:00:00Z', idempotency_key: `e${i}` };
      return { key: customer, value: invalid && i % (2 * INVALID_EVERY) === 0 ? `{"malformed": ${i}` : JSON.stringify(event) };
    });
    for (let start = 0; start < messages.length; start += 5000) {
      await producer.send({ topic: `${prefix}${TOPICS.usageEvents}`, acks: -1, messages: messages.slice(start, start + 5000) });
    }
    await producer.disconnect();
    const invalid = MESSAGES / INVALID_EVERY;

    Object.assign(env, { DATABASE_URL: database.url, CATALOG_URL: catalog.url });
    worker = await startAggregationWorker(env);
    await pollUntil(async () => expect(await count('events')).toBeGreaterThan(0), { timeoutMs: 60_000, intervalMs: 5 });
    await worker.kill();
    expect(await count('events')).toBeLessThan(MESSAGES - invalid);

    worker = await startAggregationWorker(env);
    await pollUntil(async () => expect({ events: await count('events'), outbox: await count('outbox') }).toEqual({ events: MESSAGES - invalid, outbox: 0 }), {
      timeoutMs: 120_000,
      intervalMs: 250,
    });

    // Every dead letter, read back from the topic: one per invalid message, none twice.
    const sources: string[] = [];
    const reasons = new Set<string>();
    const consumer = kafka.consumer({ groupId: `${prefix}dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [`${prefix}${TOPICS.usageEventsDeadLetter}`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => message.headers?.[name]?.toString();
        sources.push(`${header('abaxus-source-partition')}@${header('abaxus-source-offset')}`);
        reasons.add(header('abaxus-error')!.split(':')[0]);
      },
    });
    await pollUntil(async () => expect(sources.length).toBeGreaterThanOrEqual(invalid), { timeoutMs: 60_000, intervalMs: 250 });
    await consumer.disconnect();
    const offsets = kafka.admin();
    await offsets.connect();
    const written = (await offsets.fetchTopicOffsets(`${prefix}${TOPICS.usageEventsDeadLetter}`)).reduce((sum, p) => sum + Number(p.high), 0);
    await offsets.disconnect();
    expect({ written, read: sources.length, distinct: new Set(sources).size }).toEqual({ written: invalid, read: invalid, distinct: invalid });
    expect([...reasons].sort()).toEqual(['malformed_json', 'validation_failed']);
  }, 240_000);
});
