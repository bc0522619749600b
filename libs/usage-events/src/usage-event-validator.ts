import { Injectable } from '@nestjs/common';
import { ValidationIssue } from '@abaxus/domain/validation-issue';
import { CatalogCopyService } from './catalog-copy/catalog-copy.service';
import { checkEventRules, ValidUsageEvent } from './usage-event-rules';
import { checkEventShape, EventCandidate } from './usage-event-shape';

export type EventVerdict = { ok: true; event: ValidUsageEvent } | { ok: false; errors: ValidationIssue[] };

/**
 * The one validation of usage events, for every path (single, batch, backfill, direct Kafka):
 * shape first, then the catalog facts of the whole set looked up at once.
 */
@Injectable()
export class UsageEventValidator {
  constructor(private readonly catalogCopy: CatalogCopyService) {}

  /** One verdict per item, in order; `prefixOf(i)` prefixes field paths (e.g. `events[3]`). */
  async validate(items: readonly unknown[], prefixOf: (index: number) => string, nowMillis = Date.now()): Promise<EventVerdict[]> {
    const shapes = items.map((item, index) => guarded(prefixOf(index), () => checkEventShape(item, nowMillis, prefixOf(index))));
    const candidates: EventCandidate[] = [];
    for (const shape of shapes) if (shape.ok) candidates.push(shape.candidate);
    if (candidates.length === 0) return shapes as EventVerdict[];
    const facts = await this.catalogCopy.resolve({
      metricKeys: candidates.map((c) => c.metricKey),
      customerIds: candidates.map((c) => c.customerId),
      subscriptionIds: candidates.flatMap((c) => (c.subscriptionId === null ? [] : [c.subscriptionId])),
    });
    return shapes.map((shape, index) => (shape.ok ? guarded(prefixOf(index), () => checkEventRules(shape.candidate, facts, prefixOf(index))) : shape));
  }
}

/**
 * An item that makes a check throw (say, properties nested deeper than the stack) is refused like
 * any invalid item: one odd message must never fail, and so stall, a whole batch.
 */
function guarded<T extends { ok: boolean }>(prefix: string, check: () => T): T | { ok: false; errors: ValidationIssue[] } {
  try {
    return check();
  } catch (error) {
    return { ok: false, errors: [{ field: prefix || 'body', message: `cannot be read: ${(error as Error).message}` }] };
  }
}
