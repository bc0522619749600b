import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '@abaxus/platform/database/postmaster';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { apiCall, buildEngine, EngineProcess, postmasterOf, startEngineProcess, stopEngineProcess, stopLeftoverPostgres } from './engine-process';

/**
 * `npm start` under faults: the engine process killed outright, its PostgreSQL killed under it,
 * and a PostgreSQL that cannot come back.
 */
describe('the embedded engine under faults', () => {
  const dataDirs: string[] = [];
  const running: EngineProcess[] = [];
  const freshDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'abaxus-faults-'));
    dataDirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string, readyWithinMs?: number) => {
    const engine = await startEngineProcess(dataDir, {}, readyWithinMs);
    running.push(engine);
    return engine;
  };

  beforeAll(() => buildEngine(), 60000);

  afterEach(async () => {
    for (const engine of running.splice(0)) {
      if (engine.child.exitCode === null && engine.child.signalCode === null) await stopEngineProcess(engine);
    }
  });

  afterAll(() => {
    for (const dir of dataDirs) {
      stopLeftoverPostgres(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts again within 30 s after a SIGKILL left its PostgreSQL running, with the data intact', async () => {
    const dataDir = freshDataDir();
    const first = await start(dataDir);
    expect((await apiCall(first.url, 'POST', '/v1/customers', { id: 'cust_before_crash' })).status).toBe(201);
    const orphan = postmasterOf(dataDir)!;
    first.child.kill('SIGKILL');
    await first.exited;
    // What the crash leaves behind: PostgreSQL still running on the data directory.
    expect(isAlive(orphan.pid)).toBe(true);

    const second = await start(dataDir, 30000);
    expect(second.output()).toMatch(/still running from an earlier run/);
    expect(isAlive(orphan.pid)).toBe(false);
    expect(postmasterOf(dataDir)!.pid).not.toBe(orphan.pid);
    const kept = await apiCall(second.url, 'GET', '/v1/customers/cust_before_crash');
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ id: 'cust_before_crash' });
    expect(await stopEngineProcess(second)).toBe(0);
  }, 150000);

  it('restarts its PostgreSQL when the postmaster is killed, and answers again without an engine restart', async () => {
    const dataDir = freshDataDir();
    const engine = await start(dataDir);
    expect((await apiCall(engine.url, 'POST', '/v1/customers', { id: 'cust_before_db_crash' })).status).toBe(201);
    const killed = postmasterOf(dataDir)!;
    process.kill(killed.pid, 'SIGKILL');

    // Readiness answers from checks refreshed every 2 s, so it may still say 200 just after the
    // kill: wait for a new postmaster and for readiness on top of it.
    await pollUntil(
      async () => {
        expect(postmasterOf(dataDir)?.pid).toEqual(expect.any(Number));
        expect(postmasterOf(dataDir)!.pid).not.toBe(killed.pid);
        // A round of checks from before the kill may still answer 200: wait for the restart's line too.
        expect(engine.output()).toMatch(/embedded PostgreSQL restarted/);
        const ready = await apiCall(engine.url, 'GET', '/health/ready');
        expect(ready.status).toBe(200);
      },
      { timeoutMs: 30000, intervalMs: 250 },
    );
    expect(engine.child.exitCode).toBeNull();
    const kept = await apiCall(engine.url, 'GET', '/v1/customers/cust_before_db_crash');
    expect(kept.status).toBe(200);
    expect((await apiCall(engine.url, 'POST', '/v1/customers', { id: 'cust_after_db_crash' })).status).toBe(201);
    expect((await apiCall(engine.url, 'GET', '/v1/metrics')).status).toBe(200);
    expect(await stopEngineProcess(engine)).toBe(0);
  }, 150000);

  it('exits non-zero, naming the cause, when its PostgreSQL cannot be started again', async () => {
    const dataDir = freshDataDir();
    const engine = await start(dataDir);
    // PostgreSQL refuses a data directory others may read: every restart attempt fails.
    chmodSync(join(dataDir, 'postgres'), 0o755);
    process.kill(postmasterOf(dataDir)!.pid, 'SIGKILL');
    const code = await Promise.race([engine.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 60000))]);
    chmodSync(join(dataDir, 'postgres'), 0o700);
    expect(code).toBe(1);
    expect(engine.output()).toMatch(/did not start again/);
    expect(engine.output()).toMatch(/invalid permissions/);
  }, 150000);
});
