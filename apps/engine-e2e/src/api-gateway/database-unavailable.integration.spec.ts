import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { CuttableTcpProxy } from '@abaxus/platform/testing/cuttable-tcp-proxy';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { RunningEngine, startEngine } from '@abaxus/engine-runtime/embedded-engine';
import { apiCall } from './engine-process';

/**
 * PostgreSQL out of reach (DATABASE_URL mode, the database behind a relay the test cuts): every
 * route answers 503 problem+json with Retry-After, never 500; when the database is back, the
 * same engine answers again without a restart (its connection pools recover by themselves).
 */
describe('a database that cannot be reached', () => {
  let database: TestDatabase;
  let proxy: CuttableTcpProxy;
  let engine: RunningEngine;
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => apiCall(engine.url, method, path, body, headers);

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url);
    proxy = await CuttableTcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    engine = await startEngine(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: proxied.toString(), ABAXUS_DB_POOL_SIZE: '4' }));
  });

  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    await engine?.stop();
    await proxy?.cut();
    await database?.drop();
  });

  it('is a 503 with Retry-After on every route while it is away, and the engine recovers by itself', async () => {
    expect((await api('POST', '/v1/customers', { id: 'cust_db_loss' })).status).toBe(201);
    expect((await api('POST', '/v1/metrics', { key: 'db_loss_calls', aggregation_type: 'sum', value_type: 'integer' })).status).toBe(201);

    await proxy.cut();
    const whileAway = [
      await api('GET', '/v1/customers/cust_db_loss'),
      await api('GET', '/v1/metrics'),
      await api('POST', '/v1/invoices', { customer_id: 'cust_db_loss', cutoff_date: '2026-03-31T23:59:59Z' }),
      // The gateway's own database work (Idempotency-Key) fails the same way.
      await api('POST', '/v1/customers', { id: 'cust_db_loss_2' }, { 'idempotency-key': 'db-loss-1' }),
    ];
    for (const response of whileAway) {
      expect({ status: response.status, code: response.body?.code }).toEqual({ status: 503, code: 'database_unavailable' });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Readiness comes from checks run in the background: it turns 503 within a round of them.
    const ready = await pollUntil(
      async () => {
        const answer = await api('GET', '/health/ready');
        expect(answer.status).toBe(503);
        return answer;
      },
      { timeoutMs: 10000, intervalMs: 200 },
    );
    expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ready.body).toMatchObject({ code: 'not_ready', checks: { database: 'down' } });

    await proxy.restore();
    await pollUntil(
      async () => {
        expect((await api('GET', '/health/ready')).status).toBe(200);
      },
      { timeoutMs: 30000, intervalMs: 200 },
    );
    const customer = await api('GET', '/v1/customers/cust_db_loss');
    expect(customer.status).toBe(200);
    expect(customer.body).toMatchObject({ id: 'cust_db_loss' });
    expect((await api('GET', '/v1/metrics')).body.data).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'db_loss_calls' })]));
    expect((await api('POST', '/v1/customers', { id: 'cust_db_loss_2' }, { 'idempotency-key': 'db-loss-1' })).status).toBe(201);
    // No subscription: a 4xx about the customer, no longer a database problem.
    const invoice = await api('POST', '/v1/invoices', { customer_id: 'cust_db_loss', cutoff_date: '2026-03-31T23:59:59Z' });
    expect(invoice.status).toBeGreaterThanOrEqual(400);
    expect(invoice.status).toBeLessThan(500);
  }, 90000);
});
