import { PricePlanVersionRecord } from '@abaxus/contracts/catalog-events';
import { problemOf } from '@abaxus/platform/testing/problem-of';
import { MetricsService } from '../metrics/metrics.service';
import { FakeCatalogTransactions, listNewestFirst } from '../testing/fake-catalog-transactions';
import { PricePlansRepository } from './price-plans.repository';
import { PricePlansService } from './price-plans.service';

/** Plans and their versions in memory: a head per plan with its latest version number. */
class FakePricePlansRepository {
  readonly versions: PricePlanVersionRecord[] = [];
  readonly heads: Array<{ id: string; latest: number }> = [];
  readonly calls: string[] = [];

  async nextVersion(_manager: unknown, planId: string): Promise<number> {
    const head = this.heads.find((candidate) => candidate.id === planId);
    if (head) return ++head.latest;
    this.heads.push({ id: planId, latest: 1 });
    return 1;
  }

  async insertVersion(_manager: unknown, plan: Omit<PricePlanVersionRecord, 'created_at'>): Promise<PricePlanVersionRecord> {
    const record = { ...plan, created_at: '2026-01-01T00:00:00.000Z' };
    this.versions.push(record);
    return record;
  }

  async findLatest(planId: string): Promise<PricePlanVersionRecord | undefined> {
    const latest = await this.latestVersionNumber(planId);
    return latest === undefined ? undefined : this.findVersion(planId, latest);
  }

  async listLatest(limit: number, startingAfter: string | undefined): Promise<PricePlanVersionRecord[] | undefined> {
    const heads = listNewestFirst(this.heads, (head) => head.id, limit, startingAfter);
    return heads?.map((head) => this.versions.find((version) => version.id === head.id && version.version === head.latest)!);
  }

  async latestVersionNumber(planId: string): Promise<number | undefined> {
    return this.heads.find((head) => head.id === planId)?.latest;
  }

  async findVersion(planId: string, version: number): Promise<PricePlanVersionRecord | undefined> {
    this.calls.push(`findVersion ${planId} ${version}`);
    return this.versions.find((candidate) => candidate.id === planId && candidate.version === version);
  }

  async listVersions(planId: string, limit: number, startingAfter: number | undefined): Promise<PricePlanVersionRecord[]> {
    this.calls.push(`listVersions ${planId} ${limit} ${startingAfter}`);
    return this.versions
      .filter((version) => version.id === planId && (startingAfter === undefined || version.version < startingAfter))
      .sort((a, b) => b.version - a.version)
      .slice(0, limit);
  }
}

const perUnit = (metricKey: string) => ({ metric_key: metricKey, model: 'per_unit', properties: { unit_amount: '0.5' } });

describe('PricePlansService', () => {
  let repository: FakePricePlansRepository;
  let transactions: FakeCatalogTransactions;
  let asked: string[][];
  let service: PricePlansService;

  beforeEach(() => {
    repository = new FakePricePlansRepository();
    transactions = new FakeCatalogTransactions();
    asked = [];
    const metrics = {
      existingKeys: async (keys: string[]) => {
        asked.push(keys);
        return new Map(keys.filter((key) => key === 'api_calls').map((key) => [key, []]));
      },
    };
    service = new PricePlansService(repository as unknown as PricePlansRepository, metrics as unknown as MetricsService, transactions.asTransactions());
  });

  it('gives a new id version 1 and an existing one the next version, normalising amounts, and publishes each version', async () => {
    const v1 = await service.create({ id: 'plan_growth', currency: 'USD', charges: [{ ...perUnit('api_calls'), properties: { unit_amount: 0.5 } }] });
    const v2 = await service.create({ id: 'plan_growth', name: 'Growth', currency: 'EUR', charges: [perUnit('api_calls')] });
    expect(v1).toEqual({
      id: 'plan_growth',
      version: 1,
      name: null,
      currency: 'USD',
      billing_interval: null,
      charges: [{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '0.5' } }],
      created_at: expect.any(String),
    });
    expect(v2).toMatchObject({ version: 2, name: 'Growth', currency: 'EUR' });
    expect(transactions.published).toEqual([
      { type: 'price_plan_version.created', data: v1 },
      { type: 'price_plan_version.created', data: v2 },
    ]);
    expect(asked).toEqual([['api_calls'], ['api_calls']]);
  });

  it('refuses a charge on an unknown metric, naming its path, and allocates, stores and publishes nothing', async () => {
    const problem = await problemOf(service.create({ id: 'plan_x', currency: 'USD', charges: [perUnit('api_calls'), perUnit('no_such_metric')] }));
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field: 'charges[1].metric_key' }] });
    expect([repository.heads, repository.versions, transactions.published]).toEqual([[], [], []]);
  });

  it('answers 404 for a version that is not a positive number without asking the repository, and for one that does not exist', async () => {
    await service.create({ id: 'plan_growth', currency: 'USD', charges: [perUnit('api_calls')] });
    for (const version of ['0', 'one', '-1', '1.0', '01']) {
      expect(await problemOf(service.getVersion('plan_growth', version))).toMatchObject({ status: 404, code: 'not_found' });
    }
    expect(repository.calls).toEqual([]);
    expect(await problemOf(service.getVersion('plan_growth', '2'))).toMatchObject({ status: 404, code: 'not_found' });
    await expect(service.getVersion('plan_growth', '1')).resolves.toMatchObject({ version: 1 });
  });

  it('pages versions newest first with the version as cursor, refusing a cursor that is no version and an unknown plan', async () => {
    for (let i = 0; i < 3; i += 1) await service.create({ id: 'plan_growth', currency: 'USD', charges: [perUnit('api_calls')] });
    const first = await service.listVersions('plan_growth', { limit: '2' });
    expect(first).toMatchObject({ has_more: true, next_cursor: '2' });
    expect(first.data.map((plan) => plan.version)).toEqual([3, 2]);
    const second = await service.listVersions('plan_growth', { limit: '2', starting_after: '2' });
    expect(second.data.map((plan) => plan.version)).toEqual([1]);
    expect(await problemOf(service.listVersions('plan_growth', { starting_after: 'v2' }))).toMatchObject({
      status: 400,
      errors: [{ field: 'starting_after' }],
    });
    expect(await problemOf(service.listVersions('no_such_plan', {}))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('lists every plan in its latest version, newest plan first, and refuses an unknown cursor', async () => {
    await service.create({ id: 'plan_a', currency: 'USD', charges: [perUnit('api_calls')] });
    await service.create({ id: 'plan_b', currency: 'USD', charges: [perUnit('api_calls')] });
    await service.create({ id: 'plan_a', name: 'second', currency: 'USD', charges: [perUnit('api_calls')] });
    const page = await service.listLatest({});
    expect(page.data.map((plan) => [plan.id, plan.version])).toEqual([
      ['plan_b', 1],
      ['plan_a', 2],
    ]);
    expect(await problemOf(service.listLatest({ starting_after: 'plan_z' }))).toMatchObject({ status: 400, errors: [{ field: 'starting_after' }] });
    expect(await problemOf(service.getLatest('plan_z'))).toMatchObject({ status: 404, code: 'not_found' });
  });
});
