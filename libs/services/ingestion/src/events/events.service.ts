import { Injectable, Logger } from '@nestjs/common';
import { OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient, ServiceResponse } from '@abaxus/platform/service/service-http-client';
import { EventItemResult, eventItemResults } from '@abaxus/usage-events/event-item-results';
import { MAX_BATCH_EVENTS, readEventList } from '@abaxus/usage-events/event-list-body';
import { refusedEventDeadLetters } from '@abaxus/usage-events/refused-event-dead-letters';
import { UsageEventPublisher } from './usage-event.publisher';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';

/** Internal endpoint of the aggregation service, which owns the events store. */
const BACKFILL_INTERNAL_PATH = '/internal/v1/events/backfill';
/** A broker failover or restart takes seconds; a client retrying sooner only adds load. */
const BUS_RETRY_AFTER_SECONDS = 2;

/** Accepts events onto the bus; 202 means durable there (acks=all, or committed in the embedded bus). */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);

  constructor(
    private readonly validator: UsageEventValidator,
    private readonly publisher: UsageEventPublisher,
    private readonly http: ServiceHttpClient,
  ) {}

  async acceptOne(body: unknown): Promise<{ idempotency_key: string; status: 'accepted' }> {
    const [verdict] = await this.validator.validate([body], () => '');
    if (!verdict.ok) throw ProblemException.validation(verdict.errors, 'The event is not valid.');
    await this.publish([verdict.event]);
    return { idempotency_key: verdict.event.idempotencyKey, status: 'accepted' };
  }

  async acceptBatch(body: unknown): Promise<{ results: EventItemResult[] }> {
    const items = readEventList(body, MAX_BATCH_EVENTS);
    const verdicts = await this.validator.validate(items, (index) => `events[${index}]`);
    const accepted: ValidUsageEvent[] = [];
    for (const verdict of verdicts) if (verdict.ok) accepted.push(verdict.event);
    // Refused items also go to the dead-letter topic, so producers hear of them (events.rejected webhooks).
    await this.publish(accepted, refusedEventDeadLetters(items, verdicts));
    return { results: eventItemResults(items, verdicts) };
  }

  /** Backfills write straight to the events store, which the aggregation service owns. */
  backfill(body: unknown): Promise<ServiceResponse> {
    return this.http.call('aggregation', 'POST', BACKFILL_INTERNAL_PATH, body, 120_000);
  }

  private async publish(events: ValidUsageEvent[], deadLetters: OutgoingMessage[] = []): Promise<void> {
    try {
      await this.publisher.publish(events, deadLetters);
    } catch (error) {
      this.logger.error(`publishing ${events.length} usage events failed: ${(error as Error).message}`);
      throw new ProblemException(
        503,
        'bus_unavailable',
        'The events could not be made durable; none is accepted. Retry the request (it is idempotent).',
      ).retryAfter(BUS_RETRY_AFTER_SECONDS);
    }
  }
}
