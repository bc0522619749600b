import { TOPICS } from '@abaxus/contracts/topics';
import { startServiceUnderTest, ServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import { CatalogAppModule } from '../catalog-app.module';
import { awaitCatalogEvents, catalogEvent } from '../testing/catalog-events';
import { metricBody, pricePlanBody, tieredCharge, uniqueId } from '../testing/catalog-requests.factory';

// Single-service tier: the catalog alone on a fresh database (it calls no other service).
describe('catalog price plans (service alone, real PostgreSQL)', () => {
  let catalog: ServiceUnderTest;
  let events: TopicRecorder;
  let metricKey: string;
  let otherMetricKey: string;

  beforeAll(async () => {
    catalog = await startServiceUnderTest((runtime) => CatalogAppModule.forRoot(runtime));
    events = await catalog.listen(TOPICS.catalogEvents);
    for (const body of [metricBody(), metricBody()]) {
      const created = await catalog.api('POST', '/v1/metrics', body);
      expect(created.status).toBe(201);
    }
    const metrics = await catalog.api('GET', '/v1/metrics');
    [metricKey, otherMetricKey] = metrics.body.data.map((metric: { key: string }) => metric.key);
  });

  afterAll(() => catalog?.stop());

  function fieldsOf(body: { errors?: Array<{ field: string }> }): string[] {
    return (body.errors ?? []).map((error) => error.field);
  }

  it('creates version 1 with every charge model, amounts normalised to decimal strings', async () => {
    const body = pricePlanBody(metricKey, {
      name: 'Growth',
      currency: 'EUR',
      charges: [
        tieredCharge(metricKey, {
          properties: {
            tiers: [
              { up_to: 100, unit_amount: '0.0010', flat_amount: 5 },
              { up_to: null, unit_amount: 0.5 },
            ],
          },
        }),
        { metric_key: otherMetricKey, model: 'package', properties: { package_size: 1000, package_amount: '2.50', free_units: '100' } },
        { model: 'flat_fee', properties: { amount: '49.00' } },
      ],
    });
    const created = await catalog.api('POST', '/v1/price-plans', body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: body.id,
      version: 1,
      name: 'Growth',
      currency: 'EUR',
      billing_interval: null,
      charges: [
        {
          metric_key: metricKey,
          model: 'tiered',
          properties: {
            tiers: [
              { up_to: '100', unit_amount: '0.001', flat_amount: '5' },
              { up_to: null, unit_amount: '0.5', flat_amount: '0' },
            ],
          },
        },
        { metric_key: otherMetricKey, model: 'package', properties: { package_size: '1000', package_amount: '2.5', free_units: '100' } },
        { model: 'flat_fee', properties: { amount: '49' } },
      ],
      created_at: expect.stringMatching(/Z$/),
    });
    expect((await catalog.api('GET', `/v1/price-plans/${body.id}`)).body).toEqual(created.body);
  });

  it('accepts per_unit and volume charges', async () => {
    const body = pricePlanBody(metricKey, {
      charges: [
        { metric_key: metricKey, model: 'per_unit', properties: { unit_amount: '0.000000000001' } },
        {
          metric_key: otherMetricKey,
          model: 'volume',
          properties: {
            tiers: [
              { up_to: '100.5', unit_amount: '1' },
              { up_to: null, unit_amount: '0.9' },
            ],
          },
        },
      ],
    });
    const created = await catalog.api('POST', '/v1/price-plans', body);
    expect(created.status).toBe(201);
    expect(created.body.charges[0].properties).toEqual({ unit_amount: '0.000000000001' });
    expect(created.body.charges[1].properties.tiers[0]).toEqual({ up_to: '100.5', unit_amount: '1', flat_amount: '0' });
  });

  type Case = [string, (metric: string, other: string) => Record<string, unknown>, string[]];
  const invalid: Case[] = [
    [
      'unordered tiers',
      (m) => ({
        charges: [
          tieredCharge(m, {
            properties: {
              tiers: [
                { up_to: 100, unit_amount: '1' },
                { up_to: 50, unit_amount: '1' },
                { up_to: null, unit_amount: '1' },
              ],
            },
          }),
        ],
      }),
      ['charges[0].properties.tiers[1].up_to'],
    ],
    [
      'a missing open last tier',
      (m) => ({
        charges: [
          tieredCharge(m, {
            properties: {
              tiers: [
                { up_to: 100, unit_amount: '1' },
                { up_to: 200, unit_amount: '1' },
              ],
            },
          }),
        ],
      }),
      ['charges[0].properties.tiers[1].up_to'],
    ],
    [
      'a negative amount',
      (m) => ({ charges: [{ metric_key: m, model: 'per_unit', properties: { unit_amount: '-0.01' } }] }),
      ['charges[0].properties.unit_amount'],
    ],
    [
      'more than 12 fractional digits',
      (m) => ({ charges: [{ metric_key: m, model: 'per_unit', properties: { unit_amount: '0.0000000000001' } }] }),
      ['charges[0].properties.unit_amount'],
    ],
    [
      'a JSON number a double cannot hold exactly (0.1 + 0.2)',
      (m) => ({ charges: [{ metric_key: m, model: 'per_unit', properties: { unit_amount: 0.1 + 0.2 } }] }),
      ['charges[0].properties.unit_amount'],
    ],
    ['an unknown metric', () => ({ charges: [tieredCharge('no_such_metric')] }), ['charges[0].metric_key']],
    [
      'a zero package size',
      (m) => ({ charges: [{ metric_key: m, model: 'package', properties: { package_size: 0, package_amount: '1' } }] }),
      ['charges[0].properties.package_size'],
    ],
    ['a metric on a flat fee', (m) => ({ charges: [{ metric_key: m, model: 'flat_fee', properties: { amount: '10' } }] }), ['charges[0].metric_key']],
    ['a lower-case currency', () => ({ currency: 'usd' }), ['currency']],
    ['an unknown currency', () => ({ currency: 'XYZ' }), ['currency']],
    ['a currency of the wrong type', () => ({ currency: 840 }), ['currency']],
    ['a bad id', () => ({ id: 'plan growth' }), ['id']],
    ['a missing id', () => ({ id: undefined }), ['id']],
    ['an unknown top-level field', () => ({ trial_days: 14 }), ['trial_days']],
    ['an unknown field in a charge', (m) => ({ charges: [tieredCharge(m, { invoice_display_name: 'x' })] }), ['charges[0].invoice_display_name']],
    [
      'an unknown field in properties',
      (m) => ({ charges: [{ metric_key: m, model: 'per_unit', properties: { unit_amount: '1', currency: 'USD' } }] }),
      ['charges[0].properties.currency'],
    ],
    [
      'an unknown field in a tier',
      (m) => ({ charges: [tieredCharge(m, { properties: { tiers: [{ up_to: null, unit_amount: '1', per_unit: true }] } })] }),
      ['charges[0].properties.tiers[0].per_unit'],
    ],
    ['charges of the wrong type', () => ({ charges: { model: 'flat_fee' } }), ['charges']],
    ['no charges', () => ({ charges: [] }), ['charges']],
    [
      'an amount of the wrong type',
      (m) => ({ charges: [{ metric_key: m, model: 'per_unit', properties: { unit_amount: true } }] }),
      ['charges[0].properties.unit_amount'],
    ],
    ['an unknown model', (m) => ({ charges: [{ metric_key: m, model: 'graduated', properties: {} }] }), ['charges[0].model']],
    [
      'a metric billed twice',
      (m) => ({ charges: [tieredCharge(m), { metric_key: m, model: 'per_unit', properties: { unit_amount: '1' } }] }),
      ['charges[1].metric_key'],
    ],
    [
      'several problems at once',
      (m) => ({ currency: 'usd', charges: [{ metric_key: m, model: 'per_unit', properties: { unit_amount: '-1' } }] }),
      ['currency', 'charges[0].properties.unit_amount'],
    ],
  ];

  it.each(invalid)('refuses %s with a 400 naming the field path', async (_case, overrides, fields) => {
    const body = pricePlanBody(metricKey, overrides(metricKey, otherMetricKey));
    const response = await catalog.api('POST', '/v1/price-plans', body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(new Set(fieldsOf(response.body))).toEqual(new Set(fields));
    if (typeof body.id === 'string') expect((await catalog.api('GET', `/v1/price-plans/${body.id}`)).status).toBe(404);
  });

  it('keeps charge filters and group_by on a metric with those dimensions, and refuses others at their field paths', async () => {
    const tokens = (await catalog.api('POST', '/v1/metrics', metricBody({ dimensions: ['model', 'region'] }))).body.key;
    const perUnit = (extra: Record<string, unknown>, key = tokens) => ({ metric_key: key, model: 'per_unit', properties: { unit_amount: '0.01' }, ...extra });
    const created = await catalog.api(
      'POST',
      '/v1/price-plans',
      pricePlanBody(tokens, {
        charges: [perUnit({ filters: { model: ['gpt-4o'] }, group_by: ['region'] }), perUnit({ filters: { model: ['o3', 'gpt-4.1'] } }), perUnit({})],
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body.charges[0]).toMatchObject({ filters: { model: ['gpt-4o'] }, group_by: ['region'] });
    expect(created.body.charges[2]).not.toHaveProperty('filters');

    const refused = await catalog.api(
      'POST',
      '/v1/price-plans',
      pricePlanBody(tokens, {
        charges: [
          perUnit({ filters: { tier: ['pro'] }, group_by: ['region', 'zone'] }),
          perUnit({ filters: { model: ['o3'] } }, otherMetricKey),
          perUnit({ filters: { model: ['gpt-4o', 'gpt-4o'] } }),
          perUnit({ filters: { model: ['gpt-4o'] } }),
          perUnit({ filters: { model: ['gpt-4o'] } }),
          { model: 'flat_fee', properties: { amount: '1' }, group_by: ['region'] },
        ],
      }),
    );
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused.body)).toEqual([
      'charges[0].filters.tier',
      'charges[0].group_by[1]',
      'charges[1].filters.model',
      'charges[2].filters.model[1]',
      'charges[4].filters',
      'charges[5].group_by',
    ]);
  });

  it('refuses a body that is not an object', async () => {
    const response = await catalog.api('POST', '/v1/price-plans', '["plan"]');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
  });

  it('creates a new version when an existing id is posted again, publishing each; earlier versions stay readable', async () => {
    const id = uniqueId('plan');
    const v1 = await catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, { id, name: 'Starter' }));
    const v2 = await catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, { id, name: 'Starter 2', currency: 'JPY' }));
    expect([v1.status, v2.status]).toEqual([201, 201]);
    expect([v1.body.version, v2.body.version]).toEqual([1, 2]);

    expect((await catalog.api('GET', `/v1/price-plans/${id}`)).body).toEqual(v2.body);
    expect((await catalog.api('GET', `/v1/price-plans/${id}/versions/1`)).body).toEqual(v1.body);
    expect((await catalog.api('GET', `/v1/price-plans/${id}/versions/2`)).body).toEqual(v2.body);
    const versions = await catalog.api('GET', `/v1/price-plans/${id}/versions`);
    expect(versions.body).toEqual({ data: [v2.body, v1.body], has_more: false, next_cursor: null });
    expect(await awaitCatalogEvents(events, id, 2)).toEqual([
      catalogEvent(id, 'price_plan_version.created', v1.body),
      catalogEvent(id, 'price_plan_version.created', v2.body),
    ]);
  });

  it('pages through versions with limit and starting_after', async () => {
    const id = uniqueId('plan');
    for (let i = 0; i < 3; i += 1) expect((await catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, { id }))).status).toBe(201);
    const first = await catalog.api('GET', `/v1/price-plans/${id}/versions?limit=2`);
    expect(first.body.data.map((plan: { version: number }) => plan.version)).toEqual([3, 2]);
    expect(first.body).toMatchObject({ has_more: true, next_cursor: '2' });
    const second = await catalog.api('GET', `/v1/price-plans/${id}/versions?limit=2&starting_after=${first.body.next_cursor}`);
    expect(second.body.data.map((plan: { version: number }) => plan.version)).toEqual([1]);
    expect(second.body).toMatchObject({ has_more: false, next_cursor: null });
    expect((await catalog.api('GET', `/v1/price-plans/${id}/versions?starting_after=v2`)).status).toBe(400);
  });

  it('lists every plan in its latest version, newest plan first, with cursor pagination', async () => {
    const older = pricePlanBody(metricKey);
    const newer = pricePlanBody(metricKey);
    for (const body of [older, newer]) expect((await catalog.api('POST', '/v1/price-plans', body)).status).toBe(201);
    const olderV2 = await catalog.api('POST', '/v1/price-plans', { ...older, name: 'second' });
    const first = await catalog.api('GET', '/v1/price-plans?limit=1');
    expect(first.body.data.map((plan: { id: string }) => plan.id)).toEqual([newer.id]);
    expect(first.body).toMatchObject({ has_more: true, next_cursor: newer.id });
    const second = await catalog.api('GET', `/v1/price-plans?limit=1&starting_after=${first.body.next_cursor}`);
    expect(second.body.data).toEqual([olderV2.body]);
    expect((await catalog.api('GET', '/v1/price-plans?starting_after=no_such_plan')).status).toBe(400);
  });

  it('answers 404 for an unknown plan or version', async () => {
    const id = uniqueId('plan');
    expect((await catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, { id }))).status).toBe(201);
    for (const path of [
      '/v1/price-plans/no_such_plan',
      '/v1/price-plans/no_such_plan/versions',
      '/v1/price-plans/no_such_plan/versions/1',
      `/v1/price-plans/${id}/versions/2`,
      `/v1/price-plans/${id}/versions/0`,
      `/v1/price-plans/${id}/versions/one`,
    ]) {
      const response = await catalog.api('GET', path);
      expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
  });

  it('gives concurrent posts of one plan consecutive versions, never the same one', async () => {
    const id = uniqueId('plan');
    expect((await catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, { id }))).body.version).toBe(1);
    const two = await Promise.all([0, 1].map(() => catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, { id }))));
    expect(two.map((response) => response.status)).toEqual([201, 201]);
    expect(two.map((response) => response.body.version).sort()).toEqual([2, 3]);

    const fresh = uniqueId('plan');
    const five = await Promise.all([0, 1, 2, 3, 4].map(() => catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, { id: fresh }))));
    expect(five.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    expect(five.map((response) => response.body.version).sort()).toEqual([1, 2, 3, 4, 5]);
    expect((await catalog.api('GET', `/v1/price-plans/${fresh}`)).body.version).toBe(5);
  });
});
