import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { settlesWithin } from '../time/settles-within';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which starts PostgreSQL.');
  return url;
}

/** How long a suite's teardown waits for its DROP DATABASE; a slower one finishes on its own. */
const DROP_WAIT_MS = 3_000;
let slowDropReported = false;

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
  return { url: url.toString(), drop: () => dropDatabase(name) };
}

/**
 * DROP DATABASE waits for a checkpoint and for every backend of the server to acknowledge it. Late
 * in a long CI run on PostgreSQL 18 that has been seen never to come (drops waiting on
 * IPC:CheckpointStart behind a checkpointer that did not start), and every later drop with it.
 * A suite is judged by its tests: teardown waits a few seconds, then leaves the drop running on
 * its own connection (it completes if the server catches up; the test server goes at the end).
 */
export async function dropDatabase(name: string, server: string = serverUrl()): Promise<void> {
  const client = new Client({ connectionString: server });
  await client.connect();
  client.on('error', () => undefined);
  const dropped = client
    .query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    .catch((error: Error) => console.warn(`test database ${name} was not dropped: ${error.message}`));
  if (await settlesWithin(dropped, DROP_WAIT_MS)) {
    await client.end().catch(() => undefined);
    return;
  }
  // Left running; its socket must not keep the test process alive.
  (client as unknown as { connection: { stream: { unref(): void } } }).connection.stream.unref();
  void dropped.then(() => client.end().catch(() => undefined));
  if (!slowDropReported) {
    slowDropReported = true;
    console.warn(`test database ${name}: DROP DATABASE did not finish within ${DROP_WAIT_MS} ms; left running. ${await busyBackends(server)}`);
  }
}

/** What the server is doing, for the warning (once per process). */
async function busyBackends(server: string): Promise<string> {
  const client = new Client({ connectionString: server });
  try {
    await client.connect();
    const { rows } = await client.query<{ line: string }>(
      `SELECT concat_ws(' ', pid, coalesce(datname, backend_type), state, wait_event_type || ':' || wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 100)) AS line
         FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND (state IS DISTINCT FROM 'idle' OR wait_event IS DISTINCT FROM 'ClientRead')`,
    );
    return `Busy backends:\n${rows.map((row) => `  ${row.line}`).join('\n')}`;
  } catch (error) {
    return `(pg_stat_activity could not be read: ${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
