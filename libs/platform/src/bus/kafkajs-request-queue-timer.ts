/** The part of kafkajs's internal (untyped) RequestQueue this fix touches. */
interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}
type RequestQueuePrototype = RequestQueueInternals & { [FIXED]?: true };

/** The kafkajs release whose RequestQueue this replaces one method of (its last; unmaintained). */
export const KAFKAJS_VERSION_FIXED = '2.2.4';
/** kafkajs's own constant (src/network/requestQueue/index.js). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;
const FIXED = Symbol.for('abaxus.kafkajs.requestQueueTimerFixed');

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs internals have no types; plain require shares kafkajs's own module instance */
export function kafkajsRequestQueuePrototype(): RequestQueuePrototype {
  return (require('kafkajs/src/network/requestQueue') as { prototype: RequestQueuePrototype }).prototype;
}
const installedKafkajsVersion = (): string => (require('kafkajs/package.json') as { version: string }).version;
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * kafkajs 2.2.4 schedules its request queue's next check after `throttledUntil - Date.now()` ms,
 * and `throttledUntil` starts at -1: with nothing pending the delay is minus the epoch time, which
 * Node 24 reports on every broker connection as `TimeoutNegativeWarning: -1796133183534 is a
 * negative number` (then runs it after 1 ms). This keeps kafkajs's schedule exactly — Node runs
 * any delay under 1 ms after 1 ms — with the delay clamped at 0, so no warning. Only kafkajs
 * 2.2.4 is touched; idempotent.
 */
export function fixKafkajsRequestQueueTimer(): void {
  if (installedKafkajsVersion() !== KAFKAJS_VERSION_FIXED) return;
  const prototype = kafkajsRequestQueuePrototype();
  if (prototype[FIXED]) return;
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals) {
    let delayMs = this.throttledUntil - Date.now();
    if (this.throttleCheckTimeoutId) return;
    if (this.pending.length > 0) delayMs = delayMs > 0 ? delayMs : CHECK_PENDING_REQUESTS_INTERVAL_MS;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      Math.max(0, delayMs),
    );
  };
  prototype[FIXED] = true;
}
