import { createServer } from 'node:net';
import { CuttableTcpProxy } from '../testing/cuttable-tcp-proxy';
import { pollUntil } from '../testing/poll-until';
import { buildApps, runToExit, StandaloneProcess, startStandaloneProcess } from '../testing/standalone-process';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { INTERNAL_CREDENTIAL_HEADER } from './internal-credential';

// The processes of distributed mode as an operator runs them (`node dist/apps/<name>/src/main.js`),
// against the test PostgreSQL and Kafka: the internal token on the service ports, and readiness
// that answers at once from cached checks and depends only on the process's own database.

const TOKEN = 'it_internal_token_0123456789abcdefghijklmnop';

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  body: Record<string, unknown>;
  ms: number;
}

async function call(url: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(20000) });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (metrics)
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text, body, ms: performance.now() - started };
}

/** What a health answer must not show callers: error text, addresses, ports (states only; the reasons are logged). */
function internalsIn(answer: Answer): string[] {
  const shown = JSON.stringify({ detail: answer.body.detail, checks: answer.body.checks });
  return shown.match(/ECONN\w*|timeout|\d+\.\d+\.\d+\.\d+|localhost|:\d+|answered \d+/gi) ?? [];
}

/** A port nothing listens on (bound once, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function kafkaBrokers(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set');
  return brokers;
}

describe('distributed mode', () => {
  const started: StandaloneProcess[] = [];
  const databases: TestDatabase[] = [];
  const freshDatabase = async () => {
    const database = await createTestDatabase();
    databases.push(database);
    return database;
  };
  const start = async (...args: Parameters<typeof startStandaloneProcess>) => {
    const process = await startStandaloneProcess(...args);
    started.push(process);
    return process;
  };

  beforeAll(() => buildApps(), 120000);

  afterAll(async () => {
    await Promise.all(started.map((process) => process.stop()));
    for (const database of databases) await database.drop();
  });

  describe('the internal token', () => {
    let catalog: StandaloneProcess;

    beforeAll(async () => {
      const database = await freshDatabase();
      catalog = await start('catalog', {
        DATABASE_URL: database.url,
        KAFKA_BROKERS: kafkaBrokers(),
        ABAXUS_TOPIC_PREFIX: `it-token-${Date.now()}.`,
        ABAXUS_INTERNAL_TOKEN: TOKEN,
      });
    }, 90000);

    it('is required by every route of a service: 401 problem+json without it or with another, the answer with it', async () => {
      for (const headers of [{}, { [INTERNAL_CREDENTIAL_HEADER]: `${TOKEN}x` }, { authorization: `Bearer ${TOKEN}` }] as Array<Record<string, string>>) {
        const refused = await call(catalog.url, '/v1/customers', { headers });
        expect(refused.status).toBe(401);
        expect(refused.contentType).toMatch(/^application\/problem\+json/);
        expect(refused.body).toMatchObject({ status: 401, code: 'unauthorized' });
      }
      const refusedWrite = await call(catalog.url, '/v1/customers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"id":"cust_side_door"}',
      });
      expect(refusedWrite.status).toBe(401);

      const headers = { [INTERNAL_CREDENTIAL_HEADER]: TOKEN, 'content-type': 'application/json' };
      const created = await call(catalog.url, '/v1/customers', { method: 'POST', headers, body: '{"id":"cust_front_door"}' });
      expect(created.status).toBe(201);
      const listed = await call(catalog.url, '/v1/customers', { headers });
      expect(listed.status).toBe(200);
      expect(listed.body.data).toEqual([expect.objectContaining({ id: 'cust_front_door' })]);
      expect(catalog.output()).not.toContain(TOKEN);
    });

    it('is not asked of probes: health and metrics answer without it', async () => {
      expect((await call(catalog.url, '/health/live')).status).toBe(200);
      await pollUntil(async () => {
        const ready = await call(catalog.url, '/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', bus: 'up' } });
      });
      const metrics = await call(catalog.url, '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('abaxus_dependency_up{dependency="bus",required="false"} 1');
    });

    it.each([
      ['a service', 'catalog'],
      ['the gateway', 'api-gateway'],
    ] as const)('stops %s at start-up without it, or with one shorter than 32 characters, naming ABAXUS_INTERNAL_TOKEN', async (_what, app) => {
      const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', KAFKA_BROKERS: kafkaBrokers(), ABAXUS_API_KEYS: 'sk_test_distributed_0123456789' };
      const missing = await runToExit(app, env);
      expect(missing.code).toBe(1);
      expect(missing.output).toMatch(/cannot start: .*needs ABAXUS_INTERNAL_TOKEN/);
      const short = await runToExit(app, { ...env, ABAXUS_INTERNAL_TOKEN: 'too-short-0123456789' });
      expect(short.code).toBe(1);
      expect(short.output).toContain('ABAXUS_INTERNAL_TOKEN must be at least 32 printable ASCII characters');
      expect(short.output).not.toContain('too-short-0123456789');
    });
  });

  describe('readiness', () => {
    let database: TestDatabase;
    let proxy: CuttableTcpProxy;
    let catalog: StandaloneProcess;
    let gateway: StandaloneProcess;

    beforeAll(async () => {
      database = await freshDatabase();
      const target = new URL(database.url);
      proxy = await CuttableTcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
      const proxied = new URL(database.url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      // The broker unreachable from the start (nothing listens there), the database behind a relay the test cuts.
      const common = { DATABASE_URL: proxied.toString(), KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`, ABAXUS_INTERNAL_TOKEN: TOKEN };
      catalog = await start('catalog', common);
      const nowhere = `http://127.0.0.1:${await closedPort()}`;
      gateway = await start('api-gateway', {
        ...common,
        ABAXUS_API_KEYS: 'sk_test_distributed_0123456789',
        CATALOG_URL: catalog.url,
        INGESTION_URL: nowhere,
        AGGREGATION_URL: nowhere,
        PRICING_URL: nowhere,
        INVOICING_URL: nowhere,
      });
    }, 90000);

    afterAll(async () => {
      await proxy?.restore().catch(() => undefined);
      await Promise.all([catalog?.stop(), gateway?.stop()]);
      await proxy?.cut();
    });

    /** Several answers in a row, each within a second. */
    const answersWithinASecond = async (url: string, path: string, times = 5): Promise<Answer> => {
      let last: Answer | undefined;
      for (let i = 0; i < times; i += 1) {
        last = await call(url, path);
        expect({ path, ms: last.ms < 1000 }).toEqual({ path, ms: true });
      }
      return last!;
    };

    it('stays ready within a second while the broker is unreachable, reporting the bus down (and the services down) in body and metrics', async () => {
      await pollUntil(async () => expect((await call(catalog.url, '/health/ready')).body.checks).toEqual({ database: 'up', bus: 'down' }));
      const ready = await answersWithinASecond(catalog.url, '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'degraded', checks: { database: 'up', bus: 'down' } });
      expect((await answersWithinASecond(catalog.url, '/health/live')).status).toBe(200);
      // The service itself goes on serving what needs only its database.
      const listed = await call(catalog.url, '/v1/customers', { headers: { [INTERNAL_CREDENTIAL_HEADER]: TOKEN } });
      expect(listed.status).toBe(200);

      const down = { bus: 'down', ingestion: 'down', aggregation: 'down', pricing: 'down', invoicing: 'down', notifications: 'down' };
      await pollUntil(async () => expect((await call(gateway.url, '/health/ready')).body.checks).toEqual({ database: 'up', catalog: 'up', ...down }));
      const gatewayReady = await answersWithinASecond(gateway.url, '/health/ready');
      expect(gatewayReady.status).toBe(200);
      expect(gatewayReady.body.status).toBe('degraded');
      expect(internalsIn(gatewayReady)).toEqual([]);
      const metrics = await call(gateway.url, '/metrics');
      expect(metrics.text).toContain('abaxus_dependency_up{dependency="catalog",required="false"} 1');
      expect(metrics.text).toContain('abaxus_dependency_up{dependency="ingestion",required="false"} 0');
      expect(metrics.text).toContain('abaxus_dependency_up{dependency="bus",required="false"} 0');
      expect(metrics.text).toMatch(/^abaxus_ready 1$/m);
      // Why the bus is down is in the log, not in the answers.
      expect(catalog.output()).toMatch(/"context":"Health","msg":"bus is down: [^"]+ \(reported; readiness does not depend on it\)"/);
    });

    it('is not ready (503 within a second) while its database is unreachable, stays live, and is ready again when it is back', async () => {
      await proxy.cut();
      await pollUntil(async () => expect((await call(catalog.url, '/health/ready')).status).toBe(503), { timeoutMs: 15000, intervalMs: 200 });
      const notReady = await answersWithinASecond(catalog.url, '/health/ready');
      expect(notReady.status).toBe(503);
      expect(notReady.contentType).toMatch(/^application\/problem\+json/);
      expect(notReady.body).toMatchObject({ code: 'not_ready', detail: 'Not ready: database down.', checks: { database: 'down', bus: 'down' } });
      expect(internalsIn(notReady)).toEqual([]);
      expect((await answersWithinASecond(catalog.url, '/health/live')).status).toBe(200);
      // The gateway's own database is the same one here: it is not ready either, and says so at once.
      await pollUntil(async () => expect((await call(gateway.url, '/health/ready')).status).toBe(503), { timeoutMs: 15000, intervalMs: 200 });
      // Its view of the catalog is refreshed in the background too: it turns down within a round.
      await pollUntil(
        async () => expect((await answersWithinASecond(gateway.url, '/health/ready')).body.checks).toMatchObject({ database: 'down', catalog: 'down' }),
        {
          timeoutMs: 15000,
          intervalMs: 200,
        },
      );
      expect((await answersWithinASecond(gateway.url, '/health/live')).status).toBe(200);
      expect((await call(catalog.url, '/metrics')).text).toMatch(/^abaxus_ready 0$/m);

      await proxy.restore();
      await pollUntil(async () => expect((await call(catalog.url, '/health/ready')).status).toBe(200), { timeoutMs: 45000, intervalMs: 250 });
      await pollUntil(async () => expect((await call(gateway.url, '/health/ready')).body.checks).toMatchObject({ database: 'up', catalog: 'up' }), {
        timeoutMs: 45000,
        intervalMs: 250,
      });
    }, 120000);

    it('is not ready within seconds when the database stops answering (a partition), never waiting on it, and recovers', async () => {
      proxy.freeze();
      // The check's own query gives up after its timeout: 503 within a round or two, every answer at once meanwhile.
      const frozenAt = Date.now();
      await pollUntil(async () => expect((await answersWithinASecond(catalog.url, '/health/ready', 1)).status).toBe(503), {
        timeoutMs: 15000,
        intervalMs: 200,
      });
      expect(Date.now() - frozenAt).toBeLessThan(10000);
      expect((await answersWithinASecond(catalog.url, '/health/ready')).body).toMatchObject({ code: 'not_ready', checks: { database: 'down' } });
      expect((await answersWithinASecond(catalog.url, '/health/live')).status).toBe(200);

      await proxy.restore();
      await pollUntil(async () => expect((await call(catalog.url, '/health/ready')).status).toBe(200), { timeoutMs: 45000, intervalMs: 250 });
    }, 120000);
  });
});
