/*
 * `npm run bench:scaling`: how direct-Kafka consumption grows with aggregation replicas. For each
 * replica count (1, then 2), a fresh topic of 4 partitions and a fresh database: the events are
 * that many aggregation processes start in one consumer group and, once the group is stable with
 * all of them, the events are published straight to the topic; the clock runs from the first send
 * until every event is stored and aggregated, and the stored total is checked exact. The producer
 * (kafkajs, acks=all) publishes faster than the consumers keep up, so consumption is measured. Everything (broker, PostgreSQL, replicas) shares this machine's cores, which the
 * figures must be read against: the ratio says how much a second replica adds here.
 *
 * Environment: DATABASE_URL (server), KAFKA_BROKERS, BENCH_SCALING_EVENTS (default 200,000),
 * BENCH_SCALING_REPLICAS (default "1,2").
 */
import { randomBytes, randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS } from '@abaxus/contracts/topics';
import { createTestDatabase } from '@abaxus/platform/testing/test-database';
import { ServiceStub } from '@abaxus/platform/testing/service-under-test';
import { FakeCatalog } from '@abaxus/usage-events/catalog-copy/testing/fake-catalog';
import { startAggregationWorker, WorkerProcess } from '@abaxus/services/aggregation/testing/aggregation-worker-process';
import { perSecond, row } from './bench-stats';

const EVENTS = Number((process.env.BENCH_SCALING_EVENTS ?? '200000').replace(/_/g, ''));
const REPLICAS = (process.env.BENCH_SCALING_REPLICAS ?? '1,2').split(',').map(Number);
const PARTITIONS = 4;
const CUSTOMERS = 64;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

async function measure(replicas: number, catalog: FakeCatalog, catalogUrl: string): Promise<number> {
  const prefix = `scale${randomBytes(4).toString('hex')}.`;
  const database = await createTestDatabase();
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  const kafka = new Kafka({ clientId: 'bench-scaling', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `${prefix}${TOPICS.usageEvents}`;
  const workers: WorkerProcess[] = [];
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
    const metric = catalog.createMetric('sum');
    const customers = Array.from({ length: CUSTOMERS }, () => catalog.createCustomer());
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      ABAXUS_TOPIC_PREFIX: prefix,
      CATALOG_URL: catalogUrl,
      ABAXUS_LOG_LEVEL: 'error',
    };
    workers.push(...(await Promise.all(Array.from({ length: replicas }, () => startAggregationWorker(env)))));
    // Every replica in the group, partitions assigned, before the first event: no rebalance mid-run.
    const group = `${prefix}aggregation`;
    for (;;) {
      const [described] = (await admin.describeGroups([group])).groups;
      if (described?.state === 'Stable' && described.members.length === replicas) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    let expected = 0n;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const base = Date.now() - 3_600_000;
    const started = performance.now();
    for (let start = 0; start < EVENTS; start += 1000) {
      const messages = Array.from({ length: Math.min(1000, EVENTS - start) }, (_, offset) => {
        const i = start + offset;
        const value = randomInt(1, 1000);
        expected += BigInt(value);
        const customer = customers[i % CUSTOMERS];
        const event = {
          customer_id: customer,
          metric_key: metric,
          value: String(value),
          timestamp: new Date(base + (i % 3_000_000)).toISOString(),
          idempotency_key: `${prefix}${i}`,
        };
        return { key: customer, value: JSON.stringify(event) };
      });
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();
    for (;;) {
      const { rows } = await sql.query('SELECT count(*)::int AS n, COALESCE(sum(value::numeric), 0)::text AS total FROM aggregation.events');
      if (rows[0].n >= EVENTS) {
        if (BigInt(rows[0].total) !== expected) throw new Error(`stored total ${rows[0].total}, expected ${expected}`);
        return perSecond(EVENTS, performance.now() - started);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await sql.end();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const stub = await ServiceStub.start();
  const catalog = new FakeCatalog(stub);
  console.log(`aggregation scaling: ${EVENTS.toLocaleString('en')} events published straight to a topic of ${PARTITIONS} partitions, ${cpus().length} cores`);
  const rates: number[] = [];
  try {
    for (const replicas of REPLICAS) {
      const rate = await measure(replicas, catalog, stub.url);
      rates.push(rate);
      row(`${replicas} aggregation replica${replicas > 1 ? 's' : ''}: consumed, stored and aggregated`, `${rate.toLocaleString('en')} ev/s`);
    }
    if (rates.length > 1) row(`ratio ${REPLICAS[REPLICAS.length - 1]} replicas / ${REPLICAS[0]}`, (rates[rates.length - 1] / rates[0]).toFixed(2));
  } finally {
    await stub.close();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
