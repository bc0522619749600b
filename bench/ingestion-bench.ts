/*
 * `npm run bench:ingestion`: ingestion and usage-read figures on this machine, with the broker,
 * PostgreSQL, the services and the load generator all on it, in both modes side by side:
 *  - kafka: catalog, ingestion, aggregation and the gateway each in its own process (as in
 *    docker-compose), the Kafka bus;
 *  - embedded: what `npm start` runs (one process, the bus in PostgreSQL), on the same PostgreSQL.
 * It prints one table: each figure, its target, the raw ceilings measured in the same run (kafkajs
 * produce and consume alone, PostgreSQL insert of the same rows alone) and the ratios. It asserts
 * only that every event was counted exactly once (timings are reported, never asserted).
 *
 * Environment: DATABASE_URL (server; fresh databases are created and dropped), KAFKA_BROKERS,
 * BENCH_MODES (kafka,embedded), BENCH_EVENTS (1,000,000 per throughput phase),
 * BENCH_SUMMARY_SIZES (1000000,5000000,20000000: events of one customer's month, cumulative),
 * BENCH_PROBE_RATES (500,1000,2000,5000 req/s offered, open loop), BENCH_PROBE_SECONDS (5),
 * BENCH_SINGLE_REQUESTS (10,000 at BENCH_SINGLE_CONCURRENCY 32), BENCH_CUSTOMERS (100),
 * BENCH_BATCH_CONCURRENCY (8), BENCH_KAFKA_CONCURRENCY (4), BENCH_CPU_PROF (a directory: every
 * service process writes a V8 CPU profile there; summarise with bench/cpu-profile-summary.ts).
 * BENCH_SHORT=1: small sizes (the CI form, apps/engine-e2e/src/usage/ingestion-bench.e2e.integration.spec.ts).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { Client } from 'pg';
import { Pool } from 'undici';
import { TOPICS } from '@abaxus/contracts/topics';
import { dropDatabase as dropTestDatabase } from '@abaxus/platform/testing/test-database';
import { LatencySummary, ms, perSecond, summarize } from './bench-stats';
import { RunningServices, startEmbeddedEngine, startServices } from './bench-services';
import { ensureMarchPartition, rebuildSumBuckets } from './seed-usage';

const short = process.env.BENCH_SHORT === '1';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

function listEnv(name: string, fallback: string): string[] {
  return (process.env[name] || fallback).split(',').map((item) => item.trim().replace(/_/g, ''));
}

const settings = {
  serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
  modes: listEnv('BENCH_MODES', 'kafka,embedded') as Array<'kafka' | 'embedded'>,
  events: intEnv('BENCH_EVENTS', short ? 3_000 : 1_000_000),
  // 0 skips the reads.
  summarySizes: listEnv('BENCH_SUMMARY_SIZES', short ? '2000' : '1000000,5000000,20000000')
    .map(Number)
    .filter((size) => size > 0),
  probeRates: listEnv('BENCH_PROBE_RATES', short ? '200' : '500,1000,2000,5000').map(Number),
  probeSeconds: intEnv('BENCH_PROBE_SECONDS', short ? 1 : 5),
  singleRequests: intEnv('BENCH_SINGLE_REQUESTS', short ? 300 : 10_000),
  singleConcurrency: intEnv('BENCH_SINGLE_CONCURRENCY', 32),
  customers: intEnv('BENCH_CUSTOMERS', short ? 10 : 100),
  batchConcurrency: intEnv('BENCH_BATCH_CONCURRENCY', 8),
  kafkaConcurrency: intEnv('BENCH_KAFKA_CONCURRENCY', 4),
  // 0 skips the memory run (steady single events, resident memory sampled every 10 s).
  soakSeconds: process.env.BENCH_SOAK_SECONDS === '0' ? 0 : intEnv('BENCH_SOAK_SECONDS', short ? 0 : 600),
  soakRate: intEnv('BENCH_SOAK_RATE', 500),
};
for (const mode of settings.modes) if (mode !== 'kafka' && mode !== 'embedded') throw new Error(`BENCH_MODES: unknown mode ${mode}`);

const BATCH = 500;
// kafkajs groups a send's messages per partition in quadratic time: 1,000 per send is its best.
const KAFKA_CHUNK = 1_000;
const PG_CHUNK = 5_000;
/** The probe that skips the gateway (Kafka mode, where the services' shared secret is known). */
const DIRECT_PROBE_RATE = 2_000;
const run = randomBytes(4).toString('hex');

