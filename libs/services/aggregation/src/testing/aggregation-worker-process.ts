import { join } from 'node:path';
import { ServiceWorkerProcess, startServiceWorker } from '@abaxus/platform/testing/service-worker-process';

export type WorkerProcess = ServiceWorkerProcess;

/** Starts the aggregation service in a child process (see aggregation-worker.ts) and waits for its URL. */
export function startAggregationWorker(env: Record<string, string>): Promise<WorkerProcess> {
  return startServiceWorker(join(__dirname, 'aggregation-worker.ts'), env);
}
