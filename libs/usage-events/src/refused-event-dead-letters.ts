import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_REASON_HEADER, REJECTION_ID_HEADER, TOPICS } from '@abaxus/contracts/topics';
import type { OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import type { EventVerdict } from './usage-event-validator';

/** Longest reason kept in the header, as for the dead letters of the topic's consumer. */
const MAX_REASON_LENGTH = 2000;

/**
 * The dead letters of the items a batch refused: each item as it was sent, keyed by its customer
 * (when it names one), with the reason and a refusal id in headers (ingestion's batch and
 * aggregation's backfill). The notifications service
 * turns them into `events.rejected` webhook events.
 */
export function refusedEventDeadLetters(items: readonly unknown[], verdicts: EventVerdict[]): OutgoingMessage[] {
  const letters: OutgoingMessage[] = [];
  verdicts.forEach((verdict, index) => {
    if (verdict.ok) return;
    const item = items[index];
    const customerId = item && typeof item === 'object' ? (item as Record<string, unknown>).customer_id : undefined;
    const reason = `validation_failed: ${verdict.errors.map((error) => `${error.field}: ${error.message}`).join('; ')}`;
    letters.push({
      topic: TOPICS.usageEventsDeadLetter,
      key: typeof customerId === 'string' ? customerId : '',
      value: JSON.stringify(item) ?? 'null',
      headers: {
        [DEAD_LETTER_REASON_HEADER]: reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason,
        [REJECTION_ID_HEADER]: randomUUID(),
      },
    });
  });
  return letters;
}
