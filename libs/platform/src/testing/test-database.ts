import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which starts PostgreSQL.');
  return url;
}

/** How long a DROP DATABASE may wait before the backends that hold it up are named and stopped. */
const DROP_PATIENCE_MS = 10_000;
/** How long a DROP DATABASE may take at all; once one did not finish, later ones get less. */
const DROP_TIMEOUT_MS = 20_000;
const STALLED_DROP_TIMEOUT_MS = 3_000;
let dropsHaveStalled = false;

/** A fresh database per suite on the test server, so suites running in parallel never meet. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `abaxus_test_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: serverUrl() });
      await client.connect();
      const watchdog = setTimeout(() => void releaseStuckBackends(name), DROP_PATIENCE_MS);
      try {
        // Bounded: a suite is judged by its tests; a database left behind goes with the test server.
        await client.query(`SET statement_timeout = ${dropsHaveStalled ? STALLED_DROP_TIMEOUT_MS : DROP_TIMEOUT_MS}`);
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch (error) {
        dropsHaveStalled = true;
        console.warn(`test database ${name} was not dropped (left behind): ${(error as Error).message}`);
      } finally {
        clearTimeout(watchdog);
        await client.end();
      }
    },
  };
}

/**
 * DROP DATABASE waits until every backend of the whole server has acknowledged it (a
 * ProcSignalBarrier). A backend blocked writing to a client that no longer reads its socket
 * (a stalled or stopped process, wait event ClientWrite) never does, and every later DROP in the
 * run would hang behind it. Such backends are named, with the process at the other end when it
 * can be found, and terminated: their client is gone in all but name.
 */
async function releaseStuckBackends(dropping: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl() });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number; datname: string; application_name: string; client_port: number; query: string }>(
      `SELECT pid, datname, application_name, client_port, left(query, 120) AS query
         FROM pg_stat_activity
        WHERE wait_event = 'ClientWrite' AND pid <> pg_backend_pid() AND datname IS DISTINCT FROM $1`,
      [dropping],
    );
    const others = await client.query<{ pid: number; datname: string; application_name: string; state: string; wait: string; query: string }>(
      `SELECT pid, datname, application_name, state, concat(wait_event_type, ':', wait_event) AS wait, left(query, 100) AS query
         FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND (state IS DISTINCT FROM 'idle' OR wait_event IS DISTINCT FROM 'ClientRead')`,
    );
    console.warn(
      `dropping ${dropping} is taking over ${DROP_PATIENCE_MS} ms; busy backends:\n${others.rows
        .map((row) => `  ${row.pid} ${row.datname ?? '-'} ${row.application_name || '-'} ${row.state ?? '-'} ${row.wait} ${row.query.replace(/\s+/g, ' ')}`)
        .join('\n')}`,
    );
    for (const row of rows) {
      const peer = await processAtPort(row.client_port);
      console.warn(
        `dropping ${dropping}: backend ${row.pid} of ${row.datname} (${row.application_name}) is blocked writing to a client that does not read` +
          ` (${peer}; last query: ${row.query}); terminating it`,
      );
      await client.query('SELECT pg_terminate_backend($1)', [row.pid]);
    }
  } catch (error) {
    console.warn(`dropping ${dropping}: could not look for stuck backends: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The process holding a local TCP port (`ss`), for the warning; unknown when ss cannot tell. */
async function processAtPort(port: number): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('ss', ['-tnpH', `sport = :${port}`], { timeout: 2_000 });
    const pid = /pid=(\d+)/.exec(stdout)?.[1];
    if (!pid) return `client port ${port}`;
    const { stdout: command } = await promisify(execFile)('ps', ['-o', 'stat=,args=', '-p', pid], { timeout: 2_000 });
    return `client pid ${pid}: ${command.trim().slice(0, 200)}`;
  } catch {
    return `client port ${port}`;
  }
}
