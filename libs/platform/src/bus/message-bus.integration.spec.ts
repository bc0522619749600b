import { randomBytes } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { pollUntil } from '../testing/poll-until';
import { KafkaMessageBus } from './kafka-message-bus';
import { IncomingMessage, MessageBus } from './message-bus';
import { PostgresMessageBus } from './postgres-message-bus';
import { TOPICS } from '@abaxus/contracts/topics';
import { currentRequestId, runInLogContext } from '../logging/log-context';

type Adapter = { name: string; make(): Promise<{ bus: () => MessageBus; cleanup(): Promise<void> }> };

const adapters: Adapter[] = [
  {
    name: 'embedded PostgreSQL bus',
    make: async () => {
      const database: TestDatabase = await createTestDatabase();
      const buses: MessageBus[] = [];
      return {
        bus: () => {
          const bus = new PostgresMessageBus(database.url);
          buses.push(bus);
          return bus;
        },
        cleanup: async () => {
          for (const bus of buses) await bus.close();
          await database.drop();
        },
      };
    },
  },
  {
    name: 'Kafka bus',
    make: async () => {
      const brokers = process.env.KAFKA_BROKERS;
      if (!brokers) throw new Error('KAFKA_BROKERS is not set: run `npm test`, which starts a broker.');
      const prefix = `t${randomBytes(4).toString('hex')}.`;
      const buses: MessageBus[] = [];
      return {
        bus: () => {
          const bus = new KafkaMessageBus({ brokers: brokers.split(','), clientId: 'bus-test', topicPrefix: prefix, partitions: 2 });
          buses.push(bus);
          return bus;
        },
        cleanup: async () => {
          for (const bus of buses) await bus.close();
        },
      };
    },
  },
];

