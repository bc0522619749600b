import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

export interface WorkerProcess {
  url: string;
  child: ChildProcess;
  /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the aggregation service in a child process (see aggregation-worker.ts) and waits for its URL. */
export function startAggregationWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = fork(join(__dirname, 'aggregation-worker.ts'), [], {
    execArgv: ['-r', join(__dirname, '..', '..', '..', '..', '..', 'scripts', 'register-typescript.js')],
    env: { PATH: process.env.PATH ?? '', ABAXUS_LOG_LEVEL: 'warn', ...env },
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
    child.once('exit', (code) => reject(new Error(`the aggregation worker exited with ${code} before it was ready`)));
  });
}
