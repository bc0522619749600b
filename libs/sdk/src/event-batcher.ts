import type { EventInput, EventItemResult, UsageEvent } from './types';

export interface EventBatcherOptions {
  /** Events per request, 1–500 (the batch endpoint's limit). Default 500. */
  maxBatchSize?: number;
  /** How long a queued event may wait for others before its batch leaves. Default 200 ms. */
  flushIntervalMs?: number;
  /** Batches in flight at once; further batches wait for one to finish. Default 2. */
  maxConcurrentBatches?: number;
}

/** The engine's answer for one event: `202` accepted (or a duplicate skipped), or `400` with its problem. */
export type EventResult = Omit<EventItemResult, 'index' | 'idempotency_key'> & { idempotency_key: string };

interface Queued {
  event: UsageEvent;
  resolve: (result: EventResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Sends single events in batches: `add` queues an event and resolves with its own result from the
 * batch's `207` once its batch is answered. A batch leaves when it holds `maxBatchSize` events or
 * when its oldest event has waited `flushIntervalMs`. Each event gets its `idempotency_key` (a fresh
 * one when it has none) before it is queued, so the client's retries of a batch never count twice.
 * Call `close()` (or `flush()`) before exiting so the last events leave.
 */
export class EventBatcher {
  private readonly maxBatchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxConcurrentBatches: number;
  private queue: Queued[] = [];
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Set when the oldest queued event has waited long enough (or `flush` was called). */
  private due = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly sendBatch: (events: UsageEvent[]) => Promise<EventItemResult[]>,
    options: EventBatcherOptions = {},
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxConcurrentBatches = options.maxConcurrentBatches ?? 2;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1 || this.maxBatchSize > 500)
      throw new RangeError('maxBatchSize must be an integer from 1 to 500');
    if (!(this.flushIntervalMs >= 0)) throw new RangeError('flushIntervalMs must be 0 or more');
    if (!Number.isInteger(this.maxConcurrentBatches) || this.maxConcurrentBatches < 1) throw new RangeError('maxConcurrentBatches must be a positive integer');
  }

  /** Events queued, not yet sent. */
  get queued(): number {
    return this.queue.length;
  }

  add(event: EventInput): Promise<EventResult> {
    if (this.closed) return Promise.reject(new Error('EventBatcher is closed'));
    const keyed: UsageEvent =
      event.idempotency_key === undefined ? { ...event, idempotency_key: `evt_${globalThis.crypto.randomUUID()}` } : (event as UsageEvent);
    return new Promise<EventResult>((resolve, reject) => {
      this.queue.push({ event: keyed, resolve, reject });
      this.pump();
    });
  }

  /** Sends everything queued now and resolves once every batch sent so far is answered. */
  flush(): Promise<void> {
    this.due = true;
    this.pump();
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Flushes, then refuses further events. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    this.disarm();
  }

  private pump(): void {
    while (this.inFlight < this.maxConcurrentBatches && (this.queue.length >= this.maxBatchSize || (this.due && this.queue.length > 0))) {
      this.dispatch(this.queue.splice(0, this.maxBatchSize));
    }
    if (this.queue.length === 0) {
      this.due = false;
      this.disarm();
      if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    } else if (!this.due && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.due = true;
        this.pump();
      }, this.flushIntervalMs);
    }
  }

  private dispatch(batch: Queued[]): void {
    this.inFlight += 1;
    this.sendBatch(batch.map((item) => item.event))
      .then(
        (results) => {
          batch.forEach((item, index) => {
            const result = results[index]?.index === index ? results[index] : results.find((candidate) => candidate.index === index);
            if (!result) return item.reject(new Error(`the batch answer has no result for event ${item.event.idempotency_key}`));
            const { index: _index, ...rest } = result;
            item.resolve({ ...rest, idempotency_key: item.event.idempotency_key });
          });
        },
        (error: unknown) => batch.forEach((item) => item.reject(error)),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
