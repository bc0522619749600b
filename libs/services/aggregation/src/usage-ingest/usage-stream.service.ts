import { Injectable, Logger } from '@nestjs/common';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';
import { parseJsonLosslessly } from '@abaxus/platform/http/json-body.middleware';
import { IncomingMessage } from '@abaxus/platform/bus/message-bus';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { deadLetterMessages, RejectedMessage } from './dead-letters';
import { UsageEventWriter } from './usage-event-writer.service';
import { UsageStoreRepository } from './usage-store.repository';

/**
 * Stores a batch of usage messages of one partition exactly once. The topic is public (producers
 * may publish directly), so every message is validated again. One transaction stores the new keys
 * and events, merges the hourly buckets, writes the invalid messages' dead letters to the outbox
 * and records the partition's position; the bus commits after that, and the outbox relay
 * publishes the dead letters. A redelivered batch finds its position (or its keys) already stored
 * and changes nothing, so a crash anywhere neither loses nor repeats an event or a dead letter.
 */
@Injectable()
export class UsageStreamService {
  private readonly logger = new Logger(UsageStreamService.name);

  constructor(
    private readonly validator: UsageEventValidator,
    private readonly store: UsageStoreRepository,
    private readonly writer: UsageEventWriter,
    private readonly outbox: ServiceOutbox,
  ) {}

  async processBatch(messages: IncomingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { topic, partition } = messages[0];
    const storedUpTo = await this.store.positionOf(topic, partition);
    const fresh = messages.filter((message) => BigInt(message.offset) >= storedUpTo);
    if (fresh.length === 0) return;
    const position = { topic, partition, nextOffset: (BigInt(messages[messages.length - 1].offset) + 1n).toString() };

    const rejected: RejectedMessage[] = [];
    const bodies: unknown[] = [];
    const readable: IncomingMessage[] = [];
    for (const message of fresh) {
      if (message.undecodable !== undefined) {
        rejected.push({ message, reason: `undecodable: ${message.undecodable}` });
        continue;
      }
      try {
        bodies.push(parseJsonLosslessly(message.value));
        readable.push(message);
      } catch (error) {
        rejected.push({ message, reason: `malformed_json: ${(error as Error).message}` });
      }
    }
    const verdicts = await this.validator.validate(bodies, () => '');
    const valid: Array<{ message: IncomingMessage; event: ValidUsageEvent }> = [];
    verdicts.forEach((verdict, index) => {
      if (verdict.ok) valid.push({ message: readable[index], event: verdict.event });
      else rejected.push({ message: readable[index], reason: `validation_failed: ${verdict.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}` });
    });

    await this.store.ensurePartitions(valid.map((item) => item.event.instant.epochMillis));
    let deadLettered = rejected.length;
    try {
      await this.store.transaction(async (tx) => {
        await this.writer.storeAndMerge(
          tx,
          valid.map((item) => item.event),
        );
        await tx.appendToOutbox(deadLetterMessages(rejected));
        await tx.savePosition(position);
      });
    } catch (error) {
      if (!isDataError(error)) throw error;
      deadLettered = await this.storeOneByOne(valid, rejected, position);
    }
    if (deadLettered > 0) this.outbox.wake();
  }

  /**
   * A batch the database refused for its data (not its availability): store the events one by one
   * and dead-letter those refused alone, so one such message never stalls the partition.
   */
  private async storeOneByOne(
    valid: Array<{ message: IncomingMessage; event: ValidUsageEvent }>,
    rejected: RejectedMessage[],
    position: { topic: string; partition: number; nextOffset: string },
  ): Promise<number> {
    const refused: RejectedMessage[] = [...rejected];
    for (const item of valid) {
      try {
        await this.store.transaction((tx) => this.writer.storeAndMerge(tx, [item.event]));
      } catch (error) {
        if (!isDataError(error)) throw error;
        this.logger.warn(
          `usage event at ${item.message.topic}/${item.message.partition}@${item.message.offset} refused by the store: ${(error as Error).message}`,
        );
        refused.push({ message: item.message, reason: `storage_refused: ${(error as Error).message}` });
      }
    }
    await this.store.transaction(async (tx) => {
      await tx.appendToOutbox(deadLetterMessages(refused));
      await tx.savePosition(position);
    });
    return refused.length;
  }
}

/** PostgreSQL classes 22 (data exception), 23 (integrity) and 54 (limits): the data, not the server. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}
