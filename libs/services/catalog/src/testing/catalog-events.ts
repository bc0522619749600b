import { CatalogEventEnvelope } from '@abaxus/contracts/catalog-events';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { TopicRecorder } from '@abaxus/platform/testing/service-under-test';

/** One catalog event as a consumer receives it: the message key and the parsed envelope. */
export interface ReceivedCatalogEvent {
  key: string | null;
  envelope: CatalogEventEnvelope;
}

export function catalogEventsOf(recorder: TopicRecorder, key?: string): ReceivedCatalogEvent[] {
  return recorder.messages
    .map((message) => ({ key: message.key, envelope: JSON.parse(message.value) as CatalogEventEnvelope }))
    .filter((event) => key === undefined || event.key === key);
}

/** Waits until exactly `count` events of one entity arrived, and returns them in delivery order. */
export function awaitCatalogEvents(recorder: TopicRecorder, key: string, count: number): Promise<ReceivedCatalogEvent[]> {
  return pollUntil(async () => {
    const events = catalogEventsOf(recorder, key);
    expect(events).toHaveLength(count);
    return events;
  });
}

/** The envelope every catalog event carries around its record. */
export function catalogEvent(key: string, type: CatalogEventEnvelope['type'], data: unknown): ReceivedCatalogEvent {
  return {
    key,
    envelope: { event_id: expect.stringMatching(/^[0-9a-f-]{36}$/), occurred_at: expect.stringMatching(/Z$/), type, data } as CatalogEventEnvelope,
  };
}
