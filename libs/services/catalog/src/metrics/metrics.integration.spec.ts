import { TOPICS } from '@abaxus/contracts/topics';
import { startServiceUnderTest, ServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import { CatalogAppModule } from '../catalog-app.module';
import { awaitCatalogEvents, catalogEvent } from '../testing/catalog-events';
import { metricBody, uniqueId } from '../testing/catalog-requests.factory';

// Single-service tier: the catalog alone on a fresh database (it calls no other service).
describe('catalog metrics (service alone, real PostgreSQL)', () => {
  let catalog: ServiceUnderTest;
  let events: TopicRecorder;

  beforeAll(async () => {
    catalog = await startServiceUnderTest((runtime) => CatalogAppModule.forRoot(runtime));
    events = await catalog.listen(TOPICS.catalogEvents);
  });

  afterAll(() => catalog?.stop());

  function fieldsOf(body: { errors?: Array<{ field: string }> }): string[] {
    return (body.errors ?? []).map((error) => error.field);
  }

  it('creates a metric (201, with created_at), reads it back, and publishes metric.created with the record', async () => {
    const body = metricBody({ key: uniqueId('storage.gb:v1'), name: 'API calls', aggregation_type: 'max', value_type: 'decimal' });
    const created = await catalog.api('POST', '/v1/metrics', body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...body, dimensions: [], created_at: expect.stringMatching(/Z$/) });
    const read = await catalog.api('GET', `/v1/metrics/${body.key}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(await awaitCatalogEvents(events, body.key as string, 1)).toEqual([catalogEvent(body.key as string, 'metric.created', created.body)]);
  });

  it('defaults the name to the key, and the value_type of a count metric to integer', async () => {
    const key = uniqueId('requests');
    const created = await catalog.api('POST', '/v1/metrics', { key, aggregation_type: 'count' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key, name: key, aggregation_type: 'count', value_type: 'integer' });
  });

  it('creates a weighted_sum metric (seats held over time), stored past the widened aggregation type check', async () => {
    const created = await catalog.api('POST', '/v1/metrics', metricBody({ aggregation_type: 'weighted_sum', value_type: 'decimal' }));
    expect(created.status).toBe(201);
    const read = await catalog.api('GET', `/v1/metrics/${created.body.key}`);
    expect(read.body).toMatchObject({ aggregation_type: 'weighted_sum', value_type: 'decimal' });
  });

  it("keeps a metric's dimensions (none by default) and refuses more than 5 or a bad name at its path", async () => {
    const created = await catalog.api('POST', '/v1/metrics', metricBody({ dimensions: ['model', 'region'] }));
    expect(created.status).toBe(201);
    expect(created.body.dimensions).toEqual(['model', 'region']);
    expect((await catalog.api('GET', `/v1/metrics/${created.body.key}`)).body.dimensions).toEqual(['model', 'region']);
    expect((await catalog.api('POST', '/v1/metrics', metricBody())).body.dimensions).toEqual([]);
    const tooMany = await catalog.api('POST', '/v1/metrics', metricBody({ dimensions: ['a', 'b', 'c', 'd', 'e', 'f'] }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'dimensions' }] });
    const badName = await catalog.api('POST', '/v1/metrics', metricBody({ dimensions: ['region', 42] }));
    expect(badName.status).toBe(400);
    expect(badName.body.errors).toEqual([{ field: 'dimensions[1]', message: expect.stringContaining('must be a property name') }]);
  });

  it('accepts value_type string with unique_count only', async () => {
    const unique = await catalog.api('POST', '/v1/metrics', metricBody({ aggregation_type: 'unique_count', value_type: 'string' }));
    expect(unique.status).toBe(201);
    const sum = await catalog.api('POST', '/v1/metrics', metricBody({ aggregation_type: 'sum', value_type: 'string' }));
    expect(sum.status).toBe(400);
    expect(sum.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'value_type' }] });
  });

  it('refuses a second metric with an existing key (409 metric_exists), keeps the first, and publishes nothing for the refusal', async () => {
    const body = metricBody();
    expect((await catalog.api('POST', '/v1/metrics', body)).status).toBe(201);
    const again = await catalog.api('POST', '/v1/metrics', { ...body, aggregation_type: 'latest' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body).toMatchObject({ status: 409, code: 'metric_exists' });
    expect((await catalog.api('GET', `/v1/metrics/${body.key}`)).body.aggregation_type).toBe('sum');
    // The outbox publishes in commit order: once a later metric's event is out, the refusal's would be too.
    const later = metricBody();
    expect((await catalog.api('POST', '/v1/metrics', later)).status).toBe(201);
    await awaitCatalogEvents(events, later.key as string, 1);
    const [only] = await awaitCatalogEvents(events, body.key as string, 1);
    expect(only.envelope).toMatchObject({ type: 'metric.created', data: { aggregation_type: 'sum' } });
  });

  it.each([
    ['a key not matching the id pattern', { key: '-starts-with-dash' }, ['key']],
    ['a key longer than 128 characters', { key: `k${'x'.repeat(128)}` }, ['key']],
    ['a key with a space', { key: 'api calls' }, ['key']],
    ['an unknown aggregation_type', { aggregation_type: 'avg' }, ['aggregation_type']],
    ['an unknown value_type', { value_type: 'float' }, ['value_type']],
    ['a missing value_type on a sum', { value_type: undefined }, ['value_type']],
    ['a missing aggregation_type', { aggregation_type: undefined }, ['aggregation_type']],
    ['a key of the wrong type', { key: 42 }, ['key']],
    ['a name of the wrong type', { name: ['x'] }, ['name']],
    ['an unknown top-level field', { unit: 'requests' }, ['unit']],
  ])('refuses %s with a 400 naming the field', async (_case, overrides, fields) => {
    const response = await catalog.api('POST', '/v1/metrics', metricBody(overrides));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(new Set(fieldsOf(response.body))).toEqual(new Set(fields));
  });

  it.each([
    ['an array', '[]'],
    ['a number', '42'],
    ['a string', '"api_calls"'],
    ['null', 'null'],
  ])('refuses a body that is %s with a 400 problem', async (_case, text) => {
    const response = await catalog.api('POST', '/v1/metrics', text);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 404 for an unknown metric', async () => {
    const response = await catalog.api('GET', '/v1/metrics/no_such_metric');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('lists metrics newest first, page by page with limit and starting_after', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const body = metricBody({ key: uniqueId(`page${i}`) });
      expect((await catalog.api('POST', '/v1/metrics', body)).status).toBe(201);
      keys.push(body.key as string);
    }
    const newestFirst = [...keys].reverse();

    const first = await catalog.api('GET', '/v1/metrics?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.map((metric: { key: string }) => metric.key)).toEqual(newestFirst.slice(0, 2));
    expect(first.body).toMatchObject({ has_more: true, next_cursor: newestFirst[1] });

    const second = await catalog.api('GET', `/v1/metrics?limit=2&starting_after=${first.body.next_cursor}`);
    expect(second.body.data.map((metric: { key: string }) => metric.key)).toEqual(newestFirst.slice(2, 4));
    expect(second.body.has_more).toBe(true);

    const all = await catalog.api('GET', '/v1/metrics?limit=500');
    expect(all.body.has_more).toBe(false);
    expect(all.body.next_cursor).toBeNull();
    expect(all.body.data.slice(0, 5).map((metric: { key: string }) => metric.key)).toEqual(newestFirst);
    const last = all.body.data[all.body.data.length - 1].key;
    expect(await catalog.api('GET', `/v1/metrics?starting_after=${last}`).then((r) => r.body)).toEqual({ data: [], has_more: false, next_cursor: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['starting_after=no_such_metric', 'starting_after'],
    ['sort=key', 'sort'],
  ])('refuses the list query %s with a 400 naming the parameter', async (query, field) => {
    const response = await catalog.api('GET', `/v1/metrics?${query}`);
    expect(response.status).toBe(400);
    expect(fieldsOf(response.body)).toEqual([field]);
  });
});
