import { Injectable } from '@nestjs/common';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { refusedEventDeadLetters } from '@abaxus/usage-events/refused-event-dead-letters';
import { MAX_BACKFILL_EVENTS, readEventList } from '@abaxus/usage-events/event-list-body';
import { EventItemResult, eventItemResults } from '@abaxus/usage-events/event-item-results';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';
import { UsageEventWriter } from './usage-event-writer.service';
import { UsageStoreRepository } from './usage-store.repository';

/**
 * Backfill: validated like any event, written straight to the store in one transaction with the
 * same idempotency keys, and every hourly bucket it touches rebuilt from the events table, so the
 * summaries converge to the new truth at once. Refused items go to the dead-letter topic through
 * the outbox in that transaction, as a batch's do, so producers hear of them (`events.rejected`).
 */
@Injectable()
export class BackfillService {
  constructor(
    private readonly validator: UsageEventValidator,
    private readonly store: UsageStoreRepository,
    private readonly writer: UsageEventWriter,
    private readonly outbox: ServiceOutbox,
  ) {}

  async backfill(body: unknown): Promise<{ results: EventItemResult[] }> {
    const items = readEventList(body, MAX_BACKFILL_EVENTS);
    const verdicts = await this.validator.validate(items, (index) => `events[${index}]`);
    const valid: ValidUsageEvent[] = [];
    for (const verdict of verdicts) if (verdict.ok) valid.push(verdict.event);
    const deadLetters = refusedEventDeadLetters(items, verdicts);
    if (valid.length > 0) await this.store.ensurePartitions(valid.map((event) => event.instant.epochMillis));
    if (valid.length > 0 || deadLetters.length > 0) {
      await this.store.transaction(async (tx) => {
        if (valid.length > 0) await this.writer.storeAndRebuild(tx, valid);
        if (deadLetters.length > 0) await tx.appendToOutbox(deadLetters);
      });
      if (deadLetters.length > 0) this.outbox.wake();
    }
    return { results: eventItemResults(items, verdicts) };
  }
}
