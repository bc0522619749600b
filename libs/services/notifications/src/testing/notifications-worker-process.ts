import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

export interface NotificationsWorker {
  url: string;
  child: ChildProcess;
  /** SIGKILL: no shutdown hook runs; claims, batches and requests in flight are simply gone. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts testing/notifications-worker.ts in a child process and waits for its URL. */
export function startNotificationsWorker(env: Record<string, string>): Promise<NotificationsWorker> {
  const child = fork(join(__dirname, 'notifications-worker.ts'), [], {
    execArgv: ['-r', join(__dirname, '..', '..', '..', '..', '..', 'scripts', 'register-typescript.js')],
    env: { PATH: process.env.PATH ?? '', ABAXUS_LOG_LEVEL: 'error', ...env },
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
    child.once('exit', (code) => reject(new Error(`the notifications worker exited with ${code} before it was ready`)));
  });
}
