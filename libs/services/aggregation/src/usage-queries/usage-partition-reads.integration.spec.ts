import { randomBytes } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS } from '@abaxus/contracts/topics';
import { partitionForKey } from '@abaxus/platform/bus/key-partition';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceStub } from '@abaxus/platform/testing/service-under-test';
import { startAggregationWorker, WorkerProcess } from '../testing/aggregation-worker-process';

const PARTITIONS = 4;
const CUSTOMERS = 12;
const EVENTS_PER_CUSTOMER = 10;
const SUM_PER_CUSTOMER = String((EVENTS_PER_CUSTOMER * (EVENTS_PER_CUSTOMER + 1)) / 2);

/**
 * Two aggregation replicas share the usage topic; one stops (SIGSTOP: it keeps its partitions
 * until its session runs out). A strong read waits only for the partition of its customer, so the
 * customers of the live replica's partitions get exact figures at once and only the stalled
 * partitions' customers get 503. A replica started while the group still waits for the dead one
 * listens at once (its consumer joins in the background).
 */
describe('strong reads per partition with a stalled replica (Kafka)', () => {
  const brokers = process.env.KAFKA_BROKERS!;
  const prefix = `parts${randomBytes(4).toString('hex')}.`;
  const topic = `${prefix}${TOPICS.usageEvents}`;
  const kafka = new Kafka({ clientId: 'partition-reads-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  let database: TestDatabase;
  let sql: Client;
  let catalog: ServiceStub;
  const workers: WorkerProcess[] = [];
  const customers = Array.from({ length: CUSTOMERS }, (_, i) => `cust-${i}`);

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    catalog = await ServiceStub.start();
    catalog.on('GET /v1/metrics/calls', { status: 200, body: { key: 'calls', aggregation_type: 'sum', value_type: 'integer' } });
    for (const customer of customers) catalog.on(`GET /v1/customers/${customer}`, { status: 200, body: { id: customer } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    for (const worker of workers) {
      worker.child.kill('SIGCONT');
      await worker.stop();
    }
    await sql?.end();
    await database?.drop();
    await catalog?.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((name) => name.startsWith(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  });

  const start = async () => {
    const startedAt = Date.now();
    const worker = await startAggregationWorker({
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers,
      ABAXUS_TOPIC_PREFIX: prefix,
      CATALOG_URL: catalog.url,
      ABAXUS_DB_POOL_SIZE: '3',
      ABAXUS_STRONG_READ_TIMEOUT_MS: '1000',
    });
    workers.push(worker);
    return { worker, listeningMs: Date.now() - startedAt };
  };

  const compute = (worker: WorkerProcess, customer: string) =>
    fetch(`${worker.url}/v1/usage/compute`, {
      method: 'POST',
      body: JSON.stringify({ customer_id: customer, metric_key: 'calls', period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' }),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as { value?: string; code?: string } }));

  it('answers exactly for the live partitions while another replica stalls, and a new replica listens at once', async () => {
    const { worker: live, listeningMs: firstListeningMs } = await start();
    const { worker: stalled } = await start();
    const admin = kafka.admin();
    await admin.connect();
    await pollUntil(
      async () => {
        const [group] = (await admin.describeGroups([`${prefix}aggregation`])).groups;
        expect(group.state).toBe('Stable');
        expect(group.members).toHaveLength(2);
        const sizes = group.members.map((member) => AssignerProtocol.MemberAssignment.decode(member.memberAssignment)!.assignment[topic]?.length ?? 0);
        expect(sizes.sort()).toEqual([PARTITIONS / 2, PARTITIONS / 2]);
        return sizes;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await admin.disconnect();
    stalled.child.kill('SIGSTOP');

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: customers.flatMap((customer) =>
        Array.from({ length: EVENTS_PER_CUSTOMER }, (_, i) => ({
          key: customer,
          value: JSON.stringify({
            customer_id: customer,
            metric_key: 'calls',
            value: String(i + 1),
            timestamp: '2026-03-10T10:00:00Z',
            idempotency_key: `${customer}-${i}`,
          }),
        })),
      ),
    });
    await producer.disconnect();

    // The live replica stores its partitions (those with events: a stable, non-empty set); the
    // stopped one's stay where they were.
    const ends = new Map<number, number>();
    for (const customer of customers)
      ends.set(partitionForKey(customer, PARTITIONS), (ends.get(partitionForKey(customer, PARTITIONS)) ?? 0) + EVENTS_PER_CUSTOMER);
    const caughtUp = async () => {
      const { rows } = await sql.query<{ partition: number; next_offset: string }>(
        'SELECT partition, next_offset FROM aggregation.consumer_positions WHERE topic = $1',
        [TOPICS.usageEvents],
      );
      return rows
        .filter((row) => Number(row.next_offset) === ends.get(row.partition))
        .map((row) => row.partition)
        .sort();
    };
    const livePartitions = new Set(
      await pollUntil(
        async () => {
          const first = await caughtUp();
          expect(first.length).toBeGreaterThan(0);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          expect(await caughtUp()).toEqual(first);
          return first;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      ),
    );
    expect(livePartitions.size).toBeLessThan(PARTITIONS);

    const answers = await Promise.all(
      customers.map(async (customer) => ({ customer, partition: partitionForKey(customer, PARTITIONS), ...(await compute(live, customer)) })),
    );
    for (const answer of answers) {
      if (livePartitions.has(answer.partition)) expect({ ...answer, body: answer.body.value }).toEqual({ ...answer, status: 200, body: SUM_PER_CUSTOMER });
      else expect({ ...answer, body: answer.body.code }).toEqual({ ...answer, status: 503, body: 'usage_not_caught_up' });
    }
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    expect(answers.some((answer) => answer.status === 503)).toBe(true);

    // The stopped replica dies; a new one listens at once although the group is still waiting for it.
    await stalled.kill();
    const { worker: replacement, listeningMs } = await start();
    expect(listeningMs).toBeLessThan(10_000);
    expect((await fetch(`${replacement.url}/health/live`)).status).toBe(200);

    // Once the dead member's session ran out, its partitions are taken over: every figure exact.
    for (const customer of customers) {
      await pollUntil(
        async () => expect(await compute(replacement, customer)).toEqual({ status: 200, body: expect.objectContaining({ value: SUM_PER_CUSTOMER }) }),
        {
          timeoutMs: 60_000,
          intervalMs: 250,
        },
      );
    }
    console.log(
      `partition reads: ${answers.filter((a) => a.status === 200).length}/${CUSTOMERS} customers exact while a replica stalled; ` +
        `first replica listening after ${firstListeningMs} ms, a replacement (group still rebalancing) after ${listeningMs} ms`,
    );
  }, 180_000);
});
