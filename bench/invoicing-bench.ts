/*
 * Pricing and invoicing benchmark, through the gateway of a whole engine (Kafka bus when
 * KAFKA_BROKERS is set) on a fresh database of the PostgreSQL at DATABASE_URL:
 *
 *  1. POST /v1/pricing/calculate latency for one subscription whose plan has 20 charges, over a
 *     month holding BENCH_EVENTS events (default 5,000,000; target p99 ≤ 50 ms, issue 11), loaded
 *     through the backfill endpoint or, with BENCH_SEED=sql, written straight into the store;
 *  2. a month-end run issuing invoices for BENCH_CUSTOMERS customers (default 10,000; target
 *     ≥ 500 invoices/s, issue 11), BENCH_INVOICE_CONCURRENCY requests in flight (default 16);
 *  3. the automatic month-end run: BENCH_RUN_CUSTOMERS customers (default 10,000) on one test
 *     clock, each subscribed to a monthly plan (flat fee + usage), the clock advanced past the
 *     cycle end plus the grace, timed until every invoice is issued (target ≥ 500 invoices/s;
 *     numbers gapless, one invoice per customer). BENCH_SKIP_RUN=1 skips it; BENCH_RUN_PROFILE=<file>
 *     writes a CPU profile of the engine during the run.
 *
 * BENCH_TOPOLOGY=processes runs the gateway and each service in its own process (the distributed
 * mode, as in docker-compose; needs KAFKA_BROKERS); the default is the one-process embedded engine.
 *
 * Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres KAFKA_BROKERS=127.0.0.1:19092 \
 *      node -r ./scripts/register-typescript.js bench/invoicing-bench.ts
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { Agent, request } from 'undici';
import { startEngine } from '@abaxus/engine-runtime/embedded-engine';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { createTestDatabase } from '@abaxus/platform/testing/test-database';
import { ms, perSecond, row, summarize } from './bench-stats';
import { ensureMarchPartition, rebuildSumBuckets } from './seed-usage';

process.env.ABAXUS_LOG_LEVEL ??= 'warn';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000_000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
const CALCULATIONS = Number(process.env.BENCH_CALCULATIONS ?? 200);
const INVOICE_CONCURRENCY = Number(process.env.BENCH_INVOICE_CONCURRENCY ?? 16);
const RUN_CUSTOMERS = Number(process.env.BENCH_RUN_CUSTOMERS ?? 10_000);
const CHARGES = 20;
const BACKFILL_SIZE = 5000;
// How phase 1's events get in: `backfill` through the gateway, or `sql` straight into the store (5M, 20M).
const SEED = process.env.BENCH_SEED ?? 'backfill';
if (SEED !== 'backfill' && SEED !== 'sql') throw new Error('BENCH_SEED must be backfill or sql');
const MARCH_START = Date.parse('2026-03-01T00:00:00Z');
const MARCH_MS = Date.parse('2026-04-01T00:00:00Z') - MARCH_START;

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; text: string; body: any }>;

/** A keep-alive undici client: fetch costs this 2-core box several times more per request. */
function client(baseUrl: string): Api {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  return async (method, path, body) => {
    const response = await request(`${baseUrl}${path}`, {
      method: method as 'GET',
      dispatcher: agent,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
    const text = await response.body.text();
    return { status: response.statusCode, text, body: text ? JSON.parse(text) : undefined };
  };
}

async function expectOk(promise: ReturnType<Api>, status: number, what: string) {
  const response = await promise;
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status}: ${response.text.slice(0, 500)}`);
  return response;
}

/** Runs `work(i)` for i in [0, count) with `concurrency` in flight. */
async function pool(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

function chargeFor(metricKey: string, index: number): Record<string, unknown> {
  const tiers = [
    { up_to: 100_000, unit_amount: '0.001' },
    { up_to: 1_000_000, unit_amount: '0.0005', flat_amount: '5' },
    { up_to: null, unit_amount: '0.0001' },
  ];
  switch (index % 4) {
    case 0:
      return { metric_key: metricKey, model: 'per_unit', properties: { unit_amount: '0.00025' } };
    case 1:
      return { metric_key: metricKey, model: 'tiered', properties: { tiers } };
    case 2:
      return { metric_key: metricKey, model: 'volume', properties: { tiers } };
    default:
      return { metric_key: metricKey, model: 'package', properties: { package_size: '1000', package_amount: '0.5', free_units: '10000' } };
  }
}

async function pricingLatency(api: Api, run: string, databaseUrl: string): Promise<void> {
  console.log(`\n1. pricing/calculate: ${CHARGES} charges, ${EVENTS.toLocaleString('en')} events in the month`);
  const metrics = Array.from({ length: CHARGES }, (_, index) => `bench_${run}_m${index}`);
  for (const key of metrics) await expectOk(api('POST', '/v1/metrics', { key, name: key, aggregation_type: 'sum', value_type: 'integer' }), 201, 'metric');
  const planId = `bench_${run}_plan20`;
  await expectOk(api('POST', '/v1/price-plans', { id: planId, currency: 'USD', charges: metrics.map(chargeFor) }), 201, 'plan');
  const customerId = `bench_${run}_big`;
  await expectOk(api('POST', '/v1/customers', { id: customerId, name: 'Big usage' }), 201, 'customer');
  const subscriptionId: string = (
    await expectOk(api('POST', '/v1/subscriptions', { customer_id: customerId, plan_id: planId, start_date: '2026-01-01T00:00:00Z' }), 201, 'subscription')
  ).body.id;

  const loadStarted = Date.now();
  const timestampOf = (i: number) => MARCH_START + Math.floor((i * 7919) % MARCH_MS);
  if (SEED === 'sql') {
    // The same events, written straight into the aggregation store (see bench/seed-usage.ts).
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      await ensureMarchPartition(sql);
      for (let from = 0; from < EVENTS; from += 1_000_000) {
        const to = Math.min(EVENTS, from + 1_000_000);
        await sql.query(`INSERT INTO aggregation.usage_event_keys (key) SELECT $1 || '-' || g FROM generate_series($2::bigint, $3::bigint - 1) g`, [
          run,
          from,
          to,
        ]);
        await sql.query(
          `INSERT INTO aggregation.events (seq, idempotency_key, customer_id, subscription_id, metric_key, value, ts)
           SELECT nextval('aggregation.event_seq'), $1 || '-' || g, $4, $5, $6 || (g % ${CHARGES}), (1 + g % 5)::text,
                  timestamptz '2026-03-01T00:00:00Z' + make_interval(secs => ((g * 7919) % ${MARCH_MS}) / 1000.0)
           FROM generate_series($2::bigint, $3::bigint - 1) g`,
          [run, from, to, customerId, subscriptionId, `bench_${run}_m`],
        );
        console.log(`   seeded ${to.toLocaleString('en')} events (SQL)`);
      }
      await rebuildSumBuckets(sql, customerId);
    } finally {
      await sql.end();
    }
  } else {
    const requests = Math.ceil(EVENTS / BACKFILL_SIZE);
    let done = 0;
    await pool(requests, 3, async (request) => {
      const parts: string[] = [];
      for (let i = request * BACKFILL_SIZE; i < Math.min(EVENTS, (request + 1) * BACKFILL_SIZE); i += 1) {
        parts.push(
          `{"customer_id":"${customerId}","subscription_id":"${subscriptionId}","metric_key":"${metrics[i % CHARGES]}","value":"${1 + (i % 5)}","timestamp":"${new Date(timestampOf(i)).toISOString()}","idempotency_key":"${run}-${i}"}`,
        );
      }
      const response = await expectOk(api('POST', '/v1/events/backfill', `{"events":[${parts.join(',')}]}`), 207, 'backfill');
      const refused = (response.body.results as Array<{ status: number }>).filter((result) => result.status !== 202).length;
      if (refused > 0) throw new Error(`backfill refused ${refused} events`);
      done += 1;
      if (done % Math.max(1, Math.floor(requests / 10)) === 0) console.log(`   loaded ${Math.min(EVENTS, done * BACKFILL_SIZE).toLocaleString('en')} events`);
    });
  }
  const loadMs = Date.now() - loadStarted;
  row(
    SEED === 'sql' ? 'events written (SQL, buckets rebuilt)' : 'events loaded (backfill through the gateway)',
    `${EVENTS.toLocaleString('en')}`,
    `${perSecond(EVENTS, loadMs).toLocaleString('en')} events/s`,
  );

  const body = { customer_id: customerId, subscription_id: subscriptionId, period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };
  const first = await expectOk(api('POST', '/v1/pricing/calculate', body), 201, 'calculate');
  const quantity = (first.body.line_items as Array<{ quantity: string }>).reduce((sum, item) => sum + Number(item.quantity), 0);
  const expectedUnits = Array.from({ length: EVENTS }, (_, i) => 1 + (i % 5)).reduce((a, b) => a + b, 0);
  if (quantity !== expectedUnits) throw new Error(`the calculation counted ${quantity} units, the events hold ${expectedUnits}`);
  for (let i = 0; i < 5; i += 1) await api('POST', '/v1/pricing/calculate', body); // warm-up
  const latencies: number[] = [];
  for (let i = 0; i < CALCULATIONS; i += 1) {
    const started = performance.now();
    await expectOk(api('POST', '/v1/pricing/calculate', body), 201, 'calculate');
    latencies.push(performance.now() - started);
  }
  const summary = summarize(latencies);
  row(`calculations (sequential), total ${first.body.total_amount} USD`, String(summary.count));
  row('p50', ms(summary.p50));
  row('p99', ms(summary.p99), `target ≤ 50 ms: ${summary.p99 <= 50 ? 'met' : 'NOT met'}`);
  row('max', ms(summary.max));
}

async function monthEnd(api: Api, run: string): Promise<void> {
  console.log(`\n2. month-end run: invoices for ${CUSTOMERS.toLocaleString('en')} customers, ${INVOICE_CONCURRENCY} in flight`);
  const metricKey = `bench_${run}_calls`;
  await expectOk(api('POST', '/v1/metrics', { key: metricKey, name: 'calls', aggregation_type: 'sum', value_type: 'integer' }), 201, 'metric');
  const planId = `bench_${run}_plan`;
  await expectOk(
    api('POST', '/v1/price-plans', {
      id: planId,
      currency: 'USD',
      charges: [
        { model: 'flat_fee', properties: { amount: '29' } },
        {
          metric_key: metricKey,
          model: 'tiered',
          properties: {
            tiers: [
              { up_to: 1000, unit_amount: '0.01' },
              { up_to: null, unit_amount: '0.005' },
            ],
          },
        },
      ],
    }),
    201,
    'plan',
  );
  const setupStarted = Date.now();
  const subscriptions: string[] = new Array(CUSTOMERS);
  const customerId = (index: number) => `bench_${run}_c${index}`;
  await pool(CUSTOMERS, 16, async (index) => {
    await expectOk(api('POST', '/v1/customers', { id: customerId(index), email: `c${index}@bench.test` }), 201, 'customer');
    subscriptions[index] = (
      await expectOk(
        api('POST', '/v1/subscriptions', { customer_id: customerId(index), plan_id: planId, start_date: '2026-02-01T00:00:00Z' }),
        201,
        'subscription',
      )
    ).body.id;
  });
  for (let offset = 0; offset < CUSTOMERS; offset += 500) {
    const events = subscriptions.slice(offset, offset + 500).map((subscriptionId, i) => ({
      customer_id: customerId(offset + i),
      subscription_id: subscriptionId,
      metric_key: metricKey,
      value: String(100 + ((offset + i) % 2000)),
      timestamp: '2026-03-15T12:00:00Z',
      idempotency_key: `${run}-usage-${offset + i}`,
    }));
    await expectOk(api('POST', '/v1/events/batch', { events }), 207, 'batch');
  }
  row('customers, subscriptions and usage set up in', `${((Date.now() - setupStarted) / 1000).toFixed(1)} s`);

  const latencies: number[] = [];
  const started = Date.now();
  await pool(CUSTOMERS, INVOICE_CONCURRENCY, async (index) => {
    const requestStarted = performance.now();
    await expectOk(api('POST', '/v1/invoices', { customer_id: customerId(index), cutoff_date: '2026-04-01T00:00:00Z' }), 201, 'invoice');
    latencies.push(performance.now() - requestStarted);
  });
  const elapsed = Date.now() - started;
  const summary = summarize(latencies);
  const rate = perSecond(CUSTOMERS, elapsed);
  row('invoices issued', String(CUSTOMERS), `${(elapsed / 1000).toFixed(1)} s`);
  row('throughput', `${rate} invoices/s`, `target ≥ 500/s: ${rate >= 500 ? 'met' : 'NOT met'}`);
  row('latency p50 / p99', `${ms(summary.p50)} / ${ms(summary.p99)}`);
  const listed = await expectOk(api('GET', '/v1/invoices?limit=1'), 200, 'list');
  row('last invoice number', String(listed.body.data[0]?.number));
}

/** Every query any pg client of this process sent (the embedded engine's included). */
let queriesSent = 0;
const queryCount = () => queriesSent;
/** BENCH_SQL_TALLY=1: statements counted by their first words too (printed for the run). */
const tally = process.env.BENCH_SQL_TALLY === '1' ? new Map<string, number>() : undefined;
const sendQuery = Client.prototype.query;
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  queriesSent += 1;
  if (tally) {
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').slice(0, 90);
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return (sendQuery as (...parameters: unknown[]) => unknown).apply(this, args);
} as typeof Client.prototype.query;

/**
 * BENCH_RUN_PROFILE=<file.cpuprofile>: a CPU profile of this process (the embedded engine) while
 * the run goes (summarise it with bench/cpu-profile-summary.ts).
 */
async function startProfile(): Promise<{ stop(): Promise<void> }> {
  const file = process.env.BENCH_RUN_PROFILE;
  if (!file) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((done, fail) => session.post(method, (error, result) => (error ? fail(error) : done(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** Polls `probe` every 100 ms until it answers true (or gives up after `timeoutMs`). */
async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function automaticRun(api: Api, run: string, databaseUrl: string): Promise<void> {
  console.log(`\n3. automatic month-end run: ${RUN_CUSTOMERS.toLocaleString('en')} customers on one test clock, a monthly cycle each`);
  const metricKey = `bench_${run}_run_calls`;
  await expectOk(api('POST', '/v1/metrics', { key: metricKey, name: 'calls', aggregation_type: 'sum', value_type: 'integer' }), 201, 'metric');
  const planId = `bench_${run}_monthly`;
  await expectOk(
    api('POST', '/v1/price-plans', {
      id: planId,
      currency: 'USD',
      billing_interval: 'month',
      charges: [
        { model: 'flat_fee', properties: { amount: '29' } },
        { metric_key: metricKey, model: 'per_unit', properties: { unit_amount: '0.01' } },
      ],
    }),
    201,
    'plan',
  );
  const clock = (await expectOk(api('POST', '/v1/test-clocks', { frozen_time: '2026-02-01T00:00:00Z', name: 'month-end bench' }), 201, 'clock')).body;
  const setupStarted = Date.now();
  const customerId = (index: number) => `bench_${run}_r${index}`;
  const subscriptions: string[] = new Array(RUN_CUSTOMERS);
  await pool(RUN_CUSTOMERS, 16, async (index) => {
    await expectOk(api('POST', '/v1/customers', { id: customerId(index), email: `r${index}@bench.test` }), 201, 'customer');
    subscriptions[index] = (
      await expectOk(
        api('POST', '/v1/subscriptions', { customer_id: customerId(index), plan_id: planId, start_date: '2026-02-01T00:00:00Z', test_clock: clock.id }),
        201,
        'subscription',
      )
    ).body.id;
  });
  const usage = (index: number) => 10 + (index % 90);
  for (let offset = 0; offset < RUN_CUSTOMERS; offset += 500) {
    const events = subscriptions.slice(offset, offset + 500).map((subscriptionId, i) => ({
      customer_id: customerId(offset + i),
      subscription_id: subscriptionId,
      metric_key: metricKey,
      value: String(usage(offset + i)),
      timestamp: '2026-02-15T12:00:00Z',
      idempotency_key: `${run}-run-${offset + i}`,
    }));
    await expectOk(api('POST', '/v1/events/batch', { events }), 207, 'batch');
  }
  // The last customer's usage aggregated (events are aggregated in order enough for a bench).
  const last = RUN_CUSTOMERS - 1;
  await waitFor('the usage to be aggregated', 300_000, async () => {
    const priced = await api('POST', '/v1/pricing/calculate', {
      customer_id: customerId(last),
      subscription_id: subscriptions[last],
      period_start: '2026-02-01T00:00:00Z',
      period_end: '2026-03-01T00:00:00Z',
    });
    return (
      priced.status === 201 &&
      priced.body.line_items.some(
        (item: { quantity: string; metric_key: string | null }) => item.metric_key === metricKey && Number(item.quantity) === usage(last),
      )
    );
  });
  // A first small step (nothing due): the schedule has caught up with the catalog before timing.
  const advance = async (to: string) => {
    for (;;) {
      const answer = await api('POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: to });
      if (answer.status === 200) return;
      if (answer.status !== 503) throw new Error(`advance: ${answer.status}: ${answer.text.slice(0, 500)}`);
    }
  };
  const ready = async () => (await expectOk(api('GET', `/v1/test-clocks/${clock.id}`), 200, 'clock')).body.status === 'ready';
  await advance('2026-02-02T00:00:00Z');
  await waitFor('the clock', 60_000, ready);
  row('customers, subscriptions and usage set up in', `${((Date.now() - setupStarted) / 1000).toFixed(1)} s`);

  const queriesBefore = queryCount();
  tally?.clear();
  const profile = await startProfile();
  const started = Date.now();
  await advance('2026-03-01T01:00:00Z'); // past Mar 1 plus the default hour of grace
  await waitFor('the billing run', 3_600_000, ready);
  const elapsed = Date.now() - started;
  await profile.stop();
  if (tally) for (const [text, count] of [...tally].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`   ${String(count).padStart(7)}  ${text}`);
  const queries = queryCount() - queriesBefore;

  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT count(*)::int AS invoices, count(DISTINCT customer_id)::int AS customers, count(DISTINCT sequence)::int AS numbers,
              max(sequence)::int AS last, min(sequence)::int AS first
       FROM invoicing.invoices WHERE customer_id LIKE $1`,
      [`bench_${run}_r%`],
    );
    const all = (await db.query('SELECT count(*)::int AS invoices, max(sequence)::int AS last FROM invoicing.invoices')).rows[0];
    const failures = (await api('GET', `/v1/billing-runs?test_clock=${clock.id}&limit=100`)).body.data.flatMap(
      (entry: { failures: unknown[] }) => entry.failures,
    );
    const result = rows[0];
    const rate = perSecond(result.invoices, elapsed);
    row('invoices issued by the run', String(result.invoices), `${(elapsed / 1000).toFixed(1)} s`);
    row('throughput', `${rate} invoices/s`, `target ≥ 500/s: ${rate >= 500 ? 'met' : 'NOT met'}`);
    row('SQL statements per invoice (whole engine, run only)', (queries / Math.max(1, result.invoices)).toFixed(1));
    const oneEach = result.invoices === RUN_CUSTOMERS && result.customers === RUN_CUSTOMERS;
    const gapless = all.last === all.invoices && result.numbers === result.invoices && result.last - result.first + 1 === result.invoices;
    row('one invoice per customer', oneEach ? 'yes' : 'NO', `failures recorded: ${failures.length}`);
    row('numbers gapless', gapless ? 'yes' : 'NO', `last number ${all.last}, ${all.invoices} invoices in all`);
    if (!oneEach || !gapless || failures.length > 0) throw new Error('the automatic run broke an invariant');
  } finally {
    await db.end();
  }
}

