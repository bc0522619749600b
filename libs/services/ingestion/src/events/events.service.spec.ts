import { ServiceHttpClient, ServiceResponse } from '@abaxus/platform/service/service-http-client';
import { problemOf } from '@abaxus/platform/testing/problem-of';
import { CatalogCopyService, CatalogRefs } from '@abaxus/usage-events/catalog-copy/catalog-copy.service';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';
import { EventsService } from './events.service';
import { UsageEventPublisher } from './usage-event.publisher';

/** Aggregation's internal endpoint for backfills (it owns the events store). */
const BACKFILL_INTERNAL_PATH = '/internal/v1/events/backfill';

/** A catalog copy that knows one customer and a sum metric, and counts the lookups. */
class FakeCatalogCopy {
  lookups: CatalogRefs[] = [];

  async resolve(refs: CatalogRefs) {
    this.lookups.push(refs);
    return {
      metric: (key: string) => (key === 'api_calls' ? { aggregationType: 'sum' as const, valueType: 'integer' as const } : undefined),
      hasCustomer: (id: string) => id === 'cust_acme',
      subscriptionOwner: () => undefined,
    };
  }
}

/** Records each bus write it is asked for, or fails them all. */
class FakePublisher {
  readonly writes: ValidUsageEvent[][] = [];
  failure: Error | undefined;

  async publish(events: ValidUsageEvent[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.writes.push(events);
  }
}

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customer_id: 'cust_acme',
    metric_key: 'api_calls',
    value: '5',
    timestamp: '2026-03-17T14:00:00Z',
    idempotency_key: `evt_${Math.random()}`,
    ...overrides,
  };
}

describe('EventsService', () => {
  let catalogCopy: FakeCatalogCopy;
  let publisher: FakePublisher;
  let calls: Array<{ service: string; method: string; path: string; body: unknown; timeoutMs: number | undefined }>;
  let service: EventsService;

  beforeEach(() => {
    catalogCopy = new FakeCatalogCopy();
    publisher = new FakePublisher();
    calls = [];
    const http = {
      call: async (service: string, method: string, path: string, body: unknown, timeoutMs?: number): Promise<ServiceResponse> => {
        calls.push({ service, method, path, body, timeoutMs });
        return { status: 207, body: { results: [] } };
      },
    };
    service = new EventsService(
      new UsageEventValidator(catalogCopy as unknown as CatalogCopyService),
      publisher as unknown as UsageEventPublisher,
      http as unknown as ServiceHttpClient,
    );
  });

  it('accepts a valid event once it is published, answering its idempotency key', async () => {
    const body = event({ idempotency_key: 'evt_1' });
    expect(await service.acceptOne(body)).toEqual({ idempotency_key: 'evt_1', status: 'accepted' });
    expect(publisher.writes).toEqual([[expect.objectContaining({ idempotencyKey: 'evt_1', customerId: 'cust_acme', metricKey: 'api_calls', value: '5' })]]);
  });

  it('refuses an invalid event with 400 naming the fields (no prefix), publishing nothing', async () => {
    const problem = await problemOf(service.acceptOne(event({ customer_id: 'cust_nobody', value: 'five' })));
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(problem.errors!.map((error) => error.field).sort()).toEqual(['customer_id', 'value']);
    expect(publisher.writes).toEqual([]);
  });

  it('publishes the valid items of a batch in one write, in order, and answers one result per item', async () => {
    const items = [event({ idempotency_key: 'a' }), event({ metric_key: 'nothing', idempotency_key: 'b' }), 42, event({ idempotency_key: 'c' })];
    const { results } = await service.acceptBatch({ events: items });
    expect(results.map((result) => [result.index, result.idempotency_key, result.status])).toEqual([
      [0, 'a', 202],
      [1, 'b', 400],
      [2, null, 400],
      [3, 'c', 202],
    ]);
    expect(results[1].error?.errors).toEqual([{ field: 'events[1].metric_key', message: 'no metric "nothing" exists' }]);
    expect(publisher.writes.map((write) => write.map((accepted) => accepted.idempotencyKey))).toEqual([['a', 'c']]);
    // The catalog facts of the whole batch are looked up at once.
    expect(catalogCopy.lookups).toHaveLength(1);
  });

  it('refuses a batch of more than 500 events with 413 before looking anything up', async () => {
    const problem = await problemOf(service.acceptBatch({ events: Array.from({ length: 501 }, () => event()) }));
    expect(problem).toMatchObject({ status: 413, code: 'too_many_events' });
    expect([catalogCopy.lookups, publisher.writes]).toEqual([[], []]);
  });

  it('answers 503 bus_unavailable when the events cannot be made durable, for one event and for a batch', async () => {
    publisher.failure = new Error('broker down');
    expect(await problemOf(service.acceptOne(event()))).toMatchObject({ status: 503, code: 'bus_unavailable' });
    expect(await problemOf(service.acceptBatch({ events: [event()] }))).toMatchObject({ status: 503, code: 'bus_unavailable' });
  });

  it("hands a backfill to aggregation's internal endpoint as it came, with a long timeout, and answers aggregation's answer", async () => {
    const body = { events: [event()] };
    expect(await service.backfill(body)).toEqual({ status: 207, body: { results: [] } });
    expect(calls).toEqual([{ service: 'aggregation', method: 'POST', path: BACKFILL_INTERNAL_PATH, body, timeoutMs: 120_000 }]);
    expect(publisher.writes).toEqual([]);
  });
});
