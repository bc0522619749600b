/*
 * `npm run bench:cli-import`: the CLI's import rate (`abaxus events import`, NDJSON through the batch
 * endpoint) beside the batch endpoint's raw rate, against one engine process as `npm start` runs it
 * (embedded bus), then the same import SIGKILLed half-way and resumed. Every phase ends when
 * `POST /v1/usage/compute` counts every event, and fails unless the totals are exact. Not run in CI.
 *
 * Environment: DATABASE_URL (server; a fresh database is created and dropped), BENCH_EVENTS
 * (default 1,000,000 lines per phase), BENCH_CUSTOMERS (100), BENCH_CONCURRENCY (4 batches in flight,
 * for the raw phase and the CLI alike), BENCH_RESUME (1: run the interrupted-and-resumed phase).
 */
import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { AbaxusClient } from '@abaxus/sdk';
import { perSecond, row } from './bench-stats';

const root = resolve(__dirname, '..');

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

const settings = {
  serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  events: intEnv('BENCH_EVENTS', 1_000_000),
  customers: intEnv('BENCH_CUSTOMERS', 100),
  concurrency: intEnv('BENCH_CONCURRENCY', 4),
  resume: intEnv('BENCH_RESUME', 1) === 1,
};
const BATCH = 500;
const run = randomBytes(4).toString('hex');
// Near-real-time timestamps over the last hour, as the ingestion benchmark sends.
const base = Date.now() - 3_700_000;
const customer = (i: number) => `bench_cust_${i % settings.customers}`;
const eventJson = (metric: string, i: number, withKey = true) =>
  `{"customer_id":"${customer(i)}","metric_key":"${metric}","value":"1","timestamp":"${new Date(base + (i % 3_600_000)).toISOString()}"${withKey ? `,"idempotency_key":"${metric}-${run}-${i}"` : ''}}`;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The engine as `npm start` runs it (the built dist/apps/engine), on the given database, embedded bus. */
