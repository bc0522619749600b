import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');

let built = false;

/**
 * What `npm start` and the images run: the build in dist/ (plain JavaScript), not the TypeScript
 * sources through a transpiler (which alone holds about 50 MiB of every process). Built once per run.
 */
function builtMain(main: string): string {
  if (!built) {
    execFileSync(process.execPath, [join(root, 'scripts/build.js')], { cwd: root, stdio: 'inherit' });
    built = true;
  }
  return join(root, 'dist', main.replace(/\.ts$/, '.js'));
}

export interface RunningServices {
  gatewayUrl: string;
  urls: Record<string, string>;
  /** The shared secret of the service ports (to call a service directly, past the gateway). */
  internalToken: string;
  /** Each process's id, by service name (for its peak memory). */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

const SERVICES = [
  { name: 'catalog', main: 'apps/catalog/src/main.ts' },
  { name: 'ingestion', main: 'apps/ingestion/src/main.ts' },
  { name: 'aggregation', main: 'apps/aggregation/src/main.ts' },
  { name: 'api-gateway', main: 'apps/api-gateway/src/main.ts' },
] as const;

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

async function waitLive(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/health/live`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start within 120 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The distributed topology on this machine: catalog, ingestion, aggregation and the gateway each in
 * its own process (as in docker-compose), against the given PostgreSQL database and Kafka broker.
 */
export async function startServices(env: {
  databaseUrl: string;
  kafkaBrokers: string;
  topicPrefix: string;
  extra?: Record<string, string>;
}): Promise<RunningServices> {
  const ports = { catalog: await freePort(), ingestion: await freePort(), aggregation: await freePort(), 'api-gateway': await freePort() };
  const urls = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`]));
  // The secret the gateway and the services share (distributed mode requires one).
  const internalToken = randomBytes(32).toString('hex');
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
  };
  try {
    for (const service of SERVICES) {
      const child = fork(builtMain(service.main), [], {
        // BENCH_CPU_PROF=<dir>: each service writes a V8 CPU profile there when it stops.
        execArgv: [
          ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${service.name}.cpuprofile`] : []),
        ],
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: {
          PATH: process.env.PATH ?? '',
          ABAXUS_LOG_LEVEL: 'warn',
          HOST: '127.0.0.1',
          PORT: String(ports[service.name]),
          DATABASE_URL: env.databaseUrl,
          KAFKA_BROKERS: env.kafkaBrokers,
          ABAXUS_TOPIC_PREFIX: env.topicPrefix,
          ABAXUS_INTERNAL_TOKEN: internalToken,
          CATALOG_URL: urls.catalog,
          INGESTION_URL: urls.ingestion,
          AGGREGATION_URL: urls.aggregation,
          ...env.extra,
        },
      });
      children.push(child);
      await waitLive(urls[service.name], child, service.name);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const pids = Object.fromEntries(SERVICES.map((service, i) => [service.name, children[i].pid ?? 0]));
  return { gatewayUrl: urls['api-gateway'], urls, internalToken, pids, stop };
}

/** `npm start`'s engine (every service and the gateway in one process, the embedded bus in PostgreSQL). */
export async function startEmbeddedEngine(env: { databaseUrl: string; extra?: Record<string, string> }): Promise<RunningServices> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = fork(builtMain('apps/engine/src/main.ts'), [], {
    execArgv: [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, '--cpu-prof-name=engine.cpuprofile'] : []),
      ...(process.env.BENCH_ENGINE_NODE_ARGS ? process.env.BENCH_ENGINE_NODE_ARGS.split(' ') : []),
    ],
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { PATH: process.env.PATH ?? '', ABAXUS_LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: env.databaseUrl, ...env.extra },
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  try {
    await waitLive(url, child, 'engine');
  } catch (error) {
    await stop();
    throw error;
  }
  return { gatewayUrl: url, urls: { 'api-gateway': url }, internalToken: '', pids: { engine: child.pid ?? 0 }, stop };
}
