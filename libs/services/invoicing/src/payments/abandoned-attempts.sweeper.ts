import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { IDEMPOTENCY_KEY_TRUSTED_MS, settleUnknown } from '@abaxus/domain/invoice/payment-attempt';
import { Clock } from '@abaxus/platform/time/clock';
import { PeriodicTask } from '@abaxus/platform/time/periodic-task';
import { InvoicesRepository } from '../invoices/invoices.repository';
import { PaymentAttemptsRepository } from './payment-attempts.repository';
import { PaymentSettlement, ProviderCall } from './payment-settlement.service';
import { StripePaymentsClient } from './stripe-payments.client';

const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 50;

/**
 * Settles payment attempts nobody will come back for: those left `pending` by a process that died
 * between recording the attempt and recording its outcome (found once their claim expired), and
 * those still `unknown` when Stripe may have forgotten their idempotency key. Runs at start-up and
 * every minute. It sends the same request again only for an invoice still to be paid and while
 * the key holds; otherwise it looks the payment up — it never creates a new one blindly.
 */
@Injectable()
export class AbandonedAttemptsSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AbandonedAttemptsSweeper.name);
  private readonly task = new PeriodicTask('Sweeping abandoned payment attempts', SWEEP_EVERY_MS, () => this.sweep(), this.logger);

  constructor(
    private readonly clock: Clock,
    private readonly stripe: StripePaymentsClient,
    private readonly attempts: PaymentAttemptsRepository,
    private readonly invoices: InvoicesRepository,
    private readonly settlement: PaymentSettlement,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.stripe.configured) return;
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  /** Settles what is abandoned now; resolves with how many attempts it settled. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const abandoned = await this.attempts.abandoned(now, new Date(now.getTime() - IDEMPOTENCY_KEY_TRUSTED_MS), SWEEP_BATCH);
    let settled = 0;
    for (const row of abandoned) {
      const invoice = await this.invoices.find(row.invoice_id);
      const claim = this.settlement.newClaim();
      const attempt = invoice && (await this.attempts.claim({ invoiceId: row.invoice_id, number: row.attempt_number }, row.status, claim));
      if (!invoice || !attempt) continue; // someone else took it
      const next = settleUnknown(invoice.id, { number: attempt.attempt_number, createdAt: attempt.created_at }, claim.now);
      const call: ProviderCall = next.kind === 'attempt' && invoice.status === 'issued' ? 'send' : 'look_up';
      const outcome = await this.settlement.settle({ invoice, attempt, claim: claim.claim, call });
      this.logger.log(`Settled abandoned payment attempt ${attempt.attempt_number} of invoice ${invoice.id} (${call}): ${outcome.kind}`);
      settled += 1;
    }
    return settled;
  }
}
