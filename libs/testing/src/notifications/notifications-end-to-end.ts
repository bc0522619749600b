import { randomBytes } from 'node:crypto';
import { TOPICS } from '@abaxus/contracts/topics';
import { createMessageBus } from '@abaxus/platform/bus/create-message-bus';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { boundedTeardown } from '@abaxus/platform/testing/bounded-teardown';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { WebhookReceiver } from '@abaxus/services/notifications/testing/webhook-receiver';
import { BillingScenario, expectStatus, uniqueId } from '../invoicing/billing-scenario.factory';
import { startTestEngine, TestEngine } from '../test-engine';

/**
 * Outbound webhooks and usage alerts through the whole engine (gateway, every service, the bus of
 * the given kind), to a real receiver that verifies each signature with `standardwebhooks`.
 */
export function describeNotificationsEndToEnd(bus: 'embedded' | 'kafka'): void {
  describe(`webhooks and usage alerts end to end (${bus} bus)`, () => {
    let engine: TestEngine;
    let receiver: WebhookReceiver;
    let producer: MessageBus;
    let scenario: BillingScenario;

    beforeAll(async () => {
      engine = await startTestEngine({ bus });
      receiver = await WebhookReceiver.start();
      scenario = new BillingScenario(engine);
      const config = loadConfig({
        DATABASE_URL: engine.databaseUrl,
        ABAXUS_TOPIC_PREFIX: engine.topicPrefix,
        ...(bus === 'kafka' ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS! } : {}),
      });
      producer = createMessageBus(config, engine.databaseUrl, 'e2e-producer');
    });

    afterAll(
      () =>
        boundedTeardown(`notifications e2e (${bus})`, [
          ['the producer', () => producer?.close()],
          ['the engine', () => engine?.stop()],
          ['the receiver', () => receiver?.close()],
        ]),
      180_000,
    );

    async function endpoint(events: string[]): Promise<string> {
      const path = uniqueId('hook');
      const created = expectStatus(await engine.api('POST', '/v1/webhook-endpoints', { url: receiver.path(path), events }), 201);
      receiver.useSecret(path, created.body.secret);
      return path;
    }

    it('delivers invoice.issued, signed, when an invoice is issued', async () => {
      const path = await endpoint(['invoice.issued']);
      const plan = await scenario.plan([{ model: 'flat_fee', properties: { amount: '29.00' } }]);
      const customer = await scenario.customer();
      await scenario.subscription(customer, plan, '2026-01-01T00:00:00Z');
      const invoice = expectStatus(await engine.api('POST', '/v1/invoices', { customer_id: customer, cutoff_date: '2026-02-01T00:00:00Z' }), 201).body;

      const [request] = await pollUntil(async () => {
        const received = receiver.acceptedAt(path);
        if (received.length === 0) throw new Error('nothing received yet');
        return received;
      });
      expect(request.verified).toBe(true);
      expect(request.payload).toMatchObject({
        type: 'invoice.issued',
        data: { invoice_id: invoice.id, number: invoice.number, customer_id: customer, total_amount: '29.00', currency: 'USD', status: 'issued' },
      });
      const endpoints = (await engine.api('GET', '/v1/webhook-endpoints')).body.data as Array<{ id: string; url: string }>;
      const id = endpoints.find((candidate) => candidate.url === receiver.path(path))!.id;
      const deliveries = await engine.api('GET', `/v1/webhook-endpoints/${id}/deliveries`);
      expect(deliveries.body.data).toEqual([expect.objectContaining({ event_id: request.id, status: 'succeeded', response_status: 200, attempts: 1 })]);
    });

    it('fires a usage alert once per period while many requests ingest usage concurrently', async () => {
      const path = await endpoint(['usage.alert_triggered']);
      const metric = await scenario.metric();
      const customer = await scenario.customer();
      const alert = expectStatus(await engine.api('POST', '/v1/alerts', { customer_id: customer, metric_key: metric, threshold: { usage: '150' } }), 201).body;
      const now = new Date().toISOString();
      // 20 requests at once, 10 events each, 1 unit per event: the threshold is crossed once, somewhere in the middle.
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          engine.api('POST', '/v1/events/batch', {
            events: Array.from({ length: 10 }, () => ({
              customer_id: customer,
              metric_key: metric,
              value: '1',
              timestamp: now,
              idempotency_key: uniqueId('evt'),
            })),
          }),
        ),
      );
      expect(results.map((result) => result.status)).toEqual(Array(20).fill(207));
      await pollUntil(async () => expect(receiver.acceptedAt(path)).toHaveLength(1), { timeoutMs: 30_000 });
      const [firing] = receiver.acceptedAt(path);
      expect(firing.verified).toBe(true);
      expect(firing.payload).toMatchObject({
        type: 'usage.alert_triggered',
        data: { alert_id: alert.id, customer_id: customer, metric_key: metric, threshold: { usage: '150' } },
      });
      expect(Number(firing.payload.data.value)).toBeGreaterThanOrEqual(150);
      const shown = await pollUntil(async () => {
        const body = (await engine.api('GET', `/v1/alerts/${alert.id}`)).body;
        expect(body.triggers).toHaveLength(1);
        return body;
      });
      expect(shown.triggers[0]).toMatchObject({ event_id: firing.id, value: firing.payload.data.value });

      // Everything is aggregated (the strong read says 200) and still only one firing.
      const month = new Date(now);
      const periodStart = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1)).toISOString();
      const periodEnd = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1)).toISOString();
      const usage = expectStatus(
        await engine.api('POST', '/v1/usage/compute', { customer_id: customer, metric_key: metric, period_start: periodStart, period_end: periodEnd }),
        200,
      );
      expect(usage.body.value).toBe('200');
      await engine.api('POST', '/v1/events', { customer_id: customer, metric_key: metric, value: '1', timestamp: now, idempotency_key: uniqueId('evt') });
      await pollUntil(async () =>
        expect(
          (await engine.api('POST', '/v1/usage/compute', { customer_id: customer, metric_key: metric, period_start: periodStart, period_end: periodEnd })).body
            .value,
        ).toBe('201'),
      );
      expect(receiver.acceptedAt(path)).toHaveLength(1);
    });

    it('tells producers of refused events (events.rejected): refused in a batch, and dead-lettered from the topic', async () => {
      const path = await endpoint(['events.rejected']);
      const metric = await scenario.metric();
      const customer = await scenario.customer();
      const batch = await engine.api('POST', '/v1/events/batch', {
        events: [
          { customer_id: customer, metric_key: metric, value: '1', timestamp: new Date().toISOString(), idempotency_key: uniqueId('ok') },
          { customer_id: customer, metric_key: metric, value: 'ten', timestamp: new Date().toISOString(), idempotency_key: 'refused_in_batch' },
        ],
      });
      expect(batch.body.results.map((result: { status: number }) => result.status)).toEqual([202, 400]);
      // A producer publishing straight to the usage topic, with an event the engine refuses.
      const key = `refused_on_topic_${randomBytes(3).toString('hex')}`;
      await producer.publish([
        {
          topic: TOPICS.usageEvents,
          key: customer,
          value: JSON.stringify({ customer_id: customer, metric_key: 'no_such_metric', value: '1', timestamp: new Date().toISOString(), idempotency_key: key }),
        },
      ]);
      await pollUntil(async () => expect(receiver.acceptedAt(path)).toHaveLength(2), { timeoutMs: 30_000 });
      const bySource = Object.fromEntries(receiver.acceptedAt(path).map((request) => [request.payload.data.source as string, request.payload]));
      expect(bySource.batch).toMatchObject({
        type: 'events.rejected',
        data: { customer_id: customer, idempotency_key: 'refused_in_batch', reason: expect.stringContaining('events[1].value'), event: { value: 'ten' } },
      });
      expect(bySource.dead_letter).toMatchObject({
        type: 'events.rejected',
        data: { customer_id: customer, idempotency_key: key, reason: expect.stringContaining('validation_failed'), event: { metric_key: 'no_such_metric' } },
      });
      expect(receiver.acceptedAt(path).every((request) => request.verified)).toBe(true);
    });
  });
}
