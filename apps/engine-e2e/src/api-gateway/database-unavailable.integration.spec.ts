import { createServer, Server, Socket } from 'node:net';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { RunningEngine, startEngine } from '@abaxus/engine/embedded-engine';
import { apiCall } from './engine-process';

/** A TCP relay in front of PostgreSQL that the test can cut (listener closed, connections reset) and restore on the same port. */
class CuttableTcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly target: { host: string; port: number },
    public port = 0,
  ) {}

  static async start(target: { host: string; port: number }): Promise<CuttableTcpProxy> {
    const proxy = new CuttableTcpProxy(target);
    await proxy.restore();
    return proxy;
  }

  async restore(): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      upstream.connect(this.target.port, this.target.host);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }
}

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
    const ready = await api('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);

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
