import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import { loadConfig } from '../config/abaxus-config';
import { ServiceDirectory } from '../service/service-directory';
import type { ServiceRuntime } from '../service/service-runtime';
import { startHttpApp } from '../service/start-service-app';

/** One service alone in a child process (crash tests, benches): SIGKILL it, stop it, call it. */
export interface ServiceWorkerProcess {
  url: string;
  child: ChildProcess;
  /** SIGKILL: no shutdown hook runs; nothing in flight is flushed, committed or released. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `script` (a TypeScript file that calls `runServiceWorker`) in a child process with only
 * `env` (and PATH) as its environment, and waits for the URL it reports.
 */
export function startServiceWorker(script: string, env: Record<string, string>, logLevel = 'warn'): Promise<ServiceWorkerProcess> {
  const child = fork(script, [], {
    execArgv: ['-r', join(__dirname, '..', '..', '..', '..', 'scripts', 'register-typescript.js')],
    env: { PATH: process.env.PATH ?? '', ABAXUS_LOG_LEVEL: logLevel, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.once('message', (message: { url?: string }) => {
      if (message.url) resolve({ url: message.url, child, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}

/**
 * The body of a worker script: the service configured from the environment (DATABASE_URL,
 * KAFKA_BROKERS or none for the embedded bus, ABAXUS_TOPIC_PREFIX, the *_URL of the services it
 * calls), listening on a free loopback port that it reports to the parent over IPC. A "stop"
 * message closes the app and exits normally (lets --cpu-prof write its profile).
 */
export function runServiceWorker(module: (runtime: ServiceRuntime) => DynamicModule): void {
  const main = async () => {
    const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
    if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
    const runtime = { config, databaseUrl: config.databaseUrl, directory: new ServiceDirectory(config.serviceUrls) };
    const { app, url } = await startHttpApp(module(runtime), { port: 0, host: '127.0.0.1' });
    app.enableShutdownHooks();
    process.on('message', (message) => {
      if (message === 'stop') void app.close().then(() => process.exit(0));
    });
    process.send?.({ url });
  };
  main().catch((error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  });
}
