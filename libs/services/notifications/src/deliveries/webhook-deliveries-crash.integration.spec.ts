import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { createMessageBus } from '@abaxus/platform/bus/create-message-bus';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { invoiceFact } from '../testing/bus-facts';
import { NotificationsWorker, startNotificationsWorker } from '../testing/notifications-worker-process';
import { WebhookReceiver } from '../testing/webhook-receiver';
import { webhookEventId } from '../webhook-events/webhook-event';

const CUSTOMERS = 8;
const FACTS_PER_PHASE = 240;

/**
 * The notifications service in a child process, SIGKILLed while it sends (deliveries claimed and
 * requests in flight) with more facts published while it is down, then started again: every event
 * reaches the receiver (at least once), each customer's in order, and the deliveries table holds
 * exactly one delivery per event. On the embedded bus and on Kafka.
 */
describe.each(['embedded', 'kafka'] as const)('webhook deliveries across a SIGKILL (%s bus)', (busKind) => {
  let database: TestDatabase;
  let bus: MessageBus;
  let receiver: WebhookReceiver;
  let worker: NotificationsWorker | undefined;
  let sql: Client;
  const prefix = `crash${randomBytes(4).toString('hex')}.`;

  const workerEnv = () => ({
    DATABASE_URL: database.url,
    ABAXUS_TOPIC_PREFIX: prefix,
    ABAXUS_DB_POOL_SIZE: '4',
    ABAXUS_WEBHOOK_TIMEOUT_MS: '2000',
    ABAXUS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
    ...(busKind === 'kafka' ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS! } : {}),
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const config = loadConfig({
      DATABASE_URL: database.url,
      ABAXUS_TOPIC_PREFIX: prefix,
      ...(busKind === 'kafka' ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS! } : {}),
    });
    bus = createMessageBus(config, database.url, 'crash-test-publisher');
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await bus?.close();
    await receiver?.close();
    await sql?.end();
    await database?.drop();
    if (busKind === 'kafka') {
      const admin = new Kafka({ clientId: 'crash-test-cleanup', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)) }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('loses no delivery and invents none', async () => {
    worker = await startNotificationsWorker(workerEnv());
    const created = await fetch(`${worker.url}/v1/webhook-endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.path('crash'), events: ['invoice.issued', 'invoice.paid'] }),
    });
    const endpoint = (await created.json()) as { id: string; secret: string };
    receiver.useSecret('crash', endpoint.secret);
    // Slow enough that deliveries are in flight when the process dies.
    receiver.answer(() => ({ status: 200, delayMs: 5 + Math.floor(Math.random() * 20) }));

    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `cust_${i}_${randomBytes(3).toString('hex')}`);
    const expectedOrder = new Map<string, string[]>(customers.map((customer) => [customer, []]));
    const publishPhase = async (phase: number) => {
      for (let start = 0; start < FACTS_PER_PHASE; start += 40) {
        const facts = Array.from({ length: 40 }, (_, i) => {
          const customer = customers[(start + i) % CUSTOMERS];
          const fact = invoiceFact(customer, (start + i) % 2 === 0 ? 'invoice.issued' : 'invoice.paid', { number: `P${phase}-${start + i}` });
          expectedOrder.get(customer)!.push(webhookEventId(`invoicing:${fact.envelope.event_id}`));
          return fact.message;
        });
        await bus.publish(facts);
      }
    };

    await publishPhase(1);
    await pollUntil(async () => expect(receiver.acceptedAt('crash').length).toBeGreaterThanOrEqual(40), { timeoutMs: 60_000, intervalMs: 5 });
    await worker.kill();
    const beforeCrash = new Set(receiver.acceptedAt('crash').map((request) => request.id)).size;
    expect(beforeCrash).toBeLessThan(FACTS_PER_PHASE);
    await publishPhase(2);

    worker = await startNotificationsWorker(workerEnv());
    const allIds = [...expectedOrder.values()].flat();
    await pollUntil(
      async () => {
        const delivered = new Set(receiver.acceptedAt('crash').map((request) => request.id));
        expect(allIds.filter((id) => !delivered.has(id))).toEqual([]);
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );

    // Every request was signed; each customer's events arrived in publishing order (first arrivals).
    expect(receiver.at('crash').every((request) => request.verified)).toBe(true);
    for (const [customer, ids] of expectedOrder) {
      const firstArrivals: string[] = [];
      for (const request of receiver.acceptedAt('crash')) {
        if (request.payload.data.customer_id === customer && !firstArrivals.includes(request.id)) firstArrivals.push(request.id);
      }
      expect([customer, firstArrivals]).toEqual([customer, ids]);
    }
    const rows = await sql.query(
      `SELECT status, count(*)::int AS n, count(DISTINCT event_id)::int AS events FROM notifications.webhook_deliveries GROUP BY status`,
    );
    expect(rows.rows).toEqual([{ status: 'succeeded', n: 2 * FACTS_PER_PHASE, events: 2 * FACTS_PER_PHASE }]);
  }, 240_000);
});
