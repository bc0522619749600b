import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { Clock } from '@abaxus/platform/time/clock';
import { InvoiceEmailService } from '../email/invoice-email.service';
import { ChargesService } from '../payments/charges.service';
import { CollectionRepository, CollectionRow } from './collection.repository';

const COLLECTION_CLAIM_MS = 2 * 60_000;
const DAY_MS = 86_400_000;
/** A collection that failed for a reason other than a decline (mail server or Stripe down) is tried again this much later, without counting as a dunning attempt. */
const UNAVAILABLE_RETRY_MS = 3_600_000;

/**
 * Emails and charges the invoices of customers with automatic collection, through the very
 * services the API calls use (their claims keep a charge or mail from going out twice). A
 * declined charge is retried on the dunning schedule (days after the first failure), then left
 * `exhausted`. Claimed rows, no lock held while Stripe or the mail server is called.
 */
@Injectable()
export class CollectionService {
  private readonly logger = new Logger(CollectionService.name);

  constructor(
    private readonly collections: CollectionRepository,
    private readonly email: InvoiceEmailService,
    private readonly charges: ChargesService,
    private readonly clock: Clock,
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
  ) {}

  async runDue(testClock: string | null, now: Date): Promise<number> {
    const claim = randomUUID();
    let handled = 0;
    for (;;) {
      const realNow = this.clock.now();
      const due = await this.collections.claimDue(testClock, now, realNow, claim, new Date(realNow.getTime() + COLLECTION_CLAIM_MS), 20);
      if (due.length === 0) return handled;
      for (const row of due) {
        await this.collect(row, claim, now);
        handled++;
      }
    }
  }

  private async collect(row: CollectionRow, claim: string, now: Date): Promise<void> {
    let emailPending = row.email_pending;
    if (emailPending) {
      try {
        await this.email.send(row.invoice_id);
        emailPending = false;
      } catch (error) {
        this.logger.warn(`automatic email of ${row.invoice_id}: ${(error as Error).message}`);
        await this.collections.record(row.invoice_id, claim, {
          next_attempt_at: new Date(now.getTime() + UNAVAILABLE_RETRY_MS),
          last_failure: (error as Error).message,
        });
        return;
      }
    }
    if (!row.charge_pending) {
      await this.collections.record(row.invoice_id, claim, { email_pending: false, next_attempt_at: null, state: 'succeeded' });
      return;
    }
    try {
      await this.charges.charge(row.invoice_id);
      await this.collections.record(row.invoice_id, claim, {
        email_pending: emailPending,
        charge_pending: false,
        attempts: row.attempts + 1,
        next_attempt_at: null,
        state: 'succeeded',
        last_failure: null,
      });
    } catch (error) {
      const status = error instanceof ProblemException ? error.getStatus() : 500;
      const message = (error as Error).message;
      if (status === 409 && /paid|archived/.test(message)) {
        // Paid some other way (a manual charge, the webhook): nothing left to collect.
        await this.collections.record(row.invoice_id, claim, { email_pending: emailPending, charge_pending: false, next_attempt_at: null, state: 'succeeded' });
        return;
      }
      if (status !== 402) {
        await this.collections.record(row.invoice_id, claim, {
          email_pending: emailPending,
          next_attempt_at: new Date(now.getTime() + UNAVAILABLE_RETRY_MS),
          last_failure: message,
        });
        return;
      }
      const attempts = row.attempts + 1;
      const firstFailedAt = row.first_failed_at ?? now;
      // Retry k (1-based) comes ABAXUS_DUNNING_DAYS[k-1] days after the first failed attempt.
      const retryDays = this.config.dunningDays[attempts - 1];
      await this.collections.record(row.invoice_id, claim, {
        email_pending: emailPending,
        attempts,
        first_failed_at: firstFailedAt,
        next_attempt_at: retryDays === undefined ? null : new Date(firstFailedAt.getTime() + retryDays * DAY_MS),
        state: retryDays === undefined ? 'exhausted' : 'retrying',
        last_failure: message,
      });
    }
  }
}