describe.each(adapters)('$name', (adapter) => {
  let context: Awaited<ReturnType<Adapter['make']>>;

  beforeAll(async () => {
    context = await adapter.make();
  });

  afterAll(async () => {
    await context.cleanup();
  });

  it('delivers every published message to a group, in order per key, with headers', async () => {
    const bus = context.bus();
    const published = Array.from({ length: 60 }, (_, i) => ({
      topic: TOPICS.catalogEvents,
      key: `k${i % 3}`,
      value: JSON.stringify({ n: i }),
      headers: { n: String(i) },
    }));
    await bus.publish(published);
    const received: IncomingMessage[] = [];
    const subscription = await bus.subscribe({
      groupId: 'ordered',
      topics: [TOPICS.catalogEvents],
      handleBatch: async (messages) => {
        received.push(...messages);
      },
    });
    await pollUntil(async () => expect(received).toHaveLength(60), { timeoutMs: 30000 });
    await subscription.stop();
    for (const key of ['k0', 'k1', 'k2']) {
      const values = received.filter((m) => m.key === key).map((m) => JSON.parse(m.value).n as number);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values).toHaveLength(20);
    }
    expect(received.every((m) => m.topic === TOPICS.catalogEvents && m.headers.n === String(JSON.parse(m.value).n))).toBe(true);
  });

  it('redelivers a batch whose handler failed, and resumes after the committed position', async () => {
    const bus = context.bus();
    await bus.publish(Array.from({ length: 10 }, (_, i) => ({ topic: TOPICS.invoiceEvents, key: 'same-key', value: String(i) })));
    const seen: string[] = [];
    let failures = 0;
    const first = await bus.subscribe({
      groupId: 'retrying',
      topics: [TOPICS.invoiceEvents],
      handleBatch: async (messages) => {
        if (failures === 0) {
          failures += 1;
          throw new Error('simulated crash before commit');
        }
        seen.push(...messages.map((m) => m.value));
      },
    });
    await pollUntil(async () => expect(seen).toHaveLength(10), { timeoutMs: 60000 });
    await first.stop();
    expect(seen).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

    // A new consumer of the same group starts after the committed position.
    await bus.publish([{ topic: TOPICS.invoiceEvents, key: 'same-key', value: '10' }]);
    const later: string[] = [];
    const second = await context.bus().subscribe({
      groupId: 'retrying',
      topics: [TOPICS.invoiceEvents],
      handleBatch: async (messages) => {
        later.push(...messages.map((m) => m.value));
      },
    });
    await pollUntil(async () => expect(later).toEqual(['10']), { timeoutMs: 60000 });
    await second.stop();
  });

  it('carries the request id of the publishing request in the headers, and handles the batch in it', async () => {
    const bus = context.bus();
    await runInLogContext({ requestId: 'req-published' }, () =>
      bus.publish([
        { topic: TOPICS.invoiceEvents, key: 'rid', value: 'stamped' },
        { topic: TOPICS.invoiceEvents, key: 'rid', value: 'kept', headers: { 'x-request-id': 'req-earlier' } },
      ]),
    );
    const received: Array<{ value: string; header: string | undefined; handledIn: string | undefined }> = [];
    const subscription = await bus.subscribe({
      groupId: 'request-ids',
      topics: [TOPICS.invoiceEvents],
      maxBatchSize: 1,
      handleBatch: async (messages) => {
        for (const m of messages) received.push({ value: m.value, header: m.headers['x-request-id'], handledIn: currentRequestId() });
      },
    });
    await pollUntil(async () => expect(received.filter((m) => m.value === 'stamped' || m.value === 'kept')).toHaveLength(2), { timeoutMs: 30000 });
    await subscription.stop();
    expect(received.filter((m) => m.value === 'stamped' || m.value === 'kept')).toEqual([
      { value: 'stamped', header: 'req-published', handledIn: 'req-published' },
      { value: 'kept', header: 'req-earlier', handledIn: 'req-earlier' },
    ]);
  });

  it('reports end offsets past every acknowledged message', async () => {
    const bus = context.bus();
    await bus.publish([
      { topic: TOPICS.usageEventsDeadLetter, key: 'a', value: '1' },
      { topic: TOPICS.usageEventsDeadLetter, key: 'a', value: '2' },
    ]);
    const ends = await bus.endOffsets(TOPICS.usageEventsDeadLetter);
    const total = [...ends.values()].reduce((sum, offset) => sum + BigInt(offset), 0n);
    expect(total).toBe(2n);
  });

  it('answers ping when reachable', async () => {
    await expect(context.bus().ping()).resolves.toBeUndefined();
  });
});

describe('embedded PostgreSQL bus retention', () => {
  it('prunes only messages every group has consumed, and keeps delivering new ones', async () => {
    const database = await createTestDatabase();
    const bus = new PostgresMessageBus(database.url);
    try {
      await bus.publish(Array.from({ length: 5 }, (_, i) => ({ topic: TOPICS.catalogEvents, key: 'k', value: String(i) })));
      const fast: string[] = [];
      const fastGroup = await bus.subscribe({
        groupId: 'fast',
        topics: [TOPICS.catalogEvents],
        handleBatch: async (m) => void fast.push(...m.map((x) => x.value)),
      });
      await pollUntil(async () => expect(fast).toHaveLength(5));
      await fastGroup.stop();
      const slow: string[] = [];
      let slowAllowed = 3;
      const slowGroup = await bus.subscribe({
        groupId: 'slow',
        topics: [TOPICS.catalogEvents],
        maxBatchSize: 1,
        handleBatch: async (m) => {
          if (slowAllowed <= 0) throw new Error('slow consumer is behind');
          slowAllowed -= 1;
          slow.push(...m.map((x) => x.value));
        },
      });
      await pollUntil(async () => expect(slow).toEqual(['0', '1', '2']));
      // The slow group has consumed offsets 0-2: only those may go, whatever their age.
      expect(await bus.prune(0)).toBe(3);
      slowAllowed = 10;
      await pollUntil(async () => expect(slow).toEqual(['0', '1', '2', '3', '4']));
      await slowGroup.stop();
      expect(await bus.prune(0)).toBe(2);
      expect(await bus.prune(60 * 60 * 1000)).toBe(0);
    } finally {
      await bus.close();
      await database.drop();
    }
  });
});

