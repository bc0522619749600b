import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@abaxus/contracts/topics';
import { produceWithJavaClient } from '@abaxus/platform/testing/java-kafka-producer';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { startServiceUnderTest, ServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { AggregationAppModule } from '../aggregation-app.module';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const EVENTS_PER_CODEC = 100;
const INVALID_PER_CODEC = 2;

/**
 * Usage published straight to the topic by the official Java producer (kafka-clients 4.1.2, the
 * broker's own jars) in every compression type: the aggregation consumer reads each batch, counts
 * every event once and dead-letters the invalid ones.
 */
describe('usage batches compressed by a standard producer (Kafka, Java client)', () => {
  const brokers = process.env.KAFKA_BROKERS!;
  const prefix = `codec${randomBytes(4).toString('hex')}.`;
  let sut: ServiceUnderTest;

  beforeAll(async () => {
    sut = await startServiceUnderTest(AggregationAppModule.forRoot, { stub: ['catalog'], env: { KAFKA_BROKERS: brokers, ABAXUS_TOPIC_PREFIX: prefix } });
    sut.stubs.catalog!.on('GET /v1/metrics/calls', { status: 200, body: { key: 'calls', aggregation_type: 'sum', value_type: 'integer' } });
    for (const codec of CODECS) sut.stubs.catalog!.on(`GET /v1/customers/cust-${codec}`, { status: 200, body: { id: `cust-${codec}` } });
  });

  afterAll(async () => {
    await sut?.stop();
    const admin = new Kafka({ clientId: 'codec-test-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('counts every event of none, gzip, snappy, lz4 and zstd batches and dead-letters the invalid ones', async () => {
    await sut.bus.endOffsets(TOPICS.usageEvents); // creates the topics
    const records = CODECS.flatMap((codec) => [
      ...Array.from({ length: EVENTS_PER_CODEC }, (_, i) => ({
        compression: codec,
        key: `cust-${codec}`,
        value: JSON.stringify({
          customer_id: `cust-${codec}`,
          metric_key: 'calls',
          value: String(i + 1),
          timestamp: `2026-03-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`,
          idempotency_key: `${codec}-${i}`,
        }),
      })),
      ...Array.from({ length: INVALID_PER_CODEC }, (_, i) => ({
        compression: codec,
        key: `cust-${codec}`,
        value: i === 0 ? '{not json' : '{"customer_id":"x"}',
      })),
    ]);
    await produceWithJavaClient(brokers, `${prefix}${TOPICS.usageEvents}`, records);

    const period = { metric_key: 'calls', period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };
    for (const codec of CODECS) {
      const computed = await sut.api('POST', '/v1/usage/compute', { ...period, customer_id: `cust-${codec}` });
      expect({ codec, status: computed.status, value: computed.body.value }).toEqual({
        codec,
        status: 200,
        value: String((EVENTS_PER_CODEC * (EVENTS_PER_CODEC + 1)) / 2),
      });
    }
    const total = async (topic: string) => [...(await sut.bus.endOffsets(topic)).values()].reduce((sum, end) => sum + BigInt(end), 0n);
    expect(await total(TOPICS.usageEvents)).toBe(BigInt(CODECS.length * (EVENTS_PER_CODEC + INVALID_PER_CODEC)));
    await pollUntil(async () => expect(await total(TOPICS.usageEventsDeadLetter)).toBe(BigInt(CODECS.length * INVALID_PER_CODEC)), { timeoutMs: 20_000 });
  }, 120_000);
});
