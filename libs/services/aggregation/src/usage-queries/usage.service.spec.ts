import { partitionForKey } from '@abaxus/platform/bus/key-partition';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { problemOf } from '@abaxus/platform/testing/problem-of';
import { CatalogCopyService, CatalogRefs } from '@abaxus/usage-events/catalog-copy/catalog-copy.service';
import { UsageQueryRepository } from './usage-query.repository';
import { UsageService } from './usage.service';

/** Consumer positions and exact aggregates in memory; `stored` is what the SQL would answer. */
class FakeUsageQueries {
  positions = new Map<number, bigint>();
  stored: string | null = null;
  exactReads = 0;

  async positionsOf(): Promise<Map<number, bigint>> {
    return new Map(this.positions);
  }

  async exactAggregate(): Promise<Array<{ group: Array<string | null>; figure: string | null }>> {
    this.exactReads += 1;
    return [{ group: [], figure: this.stored }];
  }
}

/** One customer with one subscription, and a metric per aggregation type named after it. */
const catalogCopy = {
  async resolve(_refs: CatalogRefs) {
    return {
      metric: (key: string) =>
        ['sum', 'max', 'latest'].includes(key) ? { aggregationType: key as 'sum' | 'max' | 'latest', valueType: 'decimal' as const } : undefined,
      hasCustomer: (id: string) => id === 'cust_acme' || id === 'cust_other',
      subscriptionOwner: (id: string) => (id === 'sub_acme' ? 'cust_acme' : undefined),
    };
  },
};

const query = (overrides: Record<string, unknown> = {}) => ({
  customer_id: 'cust_acme',
  metric_key: 'sum',
  period_start: '2026-03-01T00:00:00Z',
  period_end: '2026-04-01T00:00:00Z',
  ...overrides,
});

/** The partition of cust_acme's events on a two-partition topic, and the other one. */
const MINE = partitionForKey('cust_acme', 2);
const OTHER = 1 - MINE;

describe('UsageService', () => {
  let store: FakeUsageQueries;
  let ends: Map<number, string> | Error;

  const service = (strongReadTimeoutMs = 2000) => {
    const repository = { positions: () => store.positionsOf(), exactAggregate: () => store.exactAggregate(), lastStoredAt: async () => null };
    const bus = {
      endOffsets: async () => {
        if (ends instanceof Error) throw ends;
        return ends;
      },
    };
    return new UsageService(repository as unknown as UsageQueryRepository, catalogCopy as unknown as CatalogCopyService, bus as unknown as MessageBus, {
      ...loadConfig({}),
      strongReadTimeoutMs,
    });
  };

  beforeEach(() => {
    store = new FakeUsageQueries();
    ends = new Map([
      [MINE, '10'],
      [OTHER, '4'],
    ]);
  });

  it('answers compute once the consumer stored past every offset of the customer’s partition acknowledged before the call, whatever the other partitions', async () => {
    store.positions = new Map([[OTHER, 4n]]);
    store.stored = '12.500';
    let answered = false;
    const compute = service()
      .compute(query())
      .then((value) => {
        answered = true;
        return value;
      });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect([answered, store.exactReads]).toEqual([false, 0]);
    store.positions = new Map([[MINE, 10n]]);
    expect(await compute).toEqual({ value: '12.5', meta: { consistency: 'strong', as_of: expect.stringMatching(/Z$/) } });
  });

  it('refuses an exact figure with 503 usage_not_caught_up, naming the lag, when the consumer does not catch up in time', async () => {
    store.positions = new Map([
      [MINE, 3n],
      [OTHER, 4n],
    ]);
    const problem = await problemOf(service(50).compute(query()));
    expect(problem).toMatchObject({ status: 503, code: 'usage_not_caught_up', lag: '7' });
    expect(store.exactReads).toBe(0);
  });

  it('answers 503 bus_unavailable when the bus cannot tell its end offsets', async () => {
    ends = new Error('broker down');
    expect(await problemOf(service().compute(query()))).toMatchObject({ status: 503, code: 'bus_unavailable' });
  });

  it('formats exact figures like the domain: an empty sum is 0, an empty max has no value, a latest value is kept as stored', async () => {
    ends = new Map();
    const exact = async (metric: string, stored: string | null) => {
      store.stored = stored;
      return (await service().compute(query({ metric_key: metric }))).value;
    };
    expect([await exact('sum', null), await exact('max', null), await exact('max', '10.000'), await exact('latest', '1.50')]).toEqual([
      '0',
      null,
      '10',
      '1.50',
    ]);
  });

  it('answers 404 for an unknown metric, customer or subscription, and 400 for a subscription of another customer', async () => {
    ends = new Map();
    const usage = service();
    expect(await problemOf(usage.compute(query({ metric_key: 'nothing' })))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await problemOf(usage.compute(query({ customer_id: 'cust_nobody' })))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await problemOf(usage.compute(query({ subscription_id: 'sub_nothing' })))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await problemOf(usage.compute(query({ customer_id: 'cust_other', subscription_id: 'sub_acme' })))).toMatchObject({
      status: 400,
      errors: [{ field: 'subscription_id' }],
    });
    expect(store.exactReads).toBe(0);
  });

  it('refuses a histogram of more than 10,000 buckets, naming granularity', async () => {
    const problem = await problemOf(
      service().histogram(query({ period_start: '2020-01-01T00:00:00Z', period_end: '2026-01-01T00:00:00Z', granularity: 'hour' })),
    );
    expect(problem).toMatchObject({ status: 400, errors: [{ field: 'granularity' }] });
  });
});
