import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '@abaxus/platform/time/clock';
import { outsideRequest } from '@abaxus/platform/logging/log-context';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Deleted per statement, so a first prune of a large log never holds a long transaction. */
const PRUNE_BATCH = 5000;
const DAY_MS = 86_400_000;

/**
 * Keeps the delivery log bounded: deliveries finished (succeeded, or failed for good) more than
 * ABAXUS_WEBHOOK_RETENTION_DAYS ago are deleted with their attempts, hourly and at start-up.
 * Pending deliveries are never touched, whatever their age.
 */
@Injectable()
export class WebhookDeliveryRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryRetention.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running ??= outsideRequest(() => this.prune())
        .catch((error: Error) => {
          this.logger.warn(`pruning old webhook deliveries failed, will retry: ${error.message}`);
          return 0;
        })
        .finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, PRUNE_EVERY_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes what is past the retention; returns how many deliveries went. */
  async prune(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.retentionDays * DAY_MS);
    let total = 0;
    for (;;) {
      const deleted = await this.deliveries.pruneFinished(cutoff, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }
}
