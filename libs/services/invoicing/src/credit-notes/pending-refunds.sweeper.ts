import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { Clock } from '@abaxus/platform/time/clock';
import { PeriodicTask } from '@abaxus/platform/time/periodic-task';
import { StripePaymentsClient } from '../payments/stripe-payments.client';
import { CreditNotesRepository } from './credit-notes.repository';
import { CreditNotesService } from './credit-notes.service';

const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 50;
// Past the Stripe call's own timeout, the time to record its outcome: a refund still pending
// then was left by a process that stopped, or by an answer that never came.
const MARGIN_MS = 60_000;

/**
 * Settles refunds nobody came back for: a credit note recorded with its refund `pending` whose
 * outcome was never recorded (the process died, Stripe did not answer). At start-up and every
 * minute it asks Stripe again exactly as `POST /v1/credit-notes/{id}/refund` does — same
 * idempotency key, or a look-up once Stripe may have forgotten it — so there is never a second Refund.
 */
@Injectable()
export class PendingRefundsSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PendingRefundsSweeper.name);
  private readonly task = new PeriodicTask('Sweeping pending refunds', SWEEP_EVERY_MS, () => this.sweep(), this.logger);

  constructor(
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
    private readonly clock: Clock,
    private readonly stripe: StripePaymentsClient,
    private readonly creditNotes: CreditNotesRepository,
    private readonly service: CreditNotesService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.stripe.configured) return;
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  /** Asks Stripe about each abandoned pending refund; resolves with how many it asked about. */
  async sweep(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.stripeTimeoutMs - MARGIN_MS);
    const pending = await this.creditNotes.pendingRefunds(before, SWEEP_BATCH);
    for (const row of pending) {
      const settled = await this.service.settleRefund(row);
      this.logger.log(`Refund of credit note ${row.number}: ${settled.refund?.status ?? 'none'}`);
    }
    return pending.length;
  }
}
