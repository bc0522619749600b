import { MetricRecord } from '@abaxus/contracts/catalog-events';
import { problemOf } from '@abaxus/platform/testing/problem-of';
import { FakeCatalogTransactions, listNewestFirst } from '../testing/fake-catalog-transactions';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';

const CREATED_AT = '2026-01-01T00:00:00.000Z';

/** The metrics table in memory: keys are unique and never overwritten. */
class FakeMetricsRepository {
  readonly metrics: MetricRecord[] = [];

  async insert(_manager: unknown, metric: Omit<MetricRecord, 'created_at'>): Promise<MetricRecord | undefined> {
    if (this.metrics.some((existing) => existing.key === metric.key)) return undefined;
    const record = { ...metric, created_at: CREATED_AT };
    this.metrics.push(record);
    return record;
  }

  async find(key: string): Promise<MetricRecord | undefined> {
    return this.metrics.find((metric) => metric.key === key);
  }

  async list(limit: number, startingAfter: string | undefined): Promise<MetricRecord[] | undefined> {
    return listNewestFirst(this.metrics, (metric) => metric.key, limit, startingAfter);
  }

  async existingKeys(keys: string[]): Promise<Map<string, string[]>> {
    return new Map(this.metrics.filter((metric) => keys.includes(metric.key)).map((metric) => [metric.key, metric.dimensions]));
  }
}

describe('MetricsService', () => {
  let repository: FakeMetricsRepository;
  let transactions: FakeCatalogTransactions;
  let service: MetricsService;

  beforeEach(() => {
    repository = new FakeMetricsRepository();
    transactions = new FakeCatalogTransactions();
    service = new MetricsService(repository as unknown as MetricsRepository, transactions.asTransactions());
  });

  it('stores the metric with its name defaulting to the key and its value_type to integer, and publishes metric.created', async () => {
    const created = await service.create({ key: 'api_calls', aggregation_type: 'count' });
    expect(created).toEqual({ key: 'api_calls', name: 'api_calls', aggregation_type: 'count', value_type: 'integer', dimensions: [], created_at: CREATED_AT });
    expect(repository.metrics).toEqual([created]);
    expect(transactions.published).toEqual([{ type: 'metric.created', data: created }]);
  });

  it('refuses value_type string on anything but unique_count, naming value_type, and stores nothing', async () => {
    const problem = await problemOf(service.create({ key: 'region', aggregation_type: 'sum', value_type: 'string' }));
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field: 'value_type' }] });
    expect(repository.metrics).toEqual([]);
    expect(transactions.published).toEqual([]);
    await expect(service.create({ key: 'regions', aggregation_type: 'unique_count', value_type: 'string' })).resolves.toMatchObject({ value_type: 'string' });
  });

  it('answers an existing key with 409 metric_exists and publishes nothing for it', async () => {
    await service.create({ key: 'api_calls', aggregation_type: 'sum', value_type: 'integer' });
    const problem = await problemOf(service.create({ key: 'api_calls', aggregation_type: 'max', value_type: 'decimal' }));
    expect(problem).toMatchObject({ status: 409, code: 'metric_exists' });
    expect(repository.metrics.map((metric) => metric.aggregation_type)).toEqual(['sum']);
    expect(transactions.published).toHaveLength(1);
  });

  it('answers an unknown key with 404 not_found', async () => {
    expect(await problemOf(service.get('nothing'))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('pages newest first, and refuses a cursor that names no metric', async () => {
    for (const key of ['a', 'b', 'c']) await service.create({ key, aggregation_type: 'sum', value_type: 'integer' });
    const first = await service.list({ limit: '2' });
    expect(first).toMatchObject({ has_more: true, next_cursor: 'b' });
    expect(first.data.map((metric) => metric.key)).toEqual(['c', 'b']);
    const second = await service.list({ limit: '2', starting_after: 'b' });
    expect(second).toMatchObject({ has_more: false, next_cursor: null });
    expect(second.data.map((metric) => metric.key)).toEqual(['a']);
    expect(await problemOf(service.list({ starting_after: 'z' }))).toMatchObject({ status: 400, errors: [{ field: 'starting_after' }] });
  });
});