/** The usage event payloads every phase sends: near-real-time timestamps over the last hour. */
class Payloads {
  private readonly base = Date.now() - 3_700_000;
  constructor(
    readonly metric: string,
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

type Answer = { status: number; text: string };
type Api = (method: 'GET' | 'POST', path: string, body?: string) => Promise<Answer>;

function apiOf(pool: Pool, headers: Record<string, string> = {}): Api {
  return async (method, path, body) => {
    const response = await pool.request({ method, path, body, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' } });
    return { status: response.statusCode, text: await response.body.text() };
  };
}

/** The figures of one mode; absent where the mode has no such phase. */
interface ModeFigures {
  batchRate?: number;
  batchAccepted?: number;
  kafkaRate?: number;
  kafkaPublished?: number;
  closedRate?: number;
  /** CPU (user + system) per single request (closed loop) and per 1,000 batch events, by role: the cost that bounds throughput on 2 cores. */
  closedCpu?: CpuRoles;
  closedCpuByProcess?: string;
  batchCpu?: CpuRoles;
  /** Resident memory over the steady run: per process, the first minute's peak → the last minute's peak (overall peak). */
  soakMemory?: string;
  soak?: OpenLoopResult;
  closed?: LatencySummary;
  probes: Map<number, OpenLoopResult>;
  /** Database transactions committed per request over each open-loop probe (the whole database). */
  probeCommits: Map<number, number>;
  directProbe?: OpenLoopResult;
  peakMemory?: string;
  /** Database transactions committed per 1,000 events, in the whole database, over a phase. */
  batchCommits?: number;
  kafkaCommits?: number;
  reads?: Reads;
}

/** The read latencies at one size of the month, with the floors measured beside them. */
interface ReadFigures {
  size: number;
  aligned: LatencySummary;
  ragged: LatencySummary;
  compute: LatencySummary;
  /** The month's total read straight from the daily rollups with pg, no service in between. */
  rollupSql: LatencySummary;
}
interface Reads {
  sizes: ReadFigures[];
  /** GET /health/live through the gateway: the HTTP round trip every read pays. */
  httpFloor: LatencySummary;
}

async function createDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: settings.serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(settings.serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Bounded as a test suite's: cleanup must not hold the figures (a drop stuck behind the server's checkpointer finishes on its own). */
function dropDatabase(name: string): Promise<void> {
  return dropTestDatabase(name, settings.serverUrl);
}

/** CPU seconds (user + system) used so far by the given processes, from /proc (0 for one gone). */
function cpuSeconds(pids: Record<string, number> | number[]): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  return Object.values(pids).reduce((total, pid) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return total;
    }
    const fields = stat.replace(/^.*\) /, '').split(' ');
    return total + (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  }, 0);
}

/** Where this machine's CPU goes: the services, PostgreSQL (every backend), the Kafka broker, this load generator. */
type CpuRoles = { services: number; postgres: number; broker: number; bench: number };

function cpuByRole(services: Record<string, number>): CpuRoles {
  const postgres: number[] = [];
  const broker: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'postgres') postgres.push(Number(entry));
      else if (comm === 'java' && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('kafka.Kafka')) broker.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const own = process.cpuUsage();
  return { services: cpuSeconds(services), postgres: cpuSeconds(postgres), broker: cpuSeconds(broker), bench: (own.user + own.system) / 1e6 };
}

/** CPU milliseconds per unit of work between two cpuByRole readings (PostgreSQL backends that ended meanwhile are not counted). */
function cpuPer(before: CpuRoles, after: CpuRoles, units: number): CpuRoles {
  const per = (role: keyof CpuRoles) => Math.max(0, ((after[role] - before[role]) * 1000) / units);
  return { services: per('services'), postgres: per('postgres'), broker: per('broker'), bench: per('bench') };
}

