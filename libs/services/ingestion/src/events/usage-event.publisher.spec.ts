import { TOPICS } from '@abaxus/contracts/topics';
import { MessageBus, OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import { runInLogContext } from '@abaxus/platform/logging/log-context';
import { REQUEST_ID_HEADER } from '@abaxus/platform/logging/request-id';
import { parseEventInstant } from '@abaxus/usage-events/event-timestamp';
import { usageEventMessageJson } from '@abaxus/usage-events/usage-event-message';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { UsageEventPublisher } from './usage-event.publisher';

/** A bus whose writes complete only when the test says so. */
class ControlledBus {
  readonly writes: OutgoingMessage[][] = [];
  private readonly pending: Array<{ resolve(): void; reject(error: Error): void }> = [];

  publish(messages: OutgoingMessage[]): Promise<void> {
    this.writes.push(messages);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  /** Completes the oldest write still in flight. */
  finish(error?: Error): void {
    const write = this.pending.shift()!;
    if (error) write.reject(error);
    else write.resolve();
  }
}

function events(count: number, customer = 'cust_acme'): ValidUsageEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    idempotencyKey: `evt_${customer}_${index}`,
    customerId: customer,
    subscriptionId: null,
    metricKey: 'api_calls',
    aggregationType: 'sum',
    value: '1',
    instant: parseEventInstant('2026-03-17T14:00:00Z')!,
    propertiesJson: null,
    dimensions: [],
    dimensionKey: '{}',
  }));
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('UsageEventPublisher', () => {
  let bus: ControlledBus;
  let publisher: UsageEventPublisher;

  beforeEach(() => {
    bus = new ControlledBus();
    publisher = new UsageEventPublisher(bus as unknown as MessageBus);
  });

  it('writes each event to the usage topic, keyed by customer, in its wire form', async () => {
    const [event] = events(1);
    const done = publisher.publish([event]);
    expect(bus.writes).toEqual([[{ topic: TOPICS.usageEvents, key: 'cust_acme', value: usageEventMessageJson(event), headers: {} }]]);
    bus.finish();
    await done;
  });

  it("stamps each caller's events with its own request id, also when another caller's write carries them", async () => {
    const first = runInLogContext({ requestId: 'req-a' }, () => publisher.publish(events(1, 'cust_a')));
    const second = runInLogContext({ requestId: 'req-b' }, () => publisher.publish(events(1, 'cust_b')));
    const third = runInLogContext({ requestId: 'req-c' }, () => publisher.publish(events(1, 'cust_c')));
    bus.finish();
    await first;
    await settled();
    bus.finish();
    await Promise.all([second, third]);
    expect(bus.writes.map((write) => write.map((message) => [message.key, message.headers?.[REQUEST_ID_HEADER]]))).toEqual([
      [['cust_a', 'req-a']],
      [
        ['cust_b', 'req-b'],
        ['cust_c', 'req-c'],
      ],
    ]);
  });

  it('writes nothing for no events', async () => {
    await publisher.publish([]);
    expect(bus.writes).toEqual([]);
  });

  it('groups the callers that arrive while a write is in flight into the next write, each resolving with its own write', async () => {
    let firstDone = false;
    let laterDone = 0;
    const first = publisher.publish(events(1, 'cust_a')).then(() => (firstDone = true));
    const later = [publisher.publish(events(2, 'cust_b')), publisher.publish(events(3, 'cust_c'))].map((promise) => promise.then(() => (laterDone += 1)));
    await settled();
    expect(bus.writes.map((write) => write.length)).toEqual([1]);
    bus.finish();
    await first;
    await settled();
    expect([firstDone, laterDone]).toEqual([true, 0]);
    expect(bus.writes.map((write) => write.map((message) => message.key))).toEqual([['cust_a'], ['cust_b', 'cust_b', 'cust_c', 'cust_c', 'cust_c']]);
    bus.finish();
    await Promise.all(later);
    expect(laterDone).toBe(2);
  });

  it('keeps one write at 1,000 messages at most, but never splits one caller', async () => {
    const first = publisher.publish(events(1, 'cust_a'));
    const queued = [publisher.publish(events(600, 'cust_b')), publisher.publish(events(600, 'cust_c')), publisher.publish(events(1200, 'cust_d'))];
    bus.finish();
    await first;
    for (let i = 0; i < 3; i += 1) {
      await settled();
      bus.finish();
    }
    await Promise.all(queued);
    expect(bus.writes.map((write) => write.length)).toEqual([1, 600, 600, 1200]);
  });

  it('rejects the callers of a failed write, and writes again for the next ones', async () => {
    const first = publisher.publish(events(1, 'cust_a'));
    const failing = publisher.publish(events(1, 'cust_b'));
    bus.finish();
    await first;
    await settled();
    bus.finish(new Error('broker down'));
    await expect(failing).rejects.toThrow('broker down');
    const next = publisher.publish(events(1, 'cust_c'));
    bus.finish();
    await expect(next).resolves.toBeUndefined();
    expect(bus.writes).toHaveLength(3);
  });
});
