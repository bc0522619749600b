import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { nextRetryAt } from '@abaxus/domain/webhooks/delivery-retry-schedule';
import { Clock } from '@abaxus/platform/time/clock';
import { outsideRequest } from '@abaxus/platform/logging/log-context';
import { EndpointSecretVault, signingKeyOf } from '../endpoints/endpoint-secrets';
import { AttemptOutcome, ClaimedDelivery, WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookSender } from './webhook-sender';
import { signWebhook } from './webhook-signature';

/** Deliveries in flight at once per process, and per endpoint (a slow endpoint cannot take every slot). */
export const MAX_IN_FLIGHT = 32;
export const MAX_IN_FLIGHT_PER_ENDPOINT = 8;
/** Longest idle wait between looks for due deliveries (woken earlier by new ones). */
const IDLE_POLL_MS = 500;
/** Shortest wait when nothing could be claimed (due deliveries of endpoints at their in-flight limit). */
const MIN_IDLE_MS = 25;
const ERROR_PAUSE_MS = 1000;
/** A claim outlives the request's timeout by this much (time to record the outcome); a crashed sender's claims expire after both. */
const CLAIM_MARGIN_MS = 15_000;

/**
 * Sends due deliveries, outside any transaction and without holding a row lock: claims a few
 * (committed at once), posts each one signed with a bounded timeout, and records each outcome in
 * its own short transaction. Runs beside the consumers, which only insert rows, so a slow or
 * failing receiver takes at most its share of the in-flight slots and never holds up anything
 * else. Several replicas share the work through the claims.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeRequested = false;
  private wakeSleeper: () => void = () => undefined;
  private readonly stopping = new AbortController();
  /** Endpoint id per delivery in flight. */
  private readonly inFlight = new Map<string, string>();
  private readonly sends = new Set<Promise<void>>();

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly vault: EndpointSecretVault,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = outsideRequest(() => this.run());
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.wakeSleeper();
    await this.loop;
    await Promise.allSettled([...this.sends]);
    await this.sender.close();
  }

  /** New or retried deliveries: look now instead of at the next poll. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      let claimed: ClaimedDelivery[] = [];
      let claim = '';
      try {
        claim = randomUUID();
        const now = this.clock.now();
        claimed = await this.deliveries.claimDue({
          now,
          claim,
          claimedUntil: new Date(now.getTime() + this.sender.timeoutMs + CLAIM_MARGIN_MS),
          limit: MAX_IN_FLIGHT - this.inFlight.size,
          perEndpoint: MAX_IN_FLIGHT_PER_ENDPOINT,
          inFlight: this.inFlightPerEndpoint(),
        });
      } catch (error) {
        if (this.running) this.logger.warn(`claiming deliveries failed, will retry: ${(error as Error).message}`);
        await this.sleep(ERROR_PAUSE_MS);
        continue;
      }
      for (const delivery of claimed) this.start(delivery, claim);
      if (claimed.length === 0 || this.inFlight.size >= MAX_IN_FLIGHT) await this.sleep(await this.idleWaitMs());
    }
  }

  private start(delivery: ClaimedDelivery, claim: string): void {
    this.inFlight.set(delivery.id, delivery.endpointId);
    const send = this.attempt(delivery, claim)
      .catch((error: Error) => this.logger.warn(`delivery ${delivery.id}: recording the attempt failed: ${error.message}`))
      .finally(() => {
        this.inFlight.delete(delivery.id);
        this.sends.delete(send);
        this.wake();
      });
    this.sends.add(send);
  }

  private async attempt(delivery: ClaimedDelivery, claim: string): Promise<void> {
    const attemptedAt = this.clock.now();
    let outcome: AttemptOutcome;
    let key: Buffer | undefined;
    try {
      key = signingKeyOf(this.vault.open(delivery.sealedSecret));
    } catch (error) {
      outcome = { attemptedAt, durationMs: 0, responseStatus: null, error: `not sent: ${(error as Error).message}` };
    }
    if (key) {
      const headers = signWebhook(delivery.eventId, attemptedAt, delivery.payload, key);
      const result = await this.sender.send(delivery.url, headers, delivery.payload, this.stopping.signal);
      if (this.stopping.signal.aborted && result.status === null) {
        // Stopped mid-request: no outcome to record; the claim goes back and another sender retries.
        await this.deliveries.release(delivery.id, claim).catch(() => undefined);
        return;
      }
      outcome = { attemptedAt, durationMs: result.durationMs, responseStatus: result.status, error: result.error };
    }
    const succeeded = outcome!.error === null;
    const retryAt = succeeded ? null : nextRetryAt(delivery.windowStartedAt ?? attemptedAt, delivery.windowFailures + 1, this.clock.now());
    const recorded = await this.deliveries.recordAttempt(delivery, claim, outcome!, succeeded ? { succeeded: true } : { succeeded: false, retryAt });
    if (recorded && !succeeded && retryAt === null) {
      this.logger.warn(`delivery ${delivery.id} failed for good after ${delivery.attempts + 1} attempts; endpoint ${delivery.endpointId} is disabled`);
    }
  }

  private inFlightPerEndpoint(): Map<string, number> {
    const load = new Map<string, number>();
    for (const endpoint of this.inFlight.values()) load.set(endpoint, (load.get(endpoint) ?? 0) + 1);
    return load;
  }

  /** Until the next delivery falls due (by the clock), at most IDLE_POLL_MS. */
  private async idleWaitMs(): Promise<number> {
    try {
      const due = await this.deliveries.nextDueAt();
      if (!due) return IDLE_POLL_MS;
      return Math.max(MIN_IDLE_MS, Math.min(IDLE_POLL_MS, due.getTime() - this.clock.now().getTime()));
    } catch {
      return IDLE_POLL_MS;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running || this.wakeRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = () => {
        this.wakeSleeper = () => undefined;
        done();
      };
    });
  }
}