/** Resident memory (VmRSS) of each process now, in MiB. */
function residentMiB(pids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024)]),
  );
}

/** Samples every 10 s → per process "first minute's peak → last minute's peak (peak)": flat when the two match. */
function memoryTrend(samples: Array<Record<string, number>>): string {
  if (samples.length < 12) return 'too short (needs 2 minutes)';
  const peak = (slice: Array<Record<string, number>>, name: string) => Math.max(...slice.map((sample) => sample[name]));
  return Object.keys(samples[0])
    .map((name) => `${name} ${peak(samples.slice(0, 6), name)} → ${peak(samples.slice(-6), name)} (peak ${peak(samples, name)})`)
    .join(', ');
}

/** Peak resident memory (VmHWM) of each process, read before it stops. */
function peakMemory(pids: Record<string, number>): string {
  return Object.entries(pids)
    .map(([name, pid]) => {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
        return `${name} ${Math.round(kb / 1024)}`;
      } catch {
        return `${name} ?`;
      }
    })
    .join(', ');
}

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench', brokers: settings.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  console.log(
    `ABAXUS ingestion benchmark (${short ? 'short form' : 'full'}): modes ${settings.modes.join(', ')}; ${settings.events.toLocaleString('en')} events per throughput phase, ${settings.customers} customers; broker ${settings.kafkaBrokers}`,
  );
  const figures = new Map<string, ModeFigures>();
  for (const mode of settings.modes) {
    const databaseName = `abaxus_bench_${run}_${mode}`;
    const databaseUrl = await createDatabase(databaseName);
    const topicPrefix = `bench${run}${mode}.`;
    try {
      const services =
        mode === 'kafka'
          ? await startServices({ databaseUrl, kafkaBrokers: settings.kafkaBrokers, topicPrefix, extra: { ABAXUS_STRONG_READ_TIMEOUT_MS: '600000' } })
          : await startEmbeddedEngine({ databaseUrl, extra: { ABAXUS_STRONG_READ_TIMEOUT_MS: '600000' } });
      try {
        figures.set(mode, await measureMode(mode, services, kafka, topicPrefix, databaseName));
        if (settings.summarySizes.length > 0) figures.get(mode)!.reads = await measureReads(services, databaseUrl);
        figures.get(mode)!.peakMemory = peakMemory(services.pids);
      } finally {
        await services.stop();
      }
    } finally {
      await deleteTopics(kafka, topicPrefix);
      await dropDatabase(databaseName);
    }
  }
  const ceilings = await measureCeilings(kafka);
  printTable(figures, ceilings);
}