interface RunningEngine {
  url: string;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..');
const PROCESSES = [
  ['catalog', 'apps/catalog/src/main.ts'],
  ['ingestion', 'apps/ingestion/src/main.ts'],
  ['aggregation', 'apps/aggregation/src/main.ts'],
  ['pricing', 'apps/pricing/src/main.ts'],
  ['invoicing', 'apps/invoicing/src/main.ts'],
  ['api-gateway', 'apps/api-gateway/src/main.ts'],
] as const;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

/** The distributed mode: each service and the gateway in its own Node process. */
async function startProcesses(env: Record<string, string>): Promise<RunningEngine> {
  const ports = Object.fromEntries(await Promise.all(PROCESSES.map(async ([name]) => [name, await freePort()] as const)));
  const urls = Object.fromEntries(PROCESSES.map(([name]) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[name]}`]));
  // The secret the gateway and the services share (distributed mode requires one).
  const internalToken = randomBytes(32).toString('hex');
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map((child) => new Promise<void>((done) => (child.exitCode !== null ? done() : (child.once('exit', () => done()), child.kill('SIGTERM'))))),
    );
  };
  try {
    for (const [name, main] of PROCESSES) {
      const child = fork(join(ROOT, main), [], {
        execArgv: ['-r', join(ROOT, 'scripts/register-typescript.js')],
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: {
          PATH: process.env.PATH ?? '',
          ABAXUS_LOG_LEVEL: 'warn',
          HOST: '127.0.0.1',
          PORT: String(ports[name]),
          ABAXUS_INTERNAL_TOKEN: internalToken,
          ...env,
          ...urls,
        },
      });
      children.push(child);
      const url = `http://127.0.0.1:${ports[name]}/health/live`;
      for (let waited = 0; ; waited += 200) {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
        if (
          await fetch(url)
            .then((response) => response.ok)
            .catch(() => false)
        )
          break;
        if (waited > 120_000) throw new Error(`${name} did not start`);
        await new Promise((done) => setTimeout(done, 200));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${ports['api-gateway']}`, stop };
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    ABAXUS_TOPIC_PREFIX: `bench${randomBytes(3).toString('hex')}.`,
    ABAXUS_DB_POOL_SIZE: process.env.ABAXUS_DB_POOL_SIZE ?? '16',
    ...(process.env.KAFKA_BROKERS ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS } : {}),
  };
  const distributed = process.env.BENCH_TOPOLOGY === 'processes';
  if (distributed && !process.env.KAFKA_BROKERS) throw new Error('BENCH_TOPOLOGY=processes needs KAFKA_BROKERS');
  const engine: RunningEngine = distributed ? await startProcesses(env) : await startEngine(loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env }));
  console.log(
    `${distributed ? 'one process per service' : 'embedded engine (one process)'} on ${process.env.KAFKA_BROKERS ? 'the Kafka bus' : 'the embedded bus'}, database ${database.url.replace(/^.*\//, '')}`,
  );
  const run = randomBytes(3).toString('hex');
  try {
    const api = client(engine.url);
    if (process.env.BENCH_SKIP_PRICING !== '1') await pricingLatency(api, run, database.url);
    if (process.env.BENCH_SKIP_INVOICES !== '1') await monthEnd(api, run);
    if (process.env.BENCH_SKIP_RUN !== '1') await automaticRun(api, run, database.url);
  } finally {
    await engine.stop();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