describe('embedded PostgreSQL bus, reading batch by batch', () => {
  it('reads a backlog one bounded batch at a time, and a group that subscribes after a prune starts at the oldest message kept', async () => {
    const database = await createTestDatabase();
    const bus = new PostgresMessageBus(database.url);
    try {
      await bus.publish(Array.from({ length: 12 }, (_, i) => ({ topic: TOPICS.catalogEvents, key: 'k', value: String(i) })));
      const batches: string[][] = [];
      const first = await bus.subscribe({
        groupId: 'first',
        topics: [TOPICS.catalogEvents],
        maxBatchSize: 5,
        handleBatch: async (m) => void batches.push(m.map((x) => x.value)),
      });
      await pollUntil(async () => expect(batches.flat()).toHaveLength(12));
      expect(batches).toEqual([
        ['0', '1', '2', '3', '4'],
        ['5', '6', '7', '8', '9'],
        ['10', '11'],
      ]);
      await first.stop();
      // Every group has passed them: all twelve go, more than a batch below where a new group starts.
      expect(await bus.prune(0)).toBe(12);
      await bus.publish(['12', '13', '14'].map((value) => ({ topic: TOPICS.catalogEvents, key: 'k', value })));
      const late: string[] = [];
      const lateGroup = await bus.subscribe({
        groupId: 'late',
        topics: [TOPICS.catalogEvents],
        maxBatchSize: 5,
        handleBatch: async (m) => void late.push(...m.map((x) => x.value)),
      });
      await pollUntil(async () => expect(late).toEqual(['12', '13', '14']));
      await lateGroup.stop();
    } finally {
      await bus.close();
      await database.drop();
    }
  });
});

describe('embedded PostgreSQL bus, concurrent publishers', () => {
  it('gives each topic gapless offsets in commit order, however many publishes of several topics run at once', async () => {
    const database = await createTestDatabase();
    const publishers = [new PostgresMessageBus(database.url), new PostgresMessageBus(database.url)];
    const consumer = new PostgresMessageBus(database.url);
    const topics = [TOPICS.catalogEvents, TOPICS.usageEventsDeadLetter];
    try {
      const received = new Map<string, IncomingMessage[]>(topics.map((topic) => [topic, []]));
      const subscription = await consumer.subscribe({
        groupId: 'all',
        topics,
        maxBatchSize: 7,
        handleBatch: async (messages) => void received.get(messages[0].topic)!.push(...messages),
      });
      // 40 publishes, each writing both topics in opposite orders, from two buses (two pools).
      await Promise.all(
        Array.from({ length: 40 }, (_, p) =>
          publishers[p % 2].publish(Array.from({ length: 5 }, (_, i) => ({ topic: topics[(i + p) % 2], key: `p${p}`, value: `${p}.${i}` }))),
        ),
      );
      await pollUntil(async () => expect(received.get(topics[0])!.length + received.get(topics[1])!.length).toBe(200), { timeoutMs: 30000 });
      await subscription.stop();
      for (const topic of topics) {
        const messages = received.get(topic)!;
        expect(messages.map((m) => Number(m.offset))).toEqual(messages.map((_, i) => i));
        // Within one publish, a topic's messages keep their order.
        for (let p = 0; p < 40; p++) {
          const values = messages.filter((m) => m.key === `p${p}`).map((m) => Number(m.value.split('.')[1]));
          expect(values).toEqual([...values].sort((a, b) => a - b));
        }
        expect(await consumer.endOffsets(topic)).toEqual(new Map([[0, String(messages.length)]]));
      }
    } finally {
      for (const bus of [...publishers, consumer]) await bus.close();
      await database.drop();
    }
  });
});
