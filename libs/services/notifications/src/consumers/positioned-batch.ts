import type { IncomingMessage } from '@abaxus/platform/bus/message-bus';
import { ConsumerPosition, ConsumerPositionsRepository } from './consumer-positions.repository';

/**
 * The messages of a batch (one partition) this group has not recorded yet, and the position to
 * record with what they produce; null when the whole batch was recorded before (a redelivery).
 */
export async function unrecordedMessages(
  positions: ConsumerPositionsRepository,
  groupId: string,
  messages: IncomingMessage[],
): Promise<{ fresh: IncomingMessage[]; position: ConsumerPosition } | null> {
  if (messages.length === 0) return null;
  const { topic, partition } = messages[0];
  const recordedUpTo = await positions.positionOf(groupId, topic, partition);
  const fresh = messages.filter((message) => BigInt(message.offset) >= recordedUpTo);
  if (fresh.length === 0) return null;
  return { fresh, position: { groupId, topic, partition, nextOffset: (BigInt(messages[messages.length - 1].offset) + 1n).toString() } };
}
