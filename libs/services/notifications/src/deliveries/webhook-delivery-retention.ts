import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '@abaxus/platform/time/clock';
import { PeriodicTask } from '@abaxus/platform/time/periodic-task';
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
  private readonly task = new PeriodicTask('Pruning old webhook deliveries', PRUNE_EVERY_MS, () => this.prune(), this.logger);

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
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