async function measureMode(
  mode: 'kafka' | 'embedded',
  services: RunningServices,
  kafka: Kafka,
  topicPrefix: string,
  databaseName: string,
): Promise<ModeFigures> {
  const stats = new Client({ connectionString: settings.serverUrl });
  await stats.connect();
  /** Commits of the database so far (the statistics reach pg_stat_database within a second). */
  const commits = async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const rows = await stats.query<{ xact_commit: string }>('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [databaseName]);
    return Number(rows.rows[0].xact_commit);
  };
  const http = new Pool(services.gatewayUrl, { connections: 256 });
  const api = apiOf(http);
  const result: ModeFigures = { probes: new Map(), probeCommits: new Map() };
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
  const exactTotal = async (payloads: Payloads, expected: number): Promise<number> => {
    const start = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const end = new Date(Date.now() + 60_000).toISOString();
    await compute(payloads.customer(0), payloads.metric, start, end);
    const doneAt = performance.now();
    let total = 0n;
    for (let c = 0; c < settings.customers; c++) total += BigInt(await compute(payloads.customer(c), payloads.metric, start, end));
    if (total !== BigInt(expected)) throw new Error(`${mode} mode counted ${total} events of ${payloads.metric}, expected ${expected}: NOT exact`);
    return doneAt;
  };

  try {
    const metrics = { batch: 'bench_batch', kafka: 'bench_kafka', single: 'bench_single' };
    for (const key of Object.values(metrics)) await created('/v1/metrics', { key, aggregation_type: 'sum', value_type: 'integer' });
    for (let c = 0; c < settings.customers; c++) await created('/v1/customers', { id: `bench_cust_${c}`, name: `Bench ${c}` });
    await created('/v1/customers', { id: 'bench_big_customer', name: 'Bench big' });

    console.log(`\n[${mode}] POST /v1/events/batch (500 per request, ${settings.batchConcurrency} in flight), until compute counts them all`);
    const batchPayloads = new Payloads(metrics.batch, `b${run}${mode}`);
    const batchCommitsBefore = await commits();
    const batchCpuBefore = cpuByRole(services.pids);
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
    result.batchAccepted = perSecond(settings.events, performance.now() - batchStart);
    result.batchRate = perSecond(settings.events, (await exactTotal(batchPayloads, settings.events)) - batchStart);
    result.batchCpu = cpuPer(batchCpuBefore, cpuByRole(services.pids), settings.events / 1000);
    result.batchCommits = ((await commits()) - batchCommitsBefore) / (settings.events / 1000);

    if (mode === 'kafka') {
      console.log(`[${mode}] kafkajs producer on abaxus.usage.events, until compute counts them all`);
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const kafkaPayloads = new Payloads(metrics.kafka, `k${run}`);
      const kafkaCommitsBefore = await commits();
      const kafkaStart = performance.now();
      await produceAll(producer, `${topicPrefix}${TOPICS.usageEvents}`, kafkaPayloads, settings.events);
      result.kafkaPublished = perSecond(settings.events, performance.now() - kafkaStart);
      await producer.disconnect();
      result.kafkaRate = perSecond(settings.events, (await exactTotal(kafkaPayloads, settings.events)) - kafkaStart);
      result.kafkaCommits = ((await commits()) - kafkaCommitsBefore) / (settings.events / 1000);
    }

    console.log(`[${mode}] POST /v1/events: ${settings.singleRequests} requests at concurrency ${settings.singleConcurrency} (closed loop)`);
    const singlePayloads = new Payloads(metrics.single, `s${run}${mode}`);
    let sent = 0;
    let singleNext = 0;
    const closedLatencies: number[] = [];
    const closedStart = performance.now();
    const closedRolesBefore = cpuByRole(services.pids);
    const closedByProcess = Object.fromEntries(Object.entries(services.pids).map(([name, pid]) => [name, cpuSeconds([pid])]));
    await Promise.all(
      Array.from({ length: settings.singleConcurrency }, async () => {
        while (singleNext < settings.singleRequests) {
          const i = singleNext++;
          const at = performance.now();
          const response = await api('POST', '/v1/events', singlePayloads.json(i));
          closedLatencies.push(performance.now() - at);
          if (response.status !== 202) throw new Error(`single: ${response.status} ${response.text}`);
        }
      }),
    );
    result.closedRate = perSecond(settings.singleRequests, performance.now() - closedStart);
    result.closedCpu = cpuPer(closedRolesBefore, cpuByRole(services.pids), settings.singleRequests);
    result.closedCpuByProcess = Object.entries(services.pids)
      .map(([name, pid]) => `${name} ${(((cpuSeconds([pid]) - closedByProcess[name]) * 1000) / settings.singleRequests).toFixed(2)}`)
      .join(', ');
    result.closed = summarize(closedLatencies);
    sent = settings.singleRequests;
    const probe = async (rate: number, target: Api, seconds = settings.probeSeconds) => {
      const from = sent;
      const outcome = await openLoop(rate, seconds, (i) => target('POST', '/v1/events', singlePayloads.json(from + i)));
      sent += outcome.offered;
      // A refused request (503) is sent again until accepted, so the count stays checkable.
      for (const i of outcome.failed) await untilAccepted(() => api('POST', '/v1/events', singlePayloads.json(from + i)));
      return outcome;
    };
    for (const rate of settings.probeRates) {
      console.log(`[${mode}] POST /v1/events open loop: ${rate} req/s offered for ${settings.probeSeconds} s`);
      const commitsBefore = await commits();
      const outcome = await probe(rate, api);
      result.probes.set(rate, outcome);
      result.probeCommits.set(rate, ((await commits()) - commitsBefore) / outcome.offered);
    }
    if (mode === 'kafka' && services.urls.ingestion) {
      console.log(`[${mode}] POST /v1/events straight to the ingestion service (no gateway hop): ${DIRECT_PROBE_RATE} req/s`);
      const direct = new Pool(services.urls.ingestion, { connections: 256 });
      try {
        result.directProbe = await probe(DIRECT_PROBE_RATE, apiOf(direct, { 'x-abaxus-internal-token': services.internalToken }));
      } finally {
        await direct.close();
      }
    }
    if (settings.soakSeconds > 0) {
      console.log(`[${mode}] memory run: ${settings.soakRate} single events/s for ${settings.soakSeconds} s, resident memory every 10 s`);
      const samples: Array<Record<string, number>> = [];
      const sampler = setInterval(() => samples.push(residentMiB(services.pids)), 10_000);
      try {
        result.soak = await probe(settings.soakRate, api, settings.soakSeconds);
      } finally {
        clearInterval(sampler);
      }
      result.soakMemory = memoryTrend(samples);
    }
    await exactTotal(singlePayloads, sent);
    return result;
  } finally {
    await http.close().catch(() => undefined);
    await stats.end().catch(() => undefined);
  }
}

