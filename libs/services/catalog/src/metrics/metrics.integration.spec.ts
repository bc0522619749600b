import { startServiceUnderTest, ServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { CatalogAppModule } from '../catalog-app.module';

// Single-service tier: the catalog alone on a fresh database (it calls no other service).
describe('catalog metrics (service alone, real PostgreSQL)', () => {
  let catalog: ServiceUnderTest;
  beforeAll(async () => {
    catalog = await startServiceUnderTest((runtime) => CatalogAppModule.forRoot(runtime));
  });
  afterAll(() => catalog?.stop());

  it('creates a metric, reads it back, and refuses a duplicate key with 409', async () => {
    const created = await catalog.api('POST', '/v1/metrics', { key: 'storage_gb', aggregation_type: 'max', value_type: 'decimal' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'storage_gb', name: 'storage_gb', aggregation_type: 'max', value_type: 'decimal' });
    const read = await catalog.api('GET', '/v1/metrics/storage_gb');
    expect(read.status).toBe(200);
    expect(read.body.key).toBe('storage_gb');
    const again = await catalog.api('POST', '/v1/metrics', { key: 'storage_gb', aggregation_type: 'sum', value_type: 'decimal' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });
});
