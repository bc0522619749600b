import { Injectable } from '@nestjs/common';
import { DEAD_LETTER_REASON_HEADER, TOPICS } from '@abaxus/contracts/topics';
import { IncomingMessage, MessageBus } from '@abaxus/platform/bus/message-bus';

export interface RejectedMessage {
  message: IncomingMessage;
  reason: string;
}

/** Longest reason kept in the header; the full list of problems is rarely needed to act on. */
const MAX_REASON_LENGTH = 2000;

/** Invalid usage messages go, unchanged, to the dead-letter topic with the reason in a header. */
@Injectable()
export class DeadLetterPublisher {
  constructor(private readonly bus: MessageBus) {}

  async publish(rejected: RejectedMessage[]): Promise<void> {
    if (rejected.length === 0) return;
    await this.bus.publish(
      rejected.map(({ message, reason }) => ({
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
      })),
    );
  }
}