async function untilAccepted(send: () => Promise<Answer>): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const answer = await send().catch((error: Error) => ({ status: 0, text: error.message }));
    if (answer.status === 202) return;
    if (answer.status !== 503 && answer.status !== 0) throw new Error(`single: ${answer.status} ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('single: still refused after 20 attempts');
}

interface OpenLoopResult {
  offered: number;
  achieved: number;
  latency: LatencySummary;
  failed: number[];
}

/**
 * Open loop: request i is due at start + i/rate whatever the answers' latency, and its latency runs
 * from when it was due (so a generator or server that falls behind shows in the percentiles).
 */
async function openLoop(rate: number, seconds: number, send: (i: number) => Promise<Answer>): Promise<OpenLoopResult> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const failed: number[] = [];
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  let next = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (next < due) {
      const i = next++;
      const dueAt = start + (i * 1000) / rate;
      pending.push(
        send(i).then(
          (response) => {
            if (response.status === 202) latencies.push(performance.now() - dueAt);
            else if (response.status === 503) failed.push(i);
            else throw new Error(`single: ${response.status} ${response.text}`);
          },
          () => {
            failed.push(i);
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const elapsed = performance.now() - start;
  return { offered: total, achieved: perSecond(latencies.length, elapsed), latency: summarize(latencies), failed };
}

async function measureReads(services: RunningServices, databaseUrl: string): Promise<Reads> {
  const http = new Pool(services.gatewayUrl, { connections: 8 });
  const api = apiOf(http);
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  const metric = 'bench_big';
  const samples = short ? 20 : 1000;
  const out: ReadFigures[] = [];
  try {
    const httpFloor = await timed(samples, async () => {
      const answer = await api('GET', '/health/live');
      if (answer.status !== 200) throw new Error(`health: ${answer.text}`);
    });
    const response = await api('POST', '/v1/metrics', JSON.stringify({ key: metric, aggregation_type: 'sum', value_type: 'integer' }));
    if (response.status !== 201) throw new Error(`metric: ${response.text}`);
    let seeded = 0;
    for (const size of settings.summarySizes) {
      console.log(`[reads] seeding one customer's March 2026 to ${size.toLocaleString('en')} events (SQL), then summary and compute latency`);
      await seedMonth(sql, 'bench_big_customer', metric, seeded, size - seeded);
      seeded = size;
      const query = (start: string, end: string) =>
        `/v1/usage/summary?customer_id=bench_big_customer&metric_key=${metric}&period_start=${start}&period_end=${end}`;
      const compute = async (start: string, end: string) => {
        const answer = await api(
          'POST',
          '/v1/usage/compute',
          JSON.stringify({ customer_id: 'bench_big_customer', metric_key: metric, period_start: start, period_end: end }),
        );
        if (answer.status !== 200) throw new Error(`compute: ${answer.text}`);
        return (JSON.parse(answer.text) as { value: string }).value;
      };
      const summaryOf = async (start: string, end: string) => {
        const expected = await compute(start, end);
        return timed(samples, async () => {
          const answer = await api('GET', query(start, end));
          if (answer.status !== 200 || (JSON.parse(answer.text) as { value: string }).value !== expected) throw new Error(`summary: ${answer.text}`);
        });
      };
      const aligned = await summaryOf('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
      const ragged = await summaryOf('2026-03-03T10:17:00Z', '2026-03-28T18:43:30.5Z');
      const computeMonth = await timed(3, async () => {
        await compute('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
      });
      const rollupSql = await timed(samples, async () => {
        await sql.query(
          `SELECT sum((state ->> 'sum')::numeric)::text AS total FROM aggregation.usage_daily
           WHERE customer_id = $1 AND metric_key = $2 AND day >= '2026-03-01T00:00:00Z' AND day < '2026-04-01T00:00:00Z'`,
          ['bench_big_customer', metric],
        );
      });
      out.push({ size, aligned, ragged, compute: computeMonth, rollupSql });
    }
    return { sizes: out, httpFloor };
  } finally {
    await sql.end().catch(() => undefined);
    await http.close().catch(() => undefined);
  }
}

