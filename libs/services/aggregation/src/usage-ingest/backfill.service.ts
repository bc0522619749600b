import { Injectable } from '@nestjs/common';
import { MAX_BACKFILL_EVENTS, readEventList } from '@abaxus/usage-events/event-list-body';
import { EventItemResult, eventItemResults } from '@abaxus/usage-events/event-item-results';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';
import { UsageEventWriter } from './usage-event-writer.service';
import { UsageStoreRepository } from './usage-store.repository';

/**
 * Backfill: validated like any event, written straight to the store in one transaction with the
 * same idempotency keys, and every hourly bucket it touches rebuilt from the events table, so the
 * summaries converge to the new truth at once.
 */
@Injectable()
export class BackfillService {
  constructor(
    private readonly validator: UsageEventValidator,
    private readonly store: UsageStoreRepository,
    private readonly writer: UsageEventWriter,
  ) {}

  async backfill(body: unknown): Promise<{ results: EventItemResult[] }> {
    const items = readEventList(body, MAX_BACKFILL_EVENTS);
    const verdicts = await this.validator.validate(items, (index) => `events[${index}]`);
    const valid: ValidUsageEvent[] = [];
    for (const verdict of verdicts) if (verdict.ok) valid.push(verdict.event);
    if (valid.length > 0) {
      await this.store.ensurePartitions(valid.map((event) => event.instant.epochMillis));
      await this.store.transaction((tx) => this.writer.storeAndRebuild(tx, valid));
    }
    return { results: eventItemResults(items, verdicts) };
  }
}
