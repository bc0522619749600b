import { Client } from 'pg';
import { SERVICE_NAMES, ServiceName } from '@abaxus/platform/config/abaxus-config';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { startServiceUnderTest, ServiceStub, ServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { GatewayAppModule } from './gateway-app.module';
import { GATEWAY_BODY_HANDLING, GATEWAY_BODY_LIMIT_BYTES } from './gateway-server';
import { loadOpenApiDocument } from './openapi/openapi-document';

// Single-service tier: the gateway alone on a fresh database, every service behind it a stub.
const KEY = 'sk_test_gateway_key_0001';
const OTHER_KEY = 'sk_test_gateway_key_0002';
const AUTH = { authorization: `Bearer ${KEY}` };

function answered(status: number, body: unknown) {
  return () => ({ status, body });
}

describe('gateway (alone, every service stubbed, real PostgreSQL)', () => {
  let gateway: ServiceUnderTest;
  let stubs: Record<ServiceName, ServiceStub>;

  beforeAll(async () => {
    gateway = await startServiceUnderTest((runtime) => GatewayAppModule.forRoot(runtime), {
      stub: [...SERVICE_NAMES],
      env: { ABAXUS_API_KEYS: `${KEY},${OTHER_KEY}` },
      http: GATEWAY_BODY_HANDLING,
    });
    stubs = gateway.stubs as Record<ServiceName, ServiceStub>;
    for (const name of SERVICE_NAMES) stubs[name].on('GET /health/ready', { status: 200, body: { status: 'ok' } });
  });

  afterAll(() => gateway?.stop());

  const forwarded = () => SERVICE_NAMES.reduce((count, name) => count + stubs[name].requests.filter((r) => r.path !== '/health/ready').length, 0);

  describe('health, metrics and documentation (no API key)', () => {
    it('answers live, and ready with the database, the bus and every service checked', async () => {
      expect((await gateway.api('GET', '/health/live')).status).toBe(200);
      // Readiness answers from checks run in the background: wait for the first round.
      await pollUntil(async () => {
        const ready = await gateway.api('GET', '/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body.checks).toEqual({
          database: 'up',
          bus: 'up',
          catalog: 'up',
          ingestion: 'up',
          aggregation: 'up',
          pricing: 'up',
          invoicing: 'up',
          notifications: 'up',
        });
      });
    });

    it('stays ready while one service is not (readiness is its own database), and reports it down', async () => {
      stubs.pricing.on('GET /health/ready', { status: 503, body: { status: 503, code: 'not_ready', detail: 'Not ready: database (down)' } });
      try {
        await pollUntil(async () => {
          const ready = await gateway.api('GET', '/health/ready');
          expect(ready.status).toBe(200);
          expect(ready.body).toMatchObject({ status: 'degraded', checks: { catalog: 'up', pricing: 'down' } });
          // States only: no error text from a dependency reaches an unauthenticated caller.
          expect(ready.text).not.toContain('Not ready: database');
        });
      } finally {
        stubs.pricing.on('GET /health/ready', { status: 200, body: { status: 'ok' } });
      }
    });

    it('serves Prometheus metrics, counting proxied requests by service, method and status', async () => {
      stubs.catalog.on('GET /v1/metrics', answered(200, { data: [], has_more: false, next_cursor: null }));
      expect((await gateway.api('GET', '/v1/metrics', undefined, AUTH)).status).toBe(200);
      const scrape = await gateway.api('GET', '/metrics');
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toContain('text/plain');
      expect(scrape.text).toMatch(/abaxus_http_requests_total\{service="catalog",method="GET",status="200"\} [1-9]/);
      expect(scrape.text).toContain('abaxus_http_request_duration_seconds_bucket');
    });

    it('serves the OpenAPI document as JSON and YAML, while /v1 needs a key', async () => {
      const loaded = await loadOpenApiDocument();
      if (!loaded.ok) throw new Error(loaded.reason);
      const json = await gateway.api('GET', '/openapi.json');
      expect(json.status).toBe(200);
      expect(json.headers.get('content-type')).toContain('application/json');
      expect(json.body).toEqual(loaded.document);
      const yaml = await gateway.api('GET', '/openapi.yaml');
      expect(yaml.status).toBe(200);
      expect(yaml.headers.get('content-type')).toContain('application/yaml');
      expect(yaml.text).toBe(loaded.yaml);
      expect((await gateway.api('GET', '/v1/metrics')).status).toBe(401);
    });
  });

  describe('authentication', () => {
    it('refuses /v1 without a valid key with a problem+json 401, forwarding nothing', async () => {
      const before = forwarded();
      const missing = await gateway.api('GET', '/v1/metrics');
      expect(missing.status).toBe(401);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect(missing.body).toMatchObject({ status: 401, code: 'unauthorized' });
      const wrong = await gateway.api('POST', '/v1/customers', { id: 'cust_x' }, { authorization: 'Bearer sk_test_gateway_key_0003' });
      expect(wrong.status).toBe(401);
      expect((await gateway.api('GET', '/v1/nothing-here', undefined, { authorization: 'Basic abc' })).status).toBe(401);
      expect(forwarded()).toBe(before);
    });

    it('accepts every configured key', async () => {
      stubs.catalog.on('GET /v1/customers', answered(200, { data: [], has_more: false, next_cursor: null }));
      expect((await gateway.api('GET', '/v1/customers', undefined, AUTH)).status).toBe(200);
      expect((await gateway.api('GET', '/v1/customers', undefined, { authorization: `Bearer ${OTHER_KEY}` })).status).toBe(200);
    });

    it('lets the Stripe webhook through without a key (its signature is checked by invoicing), with the signature header', async () => {
      stubs.invoicing.on('POST /v1/webhooks/stripe', answered(200, { received: true }));
      const payload = '{"id":"evt_1","type":"payment_intent.succeeded"}';
      const response = await gateway.api('POST', '/v1/webhooks/stripe', payload, { 'stripe-signature': 't=1,v1=abc' });
      expect(response.status).toBe(200);
      const [received] = stubs.invoicing.received('POST /v1/webhooks/stripe').slice(-1);
      expect(received.headers['stripe-signature']).toBe('t=1,v1=abc');
      expect(received.text).toBe(payload);
    });
  });

  describe('routing', () => {
    it.each<[string, string, ServiceName]>([
      ['GET', '/v1/metrics/api_calls', 'catalog'],
      ['GET', '/v1/price-plans/plan_growth/versions?limit=2', 'catalog'],
      ['PATCH', '/v1/customers/cust_acme', 'catalog'],
      ['POST', '/v1/subscriptions/sub_1/cancel', 'catalog'],
      ['POST', '/v1/events/batch', 'ingestion'],
      ['POST', '/v1/usage/compute', 'aggregation'],
      ['GET', '/v1/pricing/calculations/calc_1', 'pricing'],
      ['GET', '/v1/invoices?customer_id=cust_acme&status=issued', 'invoicing'],
      ['POST', '/v1/webhook-endpoints', 'notifications'],
      ['GET', '/v1/alerts?customer_id=cust_acme', 'notifications'],
    ])('forwards %s %s to %s: path, query and body bytes unchanged, the API key kept at the edge', async (method, pathAndQuery, service) => {
      const path = pathAndQuery.split('?')[0];
      stubs[service].on(`${method} ${path}`, answered(200, { answered_by: service }));
      // A JSON number a double cannot hold, sent the way curl -d labels it: it must arrive as sent.
      const body = method === 'GET' ? undefined : '{"value": 0.30000000000000004, "note": "é"}';
      const response = await gateway.api(method, pathAndQuery, body, {
        ...AUTH,
        'x-request-id': 'req-42',
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ answered_by: service });
      const received = stubs[service].received(`${method} ${path}`).slice(-1)[0];
      expect(received.path).toBe(path);
      expect(received.query.toString()).toBe(new URLSearchParams(pathAndQuery.split('?')[1] ?? '').toString());
      expect(received.text).toBe(body ?? '');
      if (body) expect(received.headers['content-type']).toBe('application/json');
      expect(received.headers.authorization).toBeUndefined();
      expect(received.headers['x-request-id']).toBe('req-42');
    });

    it('answers an unknown resource with a problem+json 404', async () => {
      const response = await gateway.api('GET', '/v1/nothing-here', undefined, AUTH);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: 404, code: 'route_not_found' });
    });

    it("passes a service's problem+json answer through unchanged", async () => {
      const problem = {
        type: 'https://abaxus.dev/problems/validation-failed',
        title: 'Bad Request',
        status: 400,
        code: 'validation_failed',
        detail: 'x',
        errors: [{ field: 'events[0].value', message: 'must be a decimal' }],
      };
      stubs.ingestion.on('POST /v1/events', answered(400, problem));
      const response = await gateway.api('POST', '/v1/events', { value: 'x' }, AUTH);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.text).toBe(JSON.stringify(problem));
    });

    it('answers an oversized body with 413 without forwarding it', async () => {
      const before = forwarded();
      const response = await gateway.api('POST', '/v1/events/batch', 'x'.repeat(GATEWAY_BODY_LIMIT_BYTES + 1024 * 1024), AUTH);
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ code: 'payload_too_large' });
      expect(forwarded()).toBe(before);
    });
  });

  describe('Idempotency-Key', () => {
    let created = 0;
    // Each test starts with a catalog that creates; a test may replace the answer for itself.
    beforeEach(() => {
      stubs.catalog.on('POST /v1/customers', (request) => ({ status: 201, body: { ...request.body, created: ++created } }));
    });

    const postCustomer = (body: unknown, key?: string, auth = AUTH) =>
      gateway.api('POST', '/v1/customers', body, { ...auth, ...(key ? { 'idempotency-key': key } : {}) });
    const customerCreates = () => stubs.catalog.received('POST /v1/customers').length;

    it('replays the first answer for a retried key without forwarding, and refuses the key with another body', async () => {
      const before = customerCreates();
      const first = await postCustomer({ id: 'cust_idem' }, 'idem-replay-1');
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const retry = await postCustomer({ id: 'cust_idem' }, 'idem-replay-1');
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body).toEqual(first.body);
      const other = await postCustomer({ id: 'cust_other' }, 'idem-replay-1');
      expect(other.status).toBe(409);
      expect(other.headers.get('content-type')).toContain('application/problem+json');
      expect(other.body).toMatchObject({ code: 'idempotency_key_reused' });
      expect(customerCreates()).toBe(before + 1);
      // Without the key the same body really acts.
      expect((await postCustomer({ id: 'cust_idem' })).status).toBe(201);
      expect(customerCreates()).toBe(before + 2);
    });

    it('applies to PATCH too, and never to GET', async () => {
      stubs.catalog.on('PATCH /v1/customers/cust_idem', (request) => ({ status: 200, body: { id: 'cust_idem', ...request.body, at: Date.now() } }));
      const patch = () => gateway.api('PATCH', '/v1/customers/cust_idem', { name: 'Acme' }, { ...AUTH, 'idempotency-key': 'idem-patch-1' });
      const first = await patch();
      const retry = await patch();
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(stubs.catalog.received('PATCH /v1/customers/cust_idem')).toHaveLength(1);

      stubs.catalog.on('GET /v1/customers/cust_idem', answered(200, { id: 'cust_idem' }));
      for (let i = 0; i < 2; i += 1) {
        const read = await gateway.api('GET', '/v1/customers/cust_idem', undefined, { ...AUTH, 'idempotency-key': 'idem-get-1' });
        expect(read.headers.get('idempotent-replayed')).toBeNull();
      }
      expect(stubs.catalog.received('GET /v1/customers/cust_idem')).toHaveLength(2);
    });

    it('keeps keys apart per API key', async () => {
      const before = customerCreates();
      expect((await postCustomer({ id: 'cust_scoped' }, 'idem-scope-1')).headers.get('idempotent-replayed')).toBeNull();
      const otherTenant = await postCustomer({ id: 'cust_scoped' }, 'idem-scope-1', { authorization: `Bearer ${OTHER_KEY}` });
      expect(otherTenant.status).toBe(201);
      expect(otherTenant.headers.get('idempotent-replayed')).toBeNull();
      expect(customerCreates()).toBe(before + 2);
    });

    it('replays a client error as it was, but not a server error: a retry after a 5xx acts again', async () => {
      stubs.catalog.on('POST /v1/customers', answered(409, { status: 409, code: 'customer_exists', detail: 'exists' }));
      const conflict = await postCustomer({ id: 'cust_exists' }, 'idem-4xx-1');
      const replayed = await postCustomer({ id: 'cust_exists' }, 'idem-4xx-1');
      expect([conflict.status, replayed.status]).toEqual([409, 409]);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(replayed.headers.get('content-type')).toContain('application/problem+json');
      expect(replayed.body).toEqual(conflict.body);

      stubs.catalog.on('POST /v1/customers', answered(503, { status: 503, code: 'database_unavailable', detail: 'down' }));
      expect((await postCustomer({ id: 'cust_5xx' }, 'idem-5xx-1')).status).toBe(503);
      stubs.catalog.on('POST /v1/customers', (request) => ({ status: 201, body: { ...request.body, created: ++created } }));
      const retry = await postCustomer({ id: 'cust_5xx' }, 'idem-5xx-1');
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
    });

    it('answers 409 idempotency_request_in_progress while the first request with the key is still running', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      stubs.catalog.on('POST /v1/customers', async (request) => {
        await released;
        return { status: 201, body: { ...request.body, created: ++created } };
      });
      try {
        const first = postCustomer({ id: 'cust_slow' }, 'idem-slow-1');
        // Once the first request reached the service, its key is claimed.
        await pollUntil(async () => expect(stubs.catalog.requests.some((request) => request.body?.id === 'cust_slow')).toBe(true), { intervalMs: 10 });
        const concurrent = await postCustomer({ id: 'cust_slow' }, 'idem-slow-1');
        expect(concurrent.status).toBe(409);
        expect(concurrent.body).toMatchObject({ code: 'idempotency_request_in_progress' });
        release();
        expect((await first).status).toBe(201);
        expect((await postCustomer({ id: 'cust_slow' }, 'idem-slow-1')).headers.get('idempotent-replayed')).toBe('true');
      } finally {
        release();
      }
    });

    it('forgets a key after 24 hours: the same request then acts again', async () => {
      const first = await postCustomer({ id: 'cust_old' }, 'idem-old-1');
      const sql = new Client({ connectionString: gateway.databaseUrl });
      await sql.connect();
      try {
        const aged = await sql.query(`UPDATE gateway.http_idempotent_requests SET created_at = now() - interval '25 hours' WHERE key = 'idem-old-1'`);
        expect(aged.rowCount).toBe(1);
      } finally {
        await sql.end();
      }
      const later = await postCustomer({ id: 'cust_old' }, 'idem-old-1');
      expect(later.status).toBe(201);
      expect(later.headers.get('idempotent-replayed')).toBeNull();
      expect(later.body.created).toBeGreaterThan(first.body.created);
    });

    it('refuses a key that is not 1 to 255 printable ASCII characters with 400, forwarding nothing', async () => {
      const before = forwarded();
      for (const key of ['k'.repeat(256), 'clé-1', 'two words']) {
        const response = await postCustomer({ id: 'cust_badkey' }, key);
        expect({ key, status: response.status, code: response.body.code }).toEqual({ key, status: 400, code: 'invalid_idempotency_key' });
      }
      expect(forwarded()).toBe(before);
    });
  });
});

describe('gateway without API keys (alone, one service stubbed)', () => {
  let gateway: ServiceUnderTest;

  beforeAll(async () => {
    gateway = await startServiceUnderTest((runtime) => GatewayAppModule.forRoot(runtime), { stub: ['catalog'], http: GATEWAY_BODY_HANDLING });
  });

  afterAll(() => gateway?.stop());

  it('runs open: /v1 answers without any key', async () => {
    gateway.stubs.catalog!.on('GET /v1/metrics', answered(200, { data: [], has_more: false, next_cursor: null }));
    expect((await gateway.api('GET', '/v1/metrics')).status).toBe(200);
    expect((await gateway.api('GET', '/v1/nothing-here')).status).toBe(404);
  });

  it('answers 503 service_unavailable for a service that is not configured, and reports it down while staying ready', async () => {
    const response = await gateway.api('POST', '/v1/events', { customer_id: 'cust_1' });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'service_unavailable' });
    await pollUntil(async () => {
      const ready = await gateway.api('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'degraded', checks: { ingestion: 'down' } });
    });
  });
});
