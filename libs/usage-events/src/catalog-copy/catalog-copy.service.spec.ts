import { CatalogEventEnvelope } from '@abaxus/contracts/catalog-events';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient, ServiceResponse } from '@abaxus/platform/service/service-http-client';
import { MetricFacts } from '../usage-event-rules';
import { CatalogCopyRepository, CustomerFacts, SubscriptionOwner } from './catalog-copy.repository';
import { CatalogCopyService } from './catalog-copy.service';

/* The copy's lookup order (memory, table, catalog) with the table and the catalog replaced by fakes. */

function harness(catalog: Record<string, ServiceResponse>) {
  const tables = {
    metrics: new Map<string, MetricFacts>(),
    customers: new Map<string, CustomerFacts>(),
    subscriptions: new Map<string, SubscriptionOwner>(),
  };
  const tableReads: string[] = [];
  const catalogReads: string[] = [];
  const read =
    <T>(name: string, table: Map<string, T>) =>
    async (ids: string[]) => {
      tableReads.push(`${name}:${ids.join(',')}`);
      return new Map(ids.filter((id) => table.has(id)).map((id) => [id, table.get(id)!]));
    };
  const write =
    <T>(table: Map<string, T>) =>
    async (entries: Map<string, T>) => {
      for (const [id, entry] of entries) table.set(id, entry);
    };
  const repository = {
    findMetrics: read('metrics', tables.metrics),
    findCustomers: read('customers', tables.customers),
    findSubscriptions: read('subscriptions', tables.subscriptions),
    saveMetrics: write(tables.metrics),
    saveCustomers: write(tables.customers),
    saveSubscriptions: write(tables.subscriptions),
  } as unknown as CatalogCopyRepository;
  const http = {
    call: async (_service: string, _method: string, path: string) => {
      catalogReads.push(path);
      return catalog[path] ?? { status: 404, body: { code: 'not_found' } };
    },
  } as unknown as ServiceHttpClient;
  return { service: new CatalogCopyService(repository, http), tables, tableReads, catalogReads };
}

const refs = (metricKeys: string[], customerIds: string[], subscriptionIds: string[]) => ({ metricKeys, customerIds, subscriptionIds });

describe('CatalogCopyService', () => {
  it('answers from the table, then asks the catalog for the rest and keeps its answers in the table', async () => {
    const { service, tables, tableReads, catalogReads } = harness({
      '/v1/metrics/calls': { status: 200, body: { key: 'calls', aggregation_type: 'sum', value_type: 'integer' } },
      '/v1/customers/cust_b': { status: 200, body: { id: 'cust_b' } },
      '/v1/subscriptions/sub_1': { status: 200, body: { id: 'sub_1', customer_id: 'cust_a' } },
    });
    tables.customers.set('cust_a', true);
    const facts = await service.resolve(refs(['calls', 'calls'], ['cust_a', 'cust_b'], ['sub_1']));
    expect(facts.metric('calls')).toEqual({ aggregationType: 'sum', valueType: 'integer', dimensions: [] });
    expect([facts.hasCustomer('cust_a'), facts.hasCustomer('cust_b'), facts.hasCustomer('cust_c')]).toEqual([true, true, false]);
    expect(facts.subscriptionOwner('sub_1')).toBe('cust_a');
    expect(tableReads.sort()).toEqual(['customers:cust_a,cust_b', 'metrics:calls', 'subscriptions:sub_1']);
    expect(catalogReads.sort()).toEqual(['/v1/customers/cust_b', '/v1/metrics/calls', '/v1/subscriptions/sub_1']);
    expect([...tables.metrics.keys(), ...tables.customers.keys(), ...tables.subscriptions.keys()]).toEqual(['calls', 'cust_a', 'cust_b', 'sub_1']);
  });

  it('remembers what it found, so the next lookup touches neither the table nor the catalog', async () => {
    const { service, tableReads, catalogReads } = harness({ '/v1/customers/cust_a': { status: 200, body: { id: 'cust_a' } } });
    await service.resolve(refs([], ['cust_a'], []));
    tableReads.length = 0;
    catalogReads.length = 0;
    expect((await service.resolve(refs([], ['cust_a'], []))).hasCustomer('cust_a')).toBe(true);
    expect([tableReads, catalogReads]).toEqual([[], []]);
  });

  it('never remembers a missing entity: one created a moment later is found', async () => {
    const catalog: Record<string, ServiceResponse> = {};
    const { service } = harness(catalog);
    expect((await service.resolve(refs([], ['cust_new'], []))).hasCustomer('cust_new')).toBe(false);
    catalog['/v1/customers/cust_new'] = { status: 200, body: { id: 'cust_new' } };
    expect((await service.resolve(refs([], ['cust_new'], []))).hasCustomer('cust_new')).toBe(true);
  });

  it('ignores a metric record whose types it cannot use', async () => {
    const { service, tables } = harness({ '/v1/metrics/odd': { status: 200, body: { key: 'odd', aggregation_type: 'sum', value_type: 'string' } } });
    expect((await service.resolve(refs(['odd'], [], []))).metric('odd')).toBeUndefined();
    expect(tables.metrics.size).toBe(0);
  });

  it('answers 503 when the catalog cannot answer', async () => {
    const { service } = harness({ '/v1/metrics/calls': { status: 500, body: {} } });
    const error = await service.resolve(refs(['calls'], [], [])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).problem).toMatchObject({ status: 503, code: 'catalog_unavailable' });
  });

  it('applies catalog events to the table and to memory', async () => {
    const { service, tables, tableReads, catalogReads } = harness({});
    const envelope = (event: object) => ({ event_id: 'e', occurred_at: '2026-03-17T14:00:00Z', ...event }) as CatalogEventEnvelope;
    await service.apply([
      envelope({ type: 'metric.created', data: { key: 'calls', aggregation_type: 'max', value_type: 'decimal' } }),
      envelope({ type: 'customer.created', data: { id: 'cust_a' } }),
      envelope({ type: 'subscription.created', data: { id: 'sub_1', customer_id: 'cust_a' } }),
      envelope({ type: 'price_plan_version.created', data: { id: 'plan_1' } }),
    ]);
    expect([...tables.metrics, ...tables.customers, ...tables.subscriptions]).toEqual([
      ['calls', { aggregationType: 'max', valueType: 'decimal', dimensions: [] }],
      ['cust_a', true],
      ['sub_1', 'cust_a'],
    ]);
    const facts = await service.resolve(refs(['calls'], ['cust_a'], ['sub_1']));
    expect([facts.metric('calls')?.aggregationType, facts.hasCustomer('cust_a'), facts.subscriptionOwner('sub_1')]).toEqual(['max', true, 'cust_a']);
    expect([tableReads, catalogReads]).toEqual([[], []]);
  });
});
