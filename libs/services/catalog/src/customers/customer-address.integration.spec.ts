import { Client } from 'pg';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { CatalogAppModule } from '../catalog-app.module';

/* Single-service tier: customers' postal address and tax id ("Billed to" on invoices), on a real PostgreSQL. */
describe('customer address and tax id (service alone)', () => {
  let catalog: ServiceUnderTest;
  let db: Client;

  beforeAll(async () => {
    catalog = await startServiceUnderTest((runtime) => CatalogAppModule.forRoot(runtime));
    db = new Client({ connectionString: catalog.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await catalog?.stop();
  });

  const berlin = { line1: 'Unter den Linden 1', line2: '3. OG', city: 'Berlin', postal_code: '10117', state: null, country: 'DE' };
  const fieldsOf = (body: { errors?: Array<{ field: string }> }) => [...new Set((body.errors ?? []).map((error) => error.field))].sort();

  it('takes an address and a tax id, answers them (optional lines as null) and publishes them with the customer', async () => {
    const { line2: _line2, state: _state, ...required } = berlin;
    const created = await catalog.api('POST', '/v1/customers', { id: 'cust_berlin', name: 'Berliner GmbH', address: required, tax_id: 'DE123456789' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ address: { ...required, line2: null, state: null }, tax_id: 'DE123456789' });
    expect((await catalog.api('GET', '/v1/customers/cust_berlin')).body).toEqual(created.body);

    const published = (await db.query(`SELECT value FROM catalog.outbox WHERE key = 'cust_berlin'`)).rows.map((row) => JSON.parse(row.value));
    expect(published.at(-1)).toMatchObject({ type: 'customer.created', data: { address: { country: 'DE', city: 'Berlin' }, tax_id: 'DE123456789' } });
  });

  it('replaces the address whole with PATCH, keeps it when absent, clears it with null', async () => {
    expect((await catalog.api('POST', '/v1/customers', { id: 'cust_moves', address: berlin })).status).toBe(201);
    const moved = await catalog.api('PATCH', '/v1/customers/cust_moves', {
      address: { line1: '1 Market St', city: 'San Francisco', state: 'CA', postal_code: '94105', country: 'US' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.address).toEqual({ line1: '1 Market St', line2: null, city: 'San Francisco', postal_code: '94105', state: 'CA', country: 'US' });
    const renamed = await catalog.api('PATCH', '/v1/customers/cust_moves', { name: 'Moved Inc', tax_id: '12-3456789' });
    expect(renamed.body).toMatchObject({ name: 'Moved Inc', tax_id: '12-3456789', address: moved.body.address });
    const cleared = await catalog.api('PATCH', '/v1/customers/cust_moves', { address: null, tax_id: null });
    expect(cleared.body).toMatchObject({ name: 'Moved Inc', address: null, tax_id: null });
  });

  it('keeps tax_rate_ids (none by default), replaces them with PATCH and clears them with null', async () => {
    const created = await catalog.api('POST', '/v1/customers', { id: 'cust_taxed', tax_rate_ids: ['vat_de', 'levy'] });
    expect(created.body.tax_rate_ids).toEqual(['vat_de', 'levy']);
    expect((await catalog.api('PATCH', '/v1/customers/cust_taxed', { tax_rate_ids: ['vat_fr'] })).body.tax_rate_ids).toEqual(['vat_fr']);
    expect((await catalog.api('PATCH', '/v1/customers/cust_taxed', { name: 'Taxed' })).body.tax_rate_ids).toEqual(['vat_fr']);
    expect((await catalog.api('PATCH', '/v1/customers/cust_taxed', { tax_rate_ids: null })).body.tax_rate_ids).toEqual([]);
    const refused = await catalog.api('POST', '/v1/customers', { id: 'cust_badtax', tax_rate_ids: ['ok', ' bad id'] });
    expect([refused.status, refused.body.errors.map((error: { field: string }) => error.field)]).toEqual([400, ['tax_rate_ids']]);
  });

  it.each([
    ['a country that is not ISO 3166 alpha-2', { address: { ...berlin, country: 'Germany' } }, ['address.country']],
    ['a lower-case country', { address: { ...berlin, country: 'de' } }, ['address.country']],
    ['UK for GB', { address: { ...berlin, country: 'UK' } }, ['address.country']],
    ['missing required lines', { address: { country: 'DE' } }, ['address.city', 'address.line1', 'address.postal_code']],
    ['a blank city', { address: { ...berlin, city: '   ' } }, ['address.city']],
    ['an unknown address field', { address: { ...berlin, street: 'x' } }, ['address.street']],
    ['an address that is a string', { address: 'Unter den Linden 1, Berlin' }, ['address']],
    ['a postal code longer than 20 characters', { address: { ...berlin, postal_code: '1'.repeat(21) } }, ['address.postal_code']],
    ['a tax id of the wrong type', { tax_id: 123456789 }, ['tax_id']],
    ['a tax id longer than 64 characters', { tax_id: 'X'.repeat(65) }, ['tax_id']],
  ])('refuses %s with 400 naming the field, on create and on PATCH', async (_case, fields, expected) => {
    const created = await catalog.api('POST', '/v1/customers', { id: `cust_bad_${expected.join('_').replace(/\W/g, '')}`, ...fields });
    expect([created.status, created.body.code, created.headers.get('content-type')]).toEqual([
      400,
      'validation_failed',
      expect.stringContaining('application/problem+json'),
    ]);
    expect(fieldsOf(created.body)).toEqual(expected);
    const patched = await catalog.api('PATCH', '/v1/customers/cust_berlin', fields);
    expect([patched.status, fieldsOf(patched.body)]).toEqual([400, expected]);
  });

  it('reads customers written before the columns existed with address and tax id null (additive migration)', async () => {
    await db.query(`INSERT INTO catalog.customers (id, name, email) VALUES ('cust_legacy', 'Legacy', NULL)`);
    expect((await catalog.api('GET', '/v1/customers/cust_legacy')).body).toMatchObject({ id: 'cust_legacy', address: null, tax_id: null });
  });
});
