import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { loadConfig, SERVICE_NAMES, ServiceName } from '@abaxus/platform/config/abaxus-config';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { startHttpApp, StartedApp } from '@abaxus/platform/service/start-service-app';
import { jsonRequest } from '@abaxus/platform/testing/json-request';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { startServiceUnderTest, ServiceStub, ServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { TestClock } from '@abaxus/platform/testing/test-clock';
import { GatewayAppModule } from '../gateway-app.module';
import { GATEWAY_BODY_HANDLING } from '../gateway-server';
import { PUBLIC_ROUTES } from '../proxy/public-routes';

// Single-service tier: the gateway alone on a fresh database, every service behind it a stub.
const ADMIN = 'sk_test_admission_admin_01';
const INGEST = 'sk_test_admission_ingest_1';
const READ = 'sk_test_admission_read_001';
const LIMITED = 'sk_test_admission_limited1';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A request with its path exactly as written: fetch would resolve `..` before sending it. */
function rawRequest(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest({ host: target.hostname, port: target.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('gateway admission (alone, every service stubbed, real PostgreSQL)', () => {
  let gateway: ServiceUnderTest;
  let stubs: Record<ServiceName, ServiceStub>;
  const clock = new TestClock();

  beforeAll(async () => {
    gateway = await startServiceUnderTest((runtime) => GatewayAppModule.forRoot(runtime), {
      stub: [...SERVICE_NAMES],
      env: {
        ABAXUS_API_KEYS: `${ADMIN},${INGEST}:ingest,${READ}:read,${LIMITED}:read:3`,
        ABAXUS_RATE_LIMIT: '1000',
        ABAXUS_RATE_LIMIT_WINDOW_SECONDS: '60',
        ABAXUS_MAX_CONCURRENT_REQUESTS: '4',
        ABAXUS_MAX_BODY_BYTES_IN_FLIGHT: String(2 * 1024 * 1024),
      },
      http: GATEWAY_BODY_HANDLING,
      clock,
    });
    stubs = gateway.stubs as Record<ServiceName, ServiceStub>;
    for (const name of SERVICE_NAMES) {
      stubs[name].on('GET /health/ready', { status: 200, body: { status: 'ok' } });
      for (const route of PUBLIC_ROUTES.filter((candidate) => candidate.service === name)) {
        stubs[name].on(`${route.method} ${route.template.replace(/\{(\w+)\}/g, ':$1')}`, { status: 200, body: { route: route.template } });
      }
    }
  });

  afterAll(() => gateway?.stop());

  const forwarded = () => SERVICE_NAMES.reduce((count, name) => count + stubs[name].requests.filter((r) => r.path !== '/health/ready').length, 0);
  const concrete = (template: string) => template.replace(/\{(\w+)\}/g, (_match, name: string) => `x_${name}`);

  describe('the public route table (defect 5)', () => {
    it.each([
      ['POST', '/v1/usage/../../internal/v1/usage/billable'],
      ['GET', '/v1/customers/../metrics'],
      ['GET', '/v1/customers/%2e%2e/metrics'],
      ['GET', '/v1/customers/%2E%2E%2Fmetrics'],
      ['POST', '/v1/usage/%2e%2e%2f%2e%2e%2finternal%2fv1%2fusage%2fbillable'],
      ['GET', '/v1/customers/%252e%252e%252fmetrics'],
      ['GET', '/v1/customers/a%2fb'],
      ['GET', '/v1/customers/.'],
      ['POST', '/v1/internal/v1/usage/billable'],
      ['GET', '/internal/v1/usage/billable'],
      ['POST', '/internal/billing-runs'],
    ])('answers %s %s with a problem+json 404, forwarding nothing', async (method, path) => {
      const before = forwarded();
      const response =
        method === 'GET'
          ? await rawRequest(gateway.url, method, path, bearer(ADMIN))
          : await rawRequest(gateway.url, method, path, { ...bearer(ADMIN), 'content-type': 'application/json', 'content-length': '2' }, '{}');
      expect({ path, status: response.status, type: response.headers['content-type'], code: response.body.code }).toEqual({
        path,
        status: 404,
        type: expect.stringContaining('application/problem+json'),
        code: 'route_not_found',
      });
      expect(forwarded()).toBe(before);
    });

    it('forwards the path as matched: decoded segments encoded again', async () => {
      const response = await rawRequest(gateway.url, 'GET', '/v1/customers/cust%3Aone/', bearer(ADMIN));
      expect(response.status).toBe(200);
      expect(stubs.catalog.requests.at(-1)!.path).toBe('/v1/customers/cust%3Aone');
    });

    it('still says 401, not 404, to a caller without a key', async () => {
      expect((await rawRequest(gateway.url, 'GET', '/v1/customers/../metrics')).status).toBe(401);
    });
  });

  describe('NUL characters and reserved keys (defects 6 and 7)', () => {
    it.each<[string, string, unknown, string]>([
      ['GET', '/v1/customers/cust%00', undefined, 'id'],
      ['GET', '/v1/customers?starting_after=cust%00', undefined, 'starting_after'],
      ['GET', '/v1/usage/summary?customer_id=c1&metric=api%00calls', undefined, 'metric'],
      ['POST', '/v1/customers', { id: 'cust\u0000', name: 'x' }, 'id'],
      ['POST', '/v1/events/batch', { events: [{ customer_id: 'c', properties: { region: 'eu\u0000' } }] }, 'events[0].properties.region'],
      ['POST', '/v1/price-plans', '{"id":"plan_1","__proto__":{"x":1}}', '__proto__'],
      ['PATCH', '/v1/customers/cust_1', '{"name":"Acme","constructor":{"prototype":{}}}', 'constructor'],
      ['POST', '/v1/pricing/calculate', '{"customer_id":"c","charges":[{"__proto__":null}]}', 'charges[0].__proto__'],
    ])('%s %s → 400 naming %s, forwarding nothing', async (method, path, body, field) => {
      const before = forwarded();
      const response = await jsonRequest(gateway.url, method, path, body, bearer(ADMIN));
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
      expect(forwarded()).toBe(before);
    });
  });

  describe('scoped keys (every route of the public table)', () => {
    const routes = PUBLIC_ROUTES.filter((route) => route.scope !== 'none');

    it.each(routes.map((route) => [route.method, route.template, route.scope]))('%s %s needs %s', async (method, template, scope) => {
      const path = concrete(template);
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      for (const [key, held] of [
        [ADMIN, 'admin'],
        [INGEST, 'ingest'],
        [READ, 'read'],
      ]) {
        const before = forwarded();
        const response = await jsonRequest(gateway.url, method, path, body, bearer(key));
        if (held === 'admin' || held === scope) {
          expect({ held, status: response.status }).toEqual({ held, status: 200 });
          expect(forwarded()).toBe(before + 1);
        } else {
          expect({ held, status: response.status, body: response.body }).toEqual({
            held,
            status: 403,
            body: expect.objectContaining({ code: 'insufficient_scope', required_scope: scope, detail: expect.stringContaining(`needs "${scope}"`) }),
          });
          expect(response.headers.get('content-type')).toContain('application/problem+json');
          expect(forwarded()).toBe(before);
        }
      }
    });

    it('lets the Stripe webhook through with no key or any key', async () => {
      expect((await jsonRequest(gateway.url, 'POST', '/v1/webhooks/stripe', {})).status).toBe(200);
      expect((await jsonRequest(gateway.url, 'POST', '/v1/webhooks/stripe', {}, bearer(INGEST))).status).toBe(200);
    });
  });

  describe('rate limits per key, shared by every replica', () => {
    let replica: StartedApp;

    beforeAll(async () => {
      // A second gateway process on the same database: the counters are the database's, not the process's.
      const config = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: gateway.databaseUrl,
        ABAXUS_API_KEYS: `${ADMIN},${LIMITED}:read:3`,
        ABAXUS_DB_POOL_SIZE: '2',
      });
      const directory = new ServiceDirectory();
      for (const name of SERVICE_NAMES) directory.register(name, stubs[name].url);
      replica = await startHttpApp(GatewayAppModule.forRoot({ config, databaseUrl: gateway.databaseUrl, directory, clock }), {
        port: 0,
        host: '127.0.0.1',
        ...GATEWAY_BODY_HANDLING,
      });
    });

    afterAll(() => replica?.app.close());

    it('answers 429 with Retry-After and RateLimit-* once a key used its window, across replicas, and again in the next window', async () => {
      // Start at the beginning of a window, so that the four requests share it.
      const windowMs = 60_000;
      clock.advance(windowMs - (clock.now().getTime() % windowMs) + 10);
      const urls = [gateway.url, replica.url, gateway.url, replica.url];
      const answers = [];
      for (const url of urls) answers.push(await jsonRequest(url, 'GET', '/v1/metrics', undefined, bearer(LIMITED)));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      expect(answers.map((answer) => answer.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
      const refused = answers[3];
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(refused.headers.get('ratelimit-limit')).toBe('3');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
      expect(refused.headers.get('ratelimit-reset')).toBe(refused.headers.get('retry-after'));

      // Keys without their own limit use ABAXUS_RATE_LIMIT; the replica has none configured, so it does not count them.
      const admin = await jsonRequest(gateway.url, 'GET', '/v1/metrics', undefined, bearer(ADMIN));
      expect([admin.status, admin.headers.get('ratelimit-limit')]).toEqual([200, '1000']);

      clock.advance(windowMs);
      expect((await jsonRequest(replica.url, 'GET', '/v1/metrics', undefined, bearer(LIMITED))).status).toBe(200);
      // The ended window's rows are deleted as the next one starts (no key material in them either).
      const sql = new Client({ connectionString: gateway.databaseUrl });
      await sql.connect();
      try {
        const current = Math.floor(clock.now().getTime() / windowMs) * windowMs;
        await pollUntil(async () => {
          const rows = await sql.query<{ caller: string; window_start: Date }>('SELECT caller, window_start FROM gateway.rate_limit_windows');
          expect(rows.rows.length).toBeGreaterThan(0);
          expect(rows.rows.filter((row) => row.window_start.getTime() < current)).toEqual([]);
          expect(JSON.stringify(rows.rows)).not.toContain('sk_test');
        });
      } finally {
        await sql.end();
      }
    });
  });

  describe('bounds on requests and body bytes in flight (defect 8)', () => {
    it('answers 503 overloaded with Retry-After past ABAXUS_MAX_CONCURRENT_REQUESTS, and admits again once requests end', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      stubs.catalog.on('GET /v1/metrics/:key', async () => {
        await released;
        return { status: 200, body: {} };
      });
      try {
        const held = [1, 2, 3, 4].map((n) => jsonRequest(gateway.url, 'GET', `/v1/metrics/m${n}`, undefined, bearer(ADMIN)));
        let refused;
        for (let attempt = 0; attempt < 100; attempt++) {
          refused = await jsonRequest(gateway.url, 'GET', '/v1/customers', undefined, bearer(ADMIN));
          if (refused.status === 503) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(refused!.status).toBe(503);
        expect(refused!.body).toMatchObject({ code: 'overloaded' });
        expect(refused!.headers.get('retry-after')).toBe('1');
        release();
        expect((await Promise.all(held)).map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
        expect((await jsonRequest(gateway.url, 'GET', '/v1/customers', undefined, bearer(ADMIN))).status).toBe(200);
      } finally {
        release();
        stubs.catalog.on('GET /v1/metrics/:key', { status: 200, body: {} });
      }
    });

    it('refuses a body whose declared length would pass ABAXUS_MAX_BODY_BYTES_IN_FLIGHT before reading it', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      stubs.ingestion.on('POST /v1/events/batch', async () => {
        await released;
        return { status: 200, body: {} };
      });
      try {
        const big = JSON.stringify({ events: [], pad: 'x'.repeat(1536 * 1024) });
        const first = jsonRequest(gateway.url, 'POST', '/v1/events/batch', big, bearer(ADMIN));
        for (let attempt = 0; attempt < 100; attempt++) {
          if (stubs.ingestion.requests.some((request) => request.path === '/v1/events/batch' && request.text === big)) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const before = forwarded();
        // Headers only: the gateway answers without waiting for a body it will not take.
        const second = await rawRequest(gateway.url, 'POST', '/v1/events/batch', {
          ...bearer(ADMIN),
          'content-type': 'application/json',
          'content-length': String(big.length),
        });
        expect(second.status).toBe(503);
        expect(second.body).toMatchObject({ code: 'overloaded' });
        expect(second.headers['retry-after']).toBe('1');
        expect(forwarded()).toBe(before);
        // A body-less request still fits.
        expect((await jsonRequest(gateway.url, 'GET', '/v1/customers', undefined, bearer(ADMIN))).status).toBe(200);
        release();
        expect((await first).status).toBe(200);
      } finally {
        release();
      }
    });
  });
});
