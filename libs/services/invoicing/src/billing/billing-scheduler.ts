import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { Clock } from '@abaxus/platform/time/clock';
import { CollectionService } from '../collection/collection.service';
import { TestClocksService } from '../test-clocks/test-clocks.service';
import { BillingPassResult, BillingRunService } from './billing-run.service';

/**
 * Wakes each instance every ABAXUS_BILLING_RUN_INTERVAL_MS to run what the schedule says is due
 * (real-time cycles, collections, test-clock advances left unfinished). The timer only decides
 * when to look; what is due, and who does it, is decided by the rows in PostgreSQL.
 */
@Injectable()
export class BillingScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BillingScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;

  constructor(
    private readonly billing: BillingRunService,
    private readonly collection: CollectionService,
    private readonly testClocks: TestClocksService,
    private readonly clock: Clock,
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.billingRunIntervalMs === 0) return;
    this.timer = setInterval(() => void this.tick(), this.config.billingRunIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current?.catch(() => undefined);
  }

  /** One pass now (also what POST /internal/billing-runs does); a pass already running in this instance is joined. */
  runNow(): Promise<BillingPassResult> {
    if (!this.current) {
      this.current = (async () => {
        try {
          const result = await this.billing.runDue(null, this.clock.now());
          await this.collection.runDue(null, this.clock.now());
          if (this.config.testClocksEnabled) await this.testClocks.resumeAdvancing();
          return result;
        } finally {
          this.current = undefined;
        }
      })();
    }
    return this.current as Promise<BillingPassResult>;
  }

  private async tick(): Promise<void> {
    try {
      await this.runNow();
    } catch (error) {
      this.logger.warn(`billing pass failed: ${(error as Error).message}; the next one retries`);
    }
  }
}
