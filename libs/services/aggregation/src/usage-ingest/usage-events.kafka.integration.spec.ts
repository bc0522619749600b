import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { DEAD_LETTER_REASON_HEADER, TOPICS } from '@abaxus/contracts/topics';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { startServiceUnderTest, ServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { FakeCatalog } from '@abaxus/usage-events/catalog-copy/testing/fake-catalog';
import { AggregationAppModule } from '../aggregation-app.module';
import { computeThenSummary } from '../testing/usage-queries';

function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

// Single-service tier on Kafka: the usage topic is public, so any Kafka producer may publish to it.
// Aggregation alone consumes it (the catalog a stub), with the engine's Kafka adapter beside a
// plain kafkajs producer.
describe('usage events published straight to Kafka (aggregation alone)', () => {
  let aggregation: ServiceUnderTest;
  let catalog: FakeCatalog;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    aggregation = await startServiceUnderTest((runtime) => AggregationAppModule.forRoot(runtime), { stub: ['catalog'], bus: 'kafka' });
    catalog = new FakeCatalog(aggregation.stubs.catalog!);
    kafka = new Kafka({ clientId: 'usage-test', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await aggregation?.stop();
  });

  it("counts events from any producer like the engine's own, and dead-letters invalid messages without stalling", async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('sum');
    const event = (overrides: Record<string, unknown> = {}) => ({
      customer_id: customer,
      metric_key: metric,
      value: '1',
      timestamp: '2026-03-17T14:00:00Z',
      idempotency_key: uniqueId('evt'),
      ...overrides,
    });
    const direct = (overrides: Record<string, unknown> = {}) => ({ key: customer, value: JSON.stringify(event(overrides)) });
    const duplicateKey = uniqueId('evt');
    await producer.send({
      topic: `${aggregation.topicPrefix}${TOPICS.usageEvents}`,
      acks: -1,
      messages: [
        direct({ value: 1 }),
        { key: customer, value: '{"customer_id": "not json' },
        direct({ value: 2, surprise: true }),
        direct({ value: 4, customer_id: 'cust_nobody' }),
        direct({ value: '8', idempotency_key: duplicateKey }),
        direct({ value: '8000', idempotency_key: duplicateKey }),
        direct({ value: '16' }),
        // A JSON number a double cannot hold: read exactly, so accepted as this integer.
        { key: customer, value: direct({ value: 'BIG' }).value.replace('"BIG"', '12345678901234567890') },
      ],
    });
    // As ingestion publishes: through the engine's Kafka adapter.
    const viaEngine = (overrides: Record<string, unknown>) => ({ topic: TOPICS.usageEvents, key: customer, value: JSON.stringify(event(overrides)) });
    await aggregation.bus.publish([viaEngine({ value: '32' })]);
    await aggregation.bus.publish([viaEngine({ value: '64', idempotency_key: duplicateKey })]);

    expect(
      await computeThenSummary((method, path, body) => aggregation.api(method, path, body), {
        customer_id: customer,
        metric_key: metric,
        period_start: '2026-03-01T00:00:00Z',
        period_end: '2026-04-01T00:00:00Z',
      }),
    ).toEqual({
      compute: '12345678901234567947',
      summary: '12345678901234567947',
    });

    const consumer = kafka.consumer({ groupId: uniqueId('dlq-reader') });
    const dead: Array<{ value: string; reason: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${aggregation.topicPrefix}${TOPICS.usageEventsDeadLetter}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        dead.push({ value: message.value?.toString() ?? '', reason: message.headers?.[DEAD_LETTER_REASON_HEADER]?.toString() ?? '' });
      },
    });
    try {
      const mine = await pollUntil(async () => {
        const found = dead.filter((message) => message.value.includes(metric) || message.value.includes('not json'));
        expect(found).toHaveLength(3);
        return found;
      });
      expect(mine.map((message) => message.reason).sort()).toEqual([
        expect.stringMatching(/^malformed_json/),
        expect.stringMatching(/^validation_failed: customer_id: no customer "cust_nobody" exists/),
        expect.stringMatching(/^validation_failed: surprise: is not a known field/),
      ]);
    } finally {
      await consumer.disconnect();
    }
  });
});
