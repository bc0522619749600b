import { TOPICS } from '@abaxus/contracts/topics';
import { startServiceUnderTest, ServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import { CatalogAppModule } from '../catalog-app.module';
import { awaitCatalogEvents, catalogEvent } from '../testing/catalog-events';
import { customerBody, uniqueId } from '../testing/catalog-requests.factory';

// Single-service tier: the catalog alone on a fresh database (it calls no other service).
describe('catalog customers (service alone, real PostgreSQL)', () => {
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

  it('creates a customer with Stripe credentials, reads it back, and publishes customer.created with the record', async () => {
    const body = customerBody();
    const created = await catalog.api('POST', '/v1/customers', body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      ...body,
      address: null,
      tax_id: null,
      tax_rate_ids: [],
      created_at: expect.stringMatching(/Z$/),
      updated_at: created.body.created_at,
    });
    expect((await catalog.api('GET', `/v1/customers/${body.id}`)).body).toEqual(created.body);
    expect(await awaitCatalogEvents(events, body.id as string, 1)).toEqual([catalogEvent(body.id as string, 'customer.created', created.body)]);
  });

  it('creates a customer with only an id; a customer id without a payment method is fine too', async () => {
    const bare = await catalog.api('POST', '/v1/customers', { id: uniqueId('cust') });
    expect(bare.status).toBe(201);
    expect(bare.body).toMatchObject({ name: null, email: null, billing: null, payment_method: null });
    const customerOnly = await catalog.api('POST', '/v1/customers', customerBody({ payment_method: { provider_customer_id: 'cus_only' } }));
    expect(customerOnly.status).toBe(201);
    expect(customerOnly.body.payment_method).toEqual({ provider_customer_id: 'cus_only', provider_payment_method: null });
  });

  it('reads a body sent the way `curl -d` labels it (a form) as JSON, and a malformed one as a 400 problem, not a 500', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const id = uniqueId('cust');
    const created = await catalog.api('POST', '/v1/customers', `{"id": "${id}", "billing": {"provider":"stripe"}}`, form);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, billing: { provider: 'stripe' } });
    const malformed = await catalog.api('POST', '/v1/customers', '{"id": "cust_broken",', form);
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    expect(malformed.body).toMatchObject({ status: 400, code: 'malformed_json' });
  });

  it.each([
    ['a bad id', { id: 'cust/acme' }, ['id']],
    ['a bad email', { email: 'billing-at-acme' }, ['email']],
    [
      'a provider_customer_id that is not cus_…',
      { payment_method: { provider_customer_id: 'acct_123', provider_payment_method: 'pm_1' } },
      ['payment_method.provider_customer_id'],
    ],
    [
      'a provider_payment_method that is not pm_…',
      { payment_method: { provider_customer_id: 'cus_1', provider_payment_method: 'card_1' } },
      ['payment_method.provider_payment_method'],
    ],
    ['a payment method without its Stripe customer', { payment_method: { provider_payment_method: 'pm_1' } }, ['payment_method.provider_customer_id']],
    ['an unknown billing provider', { billing: { provider: 'paypal' } }, ['billing.provider']],
    ['billing of the wrong type', { billing: 'stripe' }, ['billing']],
    ['an unknown top-level field', { phone: '+1 555' }, ['phone']],
    ['an unknown field in billing', { billing: { provider: 'stripe', account: 'x' } }, ['billing.account']],
    ['an unknown field in payment_method', { payment_method: { provider_customer_id: 'cus_1', card_last4: '4242' } }, ['payment_method.card_last4']],
    ['a name of the wrong type', { name: 7 }, ['name']],
  ])('refuses %s with a 400 naming the field', async (_case, overrides, fields) => {
    const body = customerBody(overrides);
    const response = await catalog.api('POST', '/v1/customers', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(new Set(fieldsOf(response.body))).toEqual(new Set(fields));
  });

  it('refuses a duplicate id with 409 customer_exists', async () => {
    const body = customerBody();
    expect((await catalog.api('POST', '/v1/customers', body)).status).toBe(201);
    const again = await catalog.api('POST', '/v1/customers', { ...body, name: 'Other' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'customer_exists' });
    expect((await catalog.api('GET', `/v1/customers/${body.id}`)).body.name).toBe('Acme');
  });

  it('lets exactly one of two simultaneous creates of one id win, and publishes one customer.created', async () => {
    const body = customerBody();
    const responses = await Promise.all([catalog.api('POST', '/v1/customers', body), catalog.api('POST', '/v1/customers', body)]);
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
    // The outbox publishes in commit order: once a later customer's event is out, a second one would be too.
    const later = customerBody();
    expect((await catalog.api('POST', '/v1/customers', later)).status).toBe(201);
    await awaitCatalogEvents(events, later.id as string, 1);
    expect((await awaitCatalogEvents(events, body.id as string, 1)).map((event) => event.envelope.type)).toEqual(['customer.created']);
  });

  it('replaces the payment method or contact with PATCH, clears a field with null, and publishes each change in order', async () => {
    const body = customerBody();
    const created = await catalog.api('POST', '/v1/customers', body);
    const patched = await catalog.api('PATCH', `/v1/customers/${body.id}`, {
      email: 'ap@acme.test',
      payment_method: { provider_customer_id: 'cus_new', provider_payment_method: 'pm_new' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({
      ...created.body,
      email: 'ap@acme.test',
      payment_method: { provider_customer_id: 'cus_new', provider_payment_method: 'pm_new' },
      updated_at: expect.any(String),
    });
    expect(Date.parse(patched.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.body.updated_at));

    const cleared = await catalog.api('PATCH', `/v1/customers/${body.id}`, { name: null, payment_method: null });
    expect(cleared.body).toMatchObject({ name: null, email: 'ap@acme.test', payment_method: null, billing: { provider: 'stripe' } });
    expect((await catalog.api('GET', `/v1/customers/${body.id}`)).body).toEqual(cleared.body);

    expect(await awaitCatalogEvents(events, body.id as string, 3)).toEqual([
      catalogEvent(body.id as string, 'customer.created', created.body),
      catalogEvent(body.id as string, 'customer.updated', patched.body),
      catalogEvent(body.id as string, 'customer.updated', cleared.body),
    ]);
  });

  it('validates PATCH bodies like creates, and answers 404 for an unknown customer', async () => {
    const body = customerBody();
    expect((await catalog.api('POST', '/v1/customers', body)).status).toBe(201);
    const badPm = await catalog.api('PATCH', `/v1/customers/${body.id}`, { payment_method: { provider_payment_method: 'pm_1' } });
    expect(badPm.status).toBe(400);
    expect(fieldsOf(badPm.body)).toContain('payment_method.provider_customer_id');
    const renamed = await catalog.api('PATCH', `/v1/customers/${body.id}`, { id: 'cust_other' });
    expect(renamed.status).toBe(400);
    expect(fieldsOf(renamed.body)).toEqual(['id']);
    expect((await catalog.api('PATCH', '/v1/customers/no_such_customer', { name: 'x' })).status).toBe(404);
    expect((await catalog.api('GET', '/v1/customers/no_such_customer')).body).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('lists customers newest first with cursor pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const body = customerBody();
      expect((await catalog.api('POST', '/v1/customers', body)).status).toBe(201);
      ids.push(body.id as string);
    }
    const first = await catalog.api('GET', '/v1/customers?limit=2');
    expect(first.body.data.map((customer: { id: string }) => customer.id)).toEqual([ids[2], ids[1]]);
    expect(first.body).toMatchObject({ has_more: true, next_cursor: ids[1] });
    const second = await catalog.api('GET', `/v1/customers?limit=1&starting_after=${first.body.next_cursor}`);
    expect(second.body.data.map((customer: { id: string }) => customer.id)).toEqual([ids[0]]);
    expect((await catalog.api('GET', '/v1/customers?starting_after=no_such_customer')).status).toBe(400);
  });
});
