import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', '..', '..', 'deploy', 'kafka', 'kafka.sh');

export interface PrivateBrokerOptions {
  /** Extra listeners, e.g. `SSL://127.0.0.1:<port>` (see deploy/kafka/kafka.sh). */
  extraListeners?: string[];
  /** A file of extra broker properties. */
  extraConfigFile?: string;
  /** SCRAM users created at format time: `SCRAM-SHA-256=[name=alice,password=secret]`. */
  scramUsers?: string[];
}

export interface PrivateBroker {
  /** The PLAINTEXT listener, host:port. */
  brokers: string;
  runDir: string;
  /** deploy/kafka/kafka.sh start (again): resolves once the broker answers; keeps its data. */
  start(): void;
  /** deploy/kafka/kafka.sh stop: controlled shutdown. */
  stop(): void;
  /** Stops it and deletes its data. */
  destroy(): void;
}

/** A free loopback port (free when asked; the broker binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A broker of the test's own (deploy/kafka/kafka.sh with its own run and data dirs and ports), for
 * tests that stop it, or that need listeners the shared test broker lacks. Not the shared one:
 * stopping that would break every other suite.
 */
export async function startPrivateBroker(options: PrivateBrokerOptions = {}): Promise<PrivateBroker> {
  const runDir = mkdtempSync(join(tmpdir(), 'abaxus-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    KAFKA_RUN_DIR: runDir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
    KAFKA_STOP_TIMEOUT: '10',
    KAFKA_EXTRA_LISTENERS: (options.extraListeners ?? []).join(','),
    KAFKA_EXTRA_CONFIG: options.extraConfigFile ?? '',
    KAFKA_SCRAM_USERS: (options.scramUsers ?? []).join(' '),
  };
  const run = (command: string) => {
    const result = spawnSync('bash', [SCRIPT, command], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`kafka.sh ${command} failed (${result.status}): ${result.stderr.slice(-3000)}`);
  };
  run('start');
  return {
    brokers: `127.0.0.1:${port}`,
    runDir,
    start: () => run('start'),
    stop: () => run('stop'),
    destroy: () => {
      run('stop');
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
