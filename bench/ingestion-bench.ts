/*
 * `npm run bench:ingestion`: end-to-end ingestion and usage-read figures on this machine, with the
 * broker, PostgreSQL and the services (catalog, ingestion, aggregation, gateway: one process each)
 * all on it. Prints figures; asserts only that every event was counted exactly.
 *
 * Environment: DATABASE_URL (server; a fresh database is created and dropped), KAFKA_BROKERS,
 * BENCH_EVENTS (default 1,000,000: events per throughput phase), BENCH_SEED_EVENTS (5,000,000),
 * BENCH_SINGLE_REQUESTS (30,000), BENCH_SINGLE_CONCURRENCY (32), BENCH_SINGLE_RATE (2,000 req/s),
 * BENCH_SINGLE_SECONDS (10), BENCH_CUSTOMERS (100), BENCH_BATCH_CONCURRENCY (8),
 * BENCH_KAFKA_CONCURRENCY (4).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { Client } from 'pg';
import { Pool } from 'undici';
import { TOPICS } from '@abaxus/contracts/topics';
import { ms, perSecond, row, summarize } from './bench-stats';
import { startServices } from './bench-services';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const settings = {
  serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
  events: intEnv('BENCH_EVENTS', 1_000_000),
  seedEvents: intEnv('BENCH_SEED_EVENTS', 5_000_000),
  singleRequests: intEnv('BENCH_SINGLE_REQUESTS', 30_000),
  singleConcurrency: intEnv('BENCH_SINGLE_CONCURRENCY', 32),
  singleRate: intEnv('BENCH_SINGLE_RATE', 2_000),
  singleSeconds: intEnv('BENCH_SINGLE_SECONDS', 10),
  customers: intEnv('BENCH_CUSTOMERS', 100),
  batchConcurrency: intEnv('BENCH_BATCH_CONCURRENCY', 8),
  kafkaConcurrency: intEnv('BENCH_KAFKA_CONCURRENCY', 4),
  dimensionSummaries: intEnv('BENCH_DIMENSION_SUMMARIES', 300),
};

const BATCH = 500;
// kafkajs groups a send's messages per partition in quadratic time: 1,000 per send is its best.
const KAFKA_CHUNK = 1_000;
const PG_CHUNK = 5_000;
const run = randomBytes(4).toString('hex');

/** The usage event payloads every phase sends: near-real-time timestamps over the last hour. */
class Payloads {
  private readonly base = Date.now() - 3_700_000;
  constructor(
    private readonly metric: string,
    private readonly keyPrefix: string,
  ) {}

  customer(i: number): string {
    return `bench_cust_${i % settings.customers}`;
  }

  timestamp(i: number): string {
    return new Date(this.base + (i % 3_600_000)).toISOString();
  }

  json(i: number): string {
    return `{"customer_id":"${this.customer(i)}","metric_key":"${this.metric}","value":"1","timestamp":"${this.timestamp(i)}","idempotency_key":"${this.keyPrefix}-${i}"}`;
  }
}