interface Ceilings {
  produce: number;
  consume: number;
  postgres: number;
}

/** The raw ceilings with the same payloads: kafkajs produce (acks=all) and consume alone, PostgreSQL insert alone. */
async function measureCeilings(kafka: Kafka): Promise<Ceilings> {
  console.log('\n[ceilings] kafkajs produce and consume alone, PostgreSQL unnest insert alone');
  const topicPrefix = `bench${run}raw.`;
  const topic = `${topicPrefix}events`;
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `${topicPrefix}group`, maxBytesPerPartition: 4 * 1024 * 1024 });
  const databaseName = `abaxus_bench_${run}_raw`;
  const databaseUrl = await createDatabase(databaseName);
  const sql = new Client({ connectionString: databaseUrl });
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 4 }] });
    const payloads = new Payloads('bench_raw', `r${run}`);
    const produceStart = performance.now();
    await produceAll(producer, topic, payloads, settings.events);
    const produce = perSecond(settings.events, performance.now() - produceStart);

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let consumed = 0;
    // From the moment the group is joined (fetching starts) to the last message.
    let firstAt = 0;
    let lastAt = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      firstAt = performance.now();
    });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch }) => {
          // Read each value, as a consumer would.
          for (const message of batch.messages) consumed += message.value!.length > 0 ? 1 : 0;
          if (consumed >= settings.events) {
            lastAt = performance.now();
            resolve();
          }
        },
      });
    });
    await done;
    const consume = perSecond(settings.events, lastAt - firstAt);

    await sql.connect();
    const postgres = await rawPostgresInsert(sql, payloads, settings.events);
    return { produce, consume, postgres };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await sql.end().catch(() => undefined);
    await deleteTopics(kafka, topicPrefix);
    await dropDatabase(databaseName);
  }
}

/** Leaves the shared broker as it was. */
async function deleteTopics(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin
    .connect()
    .then(() => admin.listTopics())
    .then((topics) => topics.filter((topic) => topic.startsWith(prefix)))
    .then((topics) => (topics.length > 0 ? admin.deleteTopics({ topics }) : undefined))
    .catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
}

