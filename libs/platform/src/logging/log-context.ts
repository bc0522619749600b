import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written inside a unit of work carries, without passing it around. */
export interface LogContext {
  /** The service whose code runs (several share one process in the embedded engine). */
  service?: string;
  /** The request being handled, or the one that produced the message being consumed. */
  requestId?: string;
  /** A consumed batch that came from several requests. */
  requestIds?: string[];
}

const storage = new AsyncLocalStorage<LogContext>();

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** Runs `work` (and everything it starts) with the current context extended by `context`. */
export function runInLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, work);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** For clients and connections made once and then shared: their later lines belong to no request. */
export function outsideRequest<T>(work: () => T): T {
  return runInLogContext({ requestId: undefined, requestIds: undefined }, work);
}