async function startEngine(databaseUrl: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = fork(join(root, 'dist/apps/engine/src/main.js'), [], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, PORT: String(port), ABAXUS_LOG_LEVEL: 'warn', ABAXUS_STRONG_READ_TIMEOUT_MS: '600000' },
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the engine exited with ${child.exitCode}`);
    if ((await fetch(`${url}/health/ready`).catch(() => undefined))?.ok) break;
    if (Date.now() > deadline) throw new Error('the engine was not ready within 120 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

/** `abaxus events import <file>` from the built CLI, through its `bin` launcher. */
function startImport(engineUrl: string, file: string): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string }> } {
  const child = fork(join(root, 'apps/cli/bin/abaxus.js'), ['events', 'import', file, '--concurrency', String(settings.concurrency), '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { PATH: process.env.PATH ?? '', ABAXUS_URL: engineUrl },
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  return { child, done: new Promise((resolveDone) => child.once('close', (code, signal) => resolveDone({ code, signal, stdout }))) };
}

/** Writes `count` lines of `metric`; every third line without an idempotency_key (the CLI gives it one). */
async function writeUsageFile(path: string, metric: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk: string[] = [];
  for (let i = 0; i < count; i++) {
    chunk.push(eventJson(metric, i, i % 3 !== 0));
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  if (chunk.length) out.write(`${chunk.join('\n')}\n`);
  await new Promise<void>((resolveEnd, reject) => {
    out.once('error', reject);
    out.end(() => resolveEnd());
  });
}

async function main(): Promise<void> {
  console.log('building (npm run build)…');
  execFileSync(process.execPath, [join(root, 'scripts/build.js')], { cwd: root, stdio: 'inherit' });
  const databaseName = `abaxus_bench_cli_${run}`;
  const admin = new Client({ connectionString: settings.serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const dbUrl = new URL(settings.serverUrl);
  dbUrl.pathname = `/${databaseName}`;
  const dir = mkdtempSync(join(tmpdir(), 'abaxus-bench-cli-'));
  console.log(
    `ABAXUS CLI import benchmark: ${settings.events.toLocaleString('en')} events per phase, ${settings.customers} customers, ${settings.concurrency} batches in flight; database ${databaseName}`,
  );
  const engine = await startEngine(dbUrl.toString());
  const abaxus = new AbaxusClient({ baseUrl: engine.url, timeoutMs: 600_000 });

  /** Waits (compute is read-your-writes) and checks that the customers' totals add up to `expected`. */
  const exactTotal = async (metric: string, expected: number): Promise<number> => {
    const period = { period_start: new Date(Date.now() - 3 * 3_600_000).toISOString(), period_end: new Date(Date.now() + 60_000).toISOString() };
    await abaxus.usage.compute({ customer_id: customer(0), metric_key: metric, ...period });
    const doneAt = performance.now();
    let total = 0n;
    for (let c = 0; c < settings.customers; c++)
      total += BigInt((await abaxus.usage.compute({ customer_id: customer(c), metric_key: metric, ...period })).value ?? '0');
    if (total !== BigInt(expected)) throw new Error(`counted ${total} events of ${metric}, expected ${expected}: NOT exact`);
    return doneAt;
  };

  try {
    const metrics = { raw: 'bench_raw', cli: 'bench_cli', resume: 'bench_cli_resume' };
    for (const key of Object.values(metrics)) await abaxus.metrics.create({ key, aggregation_type: 'sum', value_type: 'integer' });
    for (let c = 0; c < settings.customers; c++) await abaxus.customers.create({ id: customer(c) });

    // 1. The batch endpoint's raw rate: 500 events per request, straight from memory.
    console.log(`\n[1/3] POST /v1/events/batch (${BATCH} per request, ${settings.concurrency} in flight), until compute counts them all`);
    const rawStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: settings.concurrency }, async () => {
        for (let from = next; from < settings.events; from = next) {
          next += BATCH;
          const events: string[] = [];
          for (let i = from; i < Math.min(from + BATCH, settings.events); i++) events.push(eventJson(metrics.raw, i));
          const results = await abaxus.events.sendBatchJson(events);
          if (results.some((result) => result.status !== 202)) throw new Error(`batch refused: ${JSON.stringify(results.find((r) => r.status !== 202))}`);
        }
      }),
    );
    const rawAnswered = performance.now();
    const rawDone = await exactTotal(metrics.raw, settings.events);

    // 2. The CLI importing a file of the same events.
    console.log(`[2/3] abaxus events import (${settings.events.toLocaleString('en')}-line NDJSON), until compute counts them all`);
    const file = join(dir, 'usage.ndjson');
    await writeUsageFile(file, metrics.cli, settings.events);
    const fileMiB = statSync(file).size / 1024 / 1024;
    const cliStart = performance.now();
    const imported = await startImport(engine.url, file).done;
    const cliExited = performance.now();
    if (imported.code !== 0) throw new Error(`abaxus events import exited with ${imported.code}`);
    const cliSummary = JSON.parse(imported.stdout) as { accepted: number; events_per_second: number };
    if (cliSummary.accepted !== settings.events) throw new Error(`the CLI reported ${cliSummary.accepted} accepted`);
    const cliDone = await exactTotal(metrics.cli, settings.events);

    // 3. The same import SIGKILLed half-way, then resumed.
    let resumeFigures: { killedAtLine: number; total: number; resumed: number } | undefined;
    if (settings.resume) {
      console.log('[3/3] the same import SIGKILLed half-way, resumed, totals checked');
      const resumeFile = join(dir, 'resume.ndjson');
      await writeUsageFile(resumeFile, metrics.resume, settings.events);
      const resumeStart = performance.now();
      const first = startImport(engine.url, resumeFile);
      const progressLine = () => {
        try {
          return (JSON.parse(readFileSync(`${resumeFile}.abaxus-progress`, 'utf8')) as { line: number }).line;
        } catch {
          return 0; // not written yet
        }
      };
      for (;;) {
        await new Promise((r) => setTimeout(r, 50));
        if (progressLine() > settings.events / 2) break;
        if (first.child.exitCode !== null) throw new Error('the import ended before it could be interrupted');
      }
      first.child.kill('SIGKILL');
      await first.done;
      const killedAtLine = progressLine();
      const resumedRun = await startImport(engine.url, resumeFile).done;
      if (resumedRun.code !== 0) throw new Error(`the resumed import exited with ${resumedRun.code}`);
      const resumedSummary = JSON.parse(resumedRun.stdout) as { handled_this_run: number };
      const resumeDone = await exactTotal(metrics.resume, settings.events);
      resumeFigures = { killedAtLine, total: perSecond(settings.events, resumeDone - resumeStart), resumed: resumedSummary.handled_this_run };
    }

    const rawRate = perSecond(settings.events, rawDone - rawStart);
    const cliRate = perSecond(settings.events, cliDone - cliStart);
    console.log('\nResults');
    row('batch endpoint, raw (first send → compute exact)', `${rawRate.toLocaleString('en')} ev/s`);
    row('  of which answered (207s)', `${perSecond(settings.events, rawAnswered - rawStart).toLocaleString('en')} ev/s`);
    row(`CLI import, ${fileMiB.toFixed(0)} MiB NDJSON (start → compute exact)`, `${cliRate.toLocaleString('en')} ev/s`);
    row('  of which until the CLI exited', `${perSecond(settings.events, cliExited - cliStart).toLocaleString('en')} ev/s`);
    row('  as the CLI reports it', `${cliSummary.events_per_second.toLocaleString('en')} ev/s`);
    row('ratio CLI / raw batch endpoint', (cliRate / rawRate).toFixed(2));
    if (resumeFigures) {
      row(
        `CLI SIGKILLed at line ${resumeFigures.killedAtLine.toLocaleString('en')}, resumed (${resumeFigures.resumed.toLocaleString('en')} lines)`,
        'totals exact',
      );
      row('  interrupted + resumed, start → compute exact', `${resumeFigures.total.toLocaleString('en')} ev/s`);
    }
    row('exactness', 'every phase counted exactly');
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
    const cleanup = new Client({ connectionString: settings.serverUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await cleanup.end();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