async function main(): Promise<void> {
  const databaseName = `abaxus_bench_${run}`;
  const admin = new Client({ connectionString: settings.serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const dbUrl = new URL(settings.serverUrl);
  dbUrl.pathname = `/${databaseName}`;
  const databaseUrl = dbUrl.toString();
  const topicPrefix = `bench${run}.`;
  const kafka = new Kafka({ clientId: 'bench', brokers: settings.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });

  console.log(`ABAXUS ingestion benchmark: ${settings.events.toLocaleString('en')} events per throughput phase, ${settings.customers} customers`);
  console.log(`database ${databaseName}, topic prefix ${topicPrefix}, broker ${settings.kafkaBrokers}`);
  const services = await startServices({ databaseUrl, kafkaBrokers: settings.kafkaBrokers, topicPrefix, extra: { ABAXUS_STRONG_READ_TIMEOUT_MS: '600000' } });
  const http = new Pool(services.gatewayUrl, { connections: 128 });
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();

  const api = async (method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; text: string }> => {
    const response = await http.request({ method, path, body, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
    return { status: response.statusCode, text: await response.body.text() };
  };
  const created = async (path: string, body: Record<string, unknown>) => {
    const response = await api('POST', path, JSON.stringify(body));
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${response.text}`);
  };
  const compute = async (customer: string, metric: string, start: string, end: string): Promise<string> => {
    const response = await api(
      'POST',
      '/v1/usage/compute',
      JSON.stringify({ customer_id: customer, metric_key: metric, period_start: start, period_end: end }),
    );
    if (response.status !== 200) throw new Error(`compute: ${response.status} ${response.text}`);
    return (JSON.parse(response.text) as { value: string }).value;
  };
  /** Waits (compute is read-your-writes) and checks that every customer's count adds up to `expected`. */
  const exactTotal = async (metric: string, payloads: Payloads, expected: number): Promise<number> => {
    const start = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const end = new Date(Date.now() + 60_000).toISOString();
    await compute(payloads.customer(0), metric, start, end);
    const doneAt = performance.now();
    let total = 0n;
    for (let c = 0; c < settings.customers; c++) total += BigInt(await compute(payloads.customer(c), metric, start, end));
    if (total !== BigInt(expected)) throw new Error(`counted ${total} events of ${metric}, expected ${expected}: NOT exact`);
    return doneAt;
  };

  try {
    const metrics = { batch: 'bench_batch', kafka: 'bench_kafka', single: 'bench_single', big: 'bench_big' };
    for (const key of Object.values(metrics)) await created('/v1/metrics', { key, aggregation_type: 'sum', value_type: 'integer' });
    const dimensional = 'bench_big_dims';
    await created('/v1/metrics', { key: dimensional, aggregation_type: 'sum', value_type: 'integer', dimensions: SEED_DIMENSIONS });
    for (let c = 0; c < settings.customers; c++) await created('/v1/customers', { id: `bench_cust_${c}`, name: `Bench ${c}` });
    await created('/v1/customers', { id: 'bench_big_customer', name: 'Bench big' });

    // 1. Batch endpoint, end to end.
    console.log('\n[1/5] POST /v1/events/batch (500 per request), until compute counts them all');
    const batchPayloads = new Payloads(metrics.batch, `b${run}`);
    const batchStart = performance.now();
    let next = 0;
    const batchWorker = async () => {
      for (;;) {
        const from = next;
        if (from >= settings.events) return;
        next += BATCH;
        const items: string[] = [];
        for (let i = from; i < Math.min(from + BATCH, settings.events); i++) items.push(batchPayloads.json(i));
        const response = await api('POST', '/v1/events/batch', `{"events":[${items.join(',')}]}`);
        if (response.status !== 207 || response.text.includes('"status":400')) throw new Error(`batch: ${response.status} ${response.text.slice(0, 500)}`);
      }
    };
    await Promise.all(Array.from({ length: settings.batchConcurrency }, batchWorker));
    const batchAccepted = performance.now();
    const batchDone = await exactTotal(metrics.batch, batchPayloads, settings.events);
    const batchRate = perSecond(settings.events, batchDone - batchStart);

    // 2. Direct Kafka publishing, end to end.
    console.log('[2/5] kafkajs producer on abaxus.usage.events, until compute counts them all');
    const kafkaPayloads = new Payloads(metrics.kafka, `k${run}`);
    const kafkaStart = performance.now();
    await produceAll(producer, `${topicPrefix}${TOPICS.usageEvents}`, kafkaPayloads, settings.events);
    const kafkaPublished = performance.now();
    const kafkaDone = await exactTotal(metrics.kafka, kafkaPayloads, settings.events);
    const kafkaRate = perSecond(settings.events, kafkaDone - kafkaStart);

    // 3. Single events.
    console.log(
      `[3/5] POST /v1/events: ${settings.singleRequests} requests at concurrency ${settings.singleConcurrency}, then ${settings.singleRate} req/s for ${settings.singleSeconds} s`,
    );
    const singlePayloads = new Payloads(metrics.single, `s${run}`);
    let singleNext = 0;
    const closedLatencies: number[] = [];
    const closedStart = performance.now();
    await Promise.all(
      Array.from({ length: settings.singleConcurrency }, async () => {
        while (singleNext < settings.singleRequests) {
          const i = singleNext++;
          const sent = performance.now();
          const response = await api('POST', '/v1/events', singlePayloads.json(i));
          closedLatencies.push(performance.now() - sent);
          if (response.status !== 202) throw new Error(`single: ${response.status} ${response.text}`);
        }
      }),
    );
    const closedElapsed = performance.now() - closedStart;
    const closed = summarize(closedLatencies);
    const fixed = await fixedRate(settings.singleRate, settings.singleSeconds, (i) =>
      api('POST', '/v1/events', singlePayloads.json(settings.singleRequests + i)),
    );
    await exactTotal(metrics.single, singlePayloads, settings.singleRequests + fixed.sent);

    // 4. Raw baselines with the same payloads.
    console.log('[4/5] raw baselines: kafkajs produce, PostgreSQL unnest insert');
    const rawTopic = `${topicPrefix}bench.raw`;
    await kafkaAdmin.createTopics({ waitForLeaders: true, topics: [{ topic: rawTopic, numPartitions: 4 }] });
    const rawKafkaStart = performance.now();
    await produceAll(producer, rawTopic, new Payloads(metrics.kafka, `r${run}`), settings.events);
    const rawKafkaRate = perSecond(settings.events, performance.now() - rawKafkaStart);
    const rawPgRate = await rawPostgresInsert(sql, new Payloads(metrics.kafka, `p${run}`), settings.events);

    // 5. Reads over a big month.
    console.log(`[5/5] seeding ${settings.seedEvents.toLocaleString('en')} events of one customer in March 2026 (SQL), then summary and compute latency`);
    const seedStart = performance.now();
    await seedMonth(sql, 'bench_big_customer', metrics.big, settings.seedEvents);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const query = (start: string, end: string) =>
      `/v1/usage/summary?customer_id=bench_big_customer&metric_key=${metrics.big}&period_start=${start}&period_end=${end}`;
    const aligned = ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'];
    const ragged = ['2026-03-03T10:17:00Z', '2026-03-28T18:43:30.5Z'];
    const expectedAligned = await compute('bench_big_customer', metrics.big, aligned[0], aligned[1]);
    const summaryAligned = await timed(300, async () => {
      const response = await api('GET', query(aligned[0], aligned[1]));
      if (response.status !== 200 || (JSON.parse(response.text) as { value: string }).value !== expectedAligned) throw new Error(`summary: ${response.text}`);
    });
    const expectedRagged = await compute('bench_big_customer', metrics.big, ragged[0], ragged[1]);
    const summaryRagged = await timed(300, async () => {
      const response = await api('GET', query(ragged[0], ragged[1]));
      if (response.status !== 200 || (JSON.parse(response.text) as { value: string }).value !== expectedRagged) throw new Error(`summary: ${response.text}`);
    });
    // The same month on a metric with 3 dimensions × 50 values each (up to 125,000 combinations).
    console.log(`      and ${settings.seedEvents.toLocaleString('en')} events of a metric with dimensions ${SEED_DIMENSIONS.join(', ')} (50 values each)`);
    await seedMonth(sql, 'bench_big_customer', dimensional, settings.seedEvents, true);
    const dimensionalQuery = (selection: string) =>
      `/v1/usage/summary?customer_id=bench_big_customer&metric_key=${dimensional}&period_start=${aligned[0]}&period_end=${aligned[1]}${selection}`;
    const computeSelection = async (selection: Record<string, unknown>) => {
      const response = await api(
        'POST',
        '/v1/usage/compute',
        JSON.stringify({ customer_id: 'bench_big_customer', metric_key: dimensional, period_start: aligned[0], period_end: aligned[1], ...selection }),
      );
      if (response.status !== 200) throw new Error(`compute: ${response.status} ${response.text}`);
      const { value, groups } = JSON.parse(response.text) as { value?: string; groups?: unknown };
      return JSON.stringify(groups ?? value);
    };
    const timedSummary = async (selection: string, expected: string) =>
      timed(settings.dimensionSummaries, async () => {
        const response = await api('GET', dimensionalQuery(selection));
        const { value, groups } = JSON.parse(response.text) as { value?: string; groups?: unknown };
        if (response.status !== 200 || JSON.stringify(groups ?? value) !== expected) throw new Error(`summary: ${response.text}`);
      });
    const dimensionalWhole = await timedSummary('', await computeSelection({}));
    const dimensionalFiltered = await timedSummary('&filter[model]=m7', await computeSelection({ filter: { model: ['m7'] } }));
    const dimensionalGrouped = await timedSummary(
      '&filter[model]=m7&group_by=region',
      await computeSelection({ filter: { model: ['m7'] }, group_by: 'region' }),
    );
    const computeMonth = await timed(5, async () => {
      await compute('bench_big_customer', metrics.big, aligned[0], aligned[1]);
    });

    console.log('\nResults');
    row('batch endpoint, end to end (first send → compute exact)', `${batchRate.toLocaleString('en')} ev/s`, 'target ≥ 30,000');
    row('  of which accepted by HTTP (207s answered)', `${perSecond(settings.events, batchAccepted - batchStart).toLocaleString('en')} ev/s`);
    row('direct Kafka, end to end (first send → compute exact)', `${kafkaRate.toLocaleString('en')} ev/s`, 'target ≥ 30,000');
    row('  of which published by kafkajs', `${perSecond(settings.events, kafkaPublished - kafkaStart).toLocaleString('en')} ev/s`);
    row(
      `single events, concurrency ${settings.singleConcurrency}: throughput`,
      `${perSecond(settings.singleRequests, closedElapsed).toLocaleString('en')} req/s`,
    );
    row(`single events, concurrency ${settings.singleConcurrency}: p50 / p99`, `${ms(closed.p50)} / ${ms(closed.p99)}`);
    row(`single events at ${settings.singleRate} req/s: achieved`, `${fixed.achieved.toLocaleString('en')} req/s`);
    row(`single events at ${settings.singleRate} req/s: p50 / p99`, `${ms(fixed.latency.p50)} / ${ms(fixed.latency.p99)}`, 'target p99 ≤ 20 ms');
    row('raw kafkajs produce (same payloads, acks=all)', `${rawKafkaRate.toLocaleString('en')} ev/s`);
    row('raw PostgreSQL insert (unnest, 5,000 per statement)', `${rawPgRate.toLocaleString('en')} ev/s`);
    row('ratio batch pipeline / raw Kafka produce', (batchRate / rawKafkaRate).toFixed(2));
    row('ratio direct-Kafka pipeline / raw Kafka produce', (kafkaRate / rawKafkaRate).toFixed(2));
    row('ratio batch pipeline / raw PostgreSQL insert', (batchRate / rawPgRate).toFixed(2));
    row('ratio direct-Kafka pipeline / raw PostgreSQL insert', (kafkaRate / rawPgRate).toFixed(2));
    row(`seeding ${settings.seedEvents.toLocaleString('en')} events + buckets (SQL)`, `${seedSeconds.toFixed(1)} s`);
    row('summary, whole month (buckets only): p50 / p99', `${ms(summaryAligned.p50)} / ${ms(summaryAligned.p99)}`, 'target p99 ≤ 20 ms');
    row('summary, non-aligned period (buckets + 2 edge hours): p50 / p99', `${ms(summaryRagged.p50)} / ${ms(summaryRagged.p99)}`, 'target p99 ≤ 20 ms');
    row('summary, whole month, 3 dimensions × 50 values, no filter (rollups): p50 / p99', `${ms(dimensionalWhole.p50)} / ${ms(dimensionalWhole.p99)}`);
    row('summary, whole month, 3 dimensions × 50 values, filter[model]: p50 / p99', `${ms(dimensionalFiltered.p50)} / ${ms(dimensionalFiltered.p99)}`);
    row(
      'summary, whole month, 3 dimensions × 50 values, filter[model] + group_by=region: p50 / p99',
      `${ms(dimensionalGrouped.p50)} / ${ms(dimensionalGrouped.p99)}`,
    );
    row(`compute, whole month (${settings.seedEvents.toLocaleString('en')} events): p50 / max`, `${ms(computeMonth.p50)} / ${ms(computeMonth.max)}`);
    row('exactness', 'every phase counted exactly');
  } finally {
    await producer.disconnect().catch(() => undefined);
    await sql.end().catch(() => undefined);
    await http.close().catch(() => undefined);
    await services.stop();
    // Leave the shared broker as it was.
    await kafkaAdmin
      .listTopics()
      .then((topics) => kafkaAdmin.deleteTopics({ topics: topics.filter((topic) => topic.startsWith(topicPrefix)) }))
      .catch(() => undefined);
    await kafkaAdmin.disconnect().catch(() => undefined);
    const cleanup = new Client({ connectionString: settings.serverUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await cleanup.end();
  }
}

async function produceAll(producer: Producer, topic: string, payloads: Payloads, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: settings.kafkaConcurrency }, async () => {
      for (;;) {
        const from = next;
        if (from >= count) return;
        next += KAFKA_CHUNK;
        const messages = [];
        for (let i = from; i < Math.min(from + KAFKA_CHUNK, count); i++) messages.push({ key: payloads.customer(i), value: payloads.json(i) });
        await producer.send({ topic, acks: -1, messages });
      }
    }),
  );
}

async function rawPostgresInsert(sql: Client, payloads: Payloads, count: number): Promise<number> {
  await sql.query(`CREATE TABLE bench_raw (
    seq bigint, idempotency_key text, customer_id text, subscription_id text, metric_key text, value text,
    ts timestamptz, properties jsonb, received_at timestamptz DEFAULT now())`);
  await sql.query('CREATE INDEX ON bench_raw (customer_id, metric_key, ts)');
  const start = performance.now();
  for (let from = 0; from < count; from += PG_CHUNK) {
    const rows: Array<Record<string, string>> = [];
    for (let i = from; i < Math.min(from + PG_CHUNK, count); i++) rows.push(JSON.parse(payloads.json(i)) as Record<string, string>);
    await sql.query(
      `INSERT INTO bench_raw (seq, idempotency_key, customer_id, metric_key, value, ts)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])`,
      [
        rows.map((_, k) => from + k),
        rows.map((r) => r.idempotency_key),
        rows.map((r) => r.customer_id),
        rows.map((r) => r.metric_key),
        rows.map((r) => r.value),
        rows.map((r) => r.timestamp),
      ],
    );
  }
  return perSecond(count, performance.now() - start);
}

const SEED_DIMENSIONS = ['model', 'region', 'tier'];

/**
 * Events spread evenly over March 2026 for one customer, with their keys and hourly buckets. With
 * `dimensions`, each event carries model, region and tier (50 values each, every combination in
 * turn), bucketed per combination (keys as the aggregation service writes them) plus the hour's rollup.
 */
async function seedMonth(sql: Client, customer: string, metric: string, count: number, dimensions = false): Promise<void> {
  const step = (31 * 24 * 3600) / count;
  const keyPrefix = dimensions ? 'seed-dims-' : 'seed-';
  await sql.query(
    `CREATE TABLE IF NOT EXISTS aggregation.events_p202603 PARTITION OF aggregation.events FOR VALUES FROM ('2026-03-01T00:00:00Z') TO ('2026-04-01T00:00:00Z')`,
  );
  await sql.query(`INSERT INTO aggregation.usage_event_keys (key) SELECT $2::text || g FROM generate_series(1, $1::int) g`, [count, keyPrefix]);
  await sql.query(
    `INSERT INTO aggregation.events (seq, idempotency_key, customer_id, metric_key, value, ts, properties)
     SELECT nextval('aggregation.event_seq'), $5::text || g, $1, $2, ((g % 10) + 1)::text,
            timestamptz '2026-03-01T00:00:00Z' + make_interval(secs => (g - 1) * $3::float8),
            CASE WHEN $6::boolean THEN jsonb_build_object('model', 'm' || (g % 50), 'region', 'r' || ((g / 50) % 50), 'tier', 't' || ((g / 2500) % 50)) END
     FROM generate_series(1, $4::int) g`,
    [customer, metric, step, count, keyPrefix, dimensions],
  );
  const key = dimensions
    ? `'{"model":"' || (properties->>'model') || '","region":"' || (properties->>'region') || '","tier":"' || (properties->>'tier') || '"}'`
    : `'{}'`;
  const buckets = (dimensionKey: string) =>
    sql.query(
      `INSERT INTO aggregation.usage_hourly (customer_id, metric_key, hour, subscription_key, dimension_key, state)
       SELECT customer_id, metric_key, date_trunc('hour', ts, 'UTC'), '', ${dimensionKey}, jsonb_build_object('type', 'sum', 'sum', sum(value::numeric)::text)
       FROM aggregation.events WHERE customer_id = $1 AND metric_key = $2 GROUP BY 1, 2, 3, 5`,
      [customer, metric],
    );
  await buckets(key);
  if (dimensions) await buckets(`'*'`);
  await sql.query('ANALYZE aggregation.events_p202603');
  await sql.query('ANALYZE aggregation.usage_hourly');
}

async function timed(times: number, work: () => Promise<void>) {
  const latencies: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await work();
    latencies.push(performance.now() - start);
  }
  return summarize(latencies);
}

/** Open loop: sends at a fixed rate whatever the answers' latency, so slow answers show in p99. */
async function fixedRate(rate: number, seconds: number, send: (i: number) => Promise<{ status: number; text: string }>) {
  const total = rate * seconds;
  const latencies: number[] = [];
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (sent < due) {
      const i = sent++;
      const at = performance.now();
      pending.push(
        send(i).then((response) => {
          if (response.status !== 202) throw new Error(`single: ${response.status} ${response.text}`);
          latencies.push(performance.now() - at);
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const elapsed = performance.now() - start;
  return { sent, achieved: perSecond(sent, elapsed), latency: summarize(latencies) };
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
