import { join } from 'node:path';
import { ServiceWorkerProcess, startServiceWorker } from '@abaxus/platform/testing/service-worker-process';

export type NotificationsWorker = ServiceWorkerProcess;

/** Starts the notifications service in a child process (see notifications-worker.ts) and waits for its URL. */
export function startNotificationsWorker(env: Record<string, string>): Promise<NotificationsWorker> {
  return startServiceWorker(join(__dirname, 'notifications-worker.ts'), env, 'error');
}