function printTable(figures: Map<string, ModeFigures>, ceilings: Ceilings): void {
  const kafka = figures.get('kafka');
  const embedded = figures.get('embedded');
  const rate = (value: number | undefined, unit = 'ev/s') => (value === undefined ? '—' : `${value.toLocaleString('en')} ${unit}`);
  const ratio = (value: number | undefined, ceiling: number) => (value === undefined ? '—' : (value / ceiling).toFixed(2));
  const rows: string[][] = [];
  const add = (figure: string, k: string, e: string, target: string) => rows.push([figure, k, e, target]);
  add('batch endpoint, first send → compute exact', rate(kafka?.batchRate), rate(embedded?.batchRate), '≥ 50,000 Kafka; ≥ 40,000 embedded');
  add('  of which accepted by HTTP (207s answered)', rate(kafka?.batchAccepted), rate(embedded?.batchAccepted), '');
  const roles = (cpu?: CpuRoles, digits = 0) =>
    cpu === undefined
      ? '—'
      : `${cpu.services.toFixed(digits)} / ${cpu.postgres.toFixed(digits)} / ${cpu.broker.toFixed(digits)} / ${cpu.bench.toFixed(digits)} ms`;
  add(
    '  CPU per 1,000 events of that phase: services / PostgreSQL / broker / load generator',
    roles(kafka?.batchCpu),
    roles(embedded?.batchCpu),
    '2 cores ÷ 40,000/s = 50 ms in all',
  );
  add('direct Kafka publishing, first send → compute exact', rate(kafka?.kafkaRate), '—', '≥ 50,000');
  add('  of which published by kafkajs', rate(kafka?.kafkaPublished), '—', '');
  const perThousand = (value?: number) => (value === undefined ? '—' : value.toFixed(1));
  add(
    'database commits per 1,000 events: batch endpoint phase (incl. its reads)',
    perThousand(kafka?.batchCommits),
    perThousand(embedded?.batchCommits),
    'a handful',
  );
  add('database commits per 1,000 events: direct Kafka phase (incl. its reads)', perThousand(kafka?.kafkaCommits), '—', 'a handful');
  const closed = (f?: ModeFigures) => (f?.closed ? `${rate(f.closedRate, 'req/s')}, p99 ${ms(f.closed.p99)}` : '—');
  add(`POST /v1/events, closed loop (concurrency ${settings.singleConcurrency})`, closed(kafka), closed(embedded), '');
  const cpu = (f?: ModeFigures) => (f?.closedCpu === undefined ? '—' : `${f.closedCpu.services.toFixed(2)} ms`);
  add('  CPU per request, all service processes (user + system)', cpu(kafka), cpu(embedded), '≤ 1 core ÷ 2,000/s = 0.5 ms');
  add('  the same: services / PostgreSQL / broker / load generator', roles(kafka?.closedCpu, 2), roles(embedded?.closedCpu, 2), '');
  add('  the services’ share by process (ms)', kafka?.closedCpuByProcess ?? '—', embedded?.closedCpuByProcess ?? '—', '');
  // The budget a 2,000 req/s target meets on this machine: every role's CPU per request, times the rate.
  const coresAt2000 = (cpu?: CpuRoles) =>
    cpu === undefined ? '—' : `${(((cpu.services + cpu.postgres + cpu.broker + cpu.bench) * 2_000) / 1000).toFixed(2)} cores of ${cpus().length}`;
  add(
    '  CPU that 2,000 req/s needs at that cost, every role together',
    coresAt2000(kafka?.closedCpu),
    coresAt2000(embedded?.closedCpu),
    'below the cores, with room',
  );
  const probe = (result?: OpenLoopResult) =>
    result === undefined
      ? '—'
      : `${rate(result.achieved, 'req/s')}, p50 ${ms(result.latency.p50)}, p99 ${ms(result.latency.p99)}${result.failed.length ? `, ${result.failed.length} × 503` : ''}`;
  for (const offered of settings.probeRates) {
    add(
      `POST /v1/events, ${offered.toLocaleString('en')} req/s offered (open loop)`,
      probe(kafka?.probes.get(offered)),
      probe(embedded?.probes.get(offered)),
      offered <= 2_000 ? 'p99 ≤ 20 ms at 2,000' : 'p99 ≤ 100 ms at 5,000',
    );
    const commitsPer = (f?: ModeFigures) => (f?.probeCommits.get(offered) === undefined ? '—' : f.probeCommits.get(offered)!.toFixed(2));
    add('  database commits per request (whole database)', commitsPer(kafka), commitsPer(embedded), '');
  }
  add(`  same, straight to ingestion (no gateway), ${DIRECT_PROBE_RATE.toLocaleString('en')} req/s`, probe(kafka?.directProbe), '—', '(the hop, measured)');
  add('raw ceiling: kafkajs produce alone (acks=all)', rate(ceilings.produce), '', '');
  add('raw ceiling: kafkajs consume alone', rate(ceilings.consume), '', '');
  add('raw ceiling: PostgreSQL unnest insert alone (5,000 per statement)', '', rate(ceilings.postgres), '');
  add(
    'ratio batch pipeline / raw produce (Kafka), / raw insert (embedded)',
    ratio(kafka?.batchRate, ceilings.produce),
    ratio(embedded?.batchRate, ceilings.postgres),
    '',
  );
  add('ratio batch pipeline / raw PostgreSQL insert', ratio(kafka?.batchRate, ceilings.postgres), ratio(embedded?.batchRate, ceilings.postgres), '');
  add(
    'ratio direct-Kafka pipeline / raw produce, / raw consume',
    `${ratio(kafka?.kafkaRate, ceilings.produce)} / ${ratio(kafka?.kafkaRate, ceilings.consume)}`,
    '—',
    '',
  );
  add('ratio direct-Kafka pipeline / raw PostgreSQL insert', ratio(kafka?.kafkaRate, ceilings.postgres), '—', '');
  const latency = (summary: LatencySummary | undefined) => (summary ? `${ms(summary.p50)} / ${ms(summary.p99)}` : '—');
  const readsOf = (mode: ModeFigures | undefined, size: number) => mode?.reads?.sizes.find((read) => read.size === size);
  for (const size of settings.summarySizes) {
    const [k, e] = [readsOf(kafka, size), readsOf(embedded, size)];
    add(`GET /v1/usage/summary, whole month of ${size.toLocaleString('en')} events: p50 / p99`, latency(k?.aligned), latency(e?.aligned), '≤ 5 ms, flat');
    add(`  non-aligned period (buckets + 2 edge hours): p50 / p99`, latency(k?.ragged), latency(e?.ragged), '≤ 5 ms, flat');
    add(`  floor: the month's rollups read with pg alone: p50 / p99`, latency(k?.rollupSql), latency(e?.rollupSql), '');
    add(`  compute (every event) over the month: p50`, k ? ms(k.compute.p50) : '—', e ? ms(e.compute.p50) : '—', '');
  }
  if (settings.summarySizes.length > 0)
    add('  floor: GET /health/live through the gateway: p50 / p99', latency(kafka?.reads?.httpFloor), latency(embedded?.reads?.httpFloor), '');
  add('peak resident memory per process (MiB)', kafka?.peakMemory ?? '—', embedded?.peakMemory ?? '—', '≤ 256 MiB');
  if (settings.soakSeconds > 0) {
    add(
      `resident memory (MiB) over ${settings.soakSeconds / 60} min of ${settings.soakRate} single events/s: first minute → last minute`,
      kafka?.soakMemory ?? '—',
      embedded?.soakMemory ?? '—',
      '≤ 256 MiB, flat',
    );
    add(`  the same run's single events`, probe(kafka?.soak), probe(embedded?.soak), '');
  }
  add('exactness', kafka ? 'every phase counted exactly' : '—', embedded ? 'every phase counted exactly' : '—', 'every event once');
  console.log('\nResults\n');
  console.log('| figure | Kafka (distributed) | embedded (npm start) | target |');
  console.log('| --- | --- | --- | --- |');
  for (const cells of rows) console.log(`| ${cells.join(' | ')} |`);
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

/** `count` more events spread evenly over March 2026 for one customer (keys after `from`), then its buckets rebuilt. */
async function seedMonth(sql: Client, customer: string, metric: string, from: number, count: number): Promise<void> {
  const step = (31 * 24 * 3600) / count;
  await ensureMarchPartition(sql);
  await sql.query(`INSERT INTO aggregation.usage_event_keys (key) SELECT 'seed-' || g FROM generate_series($1::int + 1, $1::int + $2::int) g`, [from, count]);
  await sql.query(
    `INSERT INTO aggregation.events (seq, idempotency_key, customer_id, metric_key, value, ts)
     SELECT nextval('aggregation.event_seq'), 'seed-' || g, $1, $2, ((g % 10) + 1)::text,
            timestamptz '2026-03-01T00:00:00Z' + make_interval(secs => (g - $4::int - 1) * $3::float8)
     FROM generate_series($4::int + 1, $4::int + $5::int) g`,
    [customer, metric, step, from, count],
  );
  await rebuildSumBuckets(sql, customer);
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

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
