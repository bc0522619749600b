import { DEAD_LETTER_REASON_HEADER, TOPICS } from '@abaxus/contracts/topics';
import { IncomingMessage, OutgoingMessage } from '@abaxus/platform/bus/message-bus';

export interface RejectedMessage {
  message: IncomingMessage;
  reason: string;
}

/** The aggregation service's outbox table (migration DeadLetterOutbox1710000000500). */
export const AGGREGATION_OUTBOX = 'aggregation.outbox';

/** Longest reason kept in the header; the full list of problems is rarely needed to act on. */
const MAX_REASON_LENGTH = 2000;

/**
 * Invalid usage messages go, unchanged, to the dead-letter topic with the reason in a header and
 * their source position in three more (which also identify a dead letter uniquely).
 */
export function deadLetterMessages(rejected: RejectedMessage[]): OutgoingMessage[] {
  return rejected.map(({ message, reason }) => ({
    topic: TOPICS.usageEventsDeadLetter,
    key: message.key ?? '',
    value: message.value,
    headers: {
      ...message.headers,
      [DEAD_LETTER_REASON_HEADER]: reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason,
      'abaxus-source-topic': message.topic,
      'abaxus-source-partition': String(message.partition),
      'abaxus-source-offset': message.offset,
    },
  }));
}
