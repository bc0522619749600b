import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { buildEngine, startEngineProcess, stopEngineProcess, stopLeftoverPostgres } from './engine-process';

/**
 * `npm start` as a user runs it: the built engine in its own process, on an embedded PostgreSQL
 * under a fresh ABAXUS_DATA_DIR, stopped with SIGINT (Ctrl-C) and started again on the same data.
 */
describe('npm start (embedded engine process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'abaxus-embedded-'));

  beforeAll(() => buildEngine(), 60000);

  afterAll(() => {
    stopLeftoverPostgres(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('becomes ready with every service checked, runs open on loopback only, stops cleanly on SIGINT, and keeps its data across a restart', async () => {
    const first = await startEngineProcess(dataDir);
    // Readiness answers from checks run in the background: every one is up once a round has run.
    await pollUntil(async () => {
      const ready = await fetch(`${first.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: unknown }).checks).toEqual({
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
    // Without API keys it runs open, and so only on loopback.
    expect(first.output()).toContain('NO API KEYS CONFIGURED');
    expect(new URL(first.url).hostname).toBe('127.0.0.1');
    // Readable lines, without Nest's list of every module and route.
    expect(first.output()).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[engine\] ABAXUS API ready at http:\/\/127\.0\.0\.1:\d+\/v1 — API docs at http:\/\/127\.0\.0\.1:\d+\/docs$/m,
    );
    // The banner's docs link answers, from the installed package (no CDN), and / points at it.
    const docsUrl = /API docs at (\S+)$/m.exec(first.output())![1];
    const page = await fetch(docsUrl);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const html = await page.text();
    expect(html).toContain('<script src="/docs/swagger-ui-bundle.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/init.js'])
      expect([asset, (await fetch(`${first.url}${asset}`)).status]).toEqual([asset, 200]);
    expect(await (await fetch(`${first.url}/`)).json()).toEqual({
      name: 'ABAXUS',
      api: '/v1',
      docs: '/docs',
      console: '/console',
      openapi: '/openapi.json',
      health: '/health/ready',
    });
    // The banner links the operator console, built by `npm run build` and served from dist/console.
    const consoleUrl = /INFO: \[engine\] Operator console at (\S+) /.exec(first.output())![1];
    expect(consoleUrl).toBe(`${first.url}/console`);
    const consolePage = await fetch(`${consoleUrl}/customers/acme.corp`);
    expect([consolePage.status, consolePage.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(await consolePage.text()).toMatch(/<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js"><\/script>/);
    expect(first.output()).not.toMatch(/Mapped \{|RoutesResolver|InstanceLoader/);
    const created = await fetch(`${first.url}/v1/metrics`, {
      method: 'POST',
      body: JSON.stringify({ key: 'kept_metric', aggregation_type: 'sum', value_type: 'integer' }),
    });
    expect(created.status).toBe(201);
    expect(await stopEngineProcess(first)).toBe(0);

    const second = await startEngineProcess(dataDir);
    try {
      const kept = await fetch(`${second.url}/v1/metrics/kept_metric`);
      expect(kept.status).toBe(200);
      expect(await kept.json()).toMatchObject({ key: 'kept_metric', aggregation_type: 'sum' });
    } finally {
      expect(await stopEngineProcess(second)).toBe(0);
    }
  }, 120000);
});
