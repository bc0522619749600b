import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm start` as a user runs it: the built engine in its own process, on an embedded PostgreSQL
 * under a fresh ABAXUS_DATA_DIR, stopped with SIGINT (Ctrl-C) and started again on the same data.
 */
const root = join(__dirname, '..', '..', '..', '..');

function startEngineProcess(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', ABAXUS_DATA_DIR: dataDir, ABAXUS_LOG_LEVEL: 'log' };
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'ABAXUS_API_KEYS', 'NODE_OPTIONS']) delete env[name];
  const child = spawn(process.execPath, ['dist/apps/engine/src/main.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine did not start in 60 s:\n${output}`)), 60000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ABAXUS API ready at (http:\/\/[^\s]+)\/v1/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with ${code}:\n${output}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('npm start (embedded engine process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'abaxus-embedded-'));

  beforeAll(() => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
  }, 60000);

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('becomes ready, stops cleanly on SIGINT, and keeps its data across a restart', async () => {
    const first = await startEngineProcess(dataDir);
    const ready = await fetch(`${first.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(first.output()).toContain('NO API KEYS CONFIGURED');
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
      openapi: '/openapi.json',
      health: '/health/ready',
    });
    expect(first.output()).not.toMatch(/Mapped \{|RoutesResolver|InstanceLoader/);
    const created = await fetch(`${first.url}/v1/metrics`, {
      method: 'POST',
      body: JSON.stringify({ key: 'kept_metric', aggregation_type: 'sum', value_type: 'integer' }),
    });
    expect(created.status).toBe(201);
    const exited = exitOf(first.child);
    first.child.kill('SIGINT');
    expect(await exited).toBe(0);

    const second = await startEngineProcess(dataDir);
    try {
      const kept = await fetch(`${second.url}/v1/metrics/kept_metric`);
      expect(kept.status).toBe(200);
      expect(await kept.json()).toMatchObject({ key: 'kept_metric', aggregation_type: 'sum' });
    } finally {
      const done = exitOf(second.child);
      second.child.kill('SIGINT');
      expect(await done).toBe(0);
    }
  }, 120000);
});
