import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEngine, EngineProcess, startEngineProcess, stopEngineProcess, stopLeftoverPostgres } from './engine-process';

const KEY = 'sk_test_memory_bound_key_01';
const BODIES = 50;
/** The engine process may grow by at most this much while 50 bodies of 7 MB arrive at once (it grew by 1.6 GB before the bound; 284 MB measured with the default 16 MiB). */
const GROWTH_BOUND_BYTES = 500 * 1024 * 1024;

function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

/** A batch of 500 events of about 14 KB each: about 7 MB. */
function bigBatch(index: number): Buffer {
  const events = Array.from({ length: 500 }, (_, i) => ({
    customer_id: 'cust_memory',
    metric_key: 'api_calls',
    value: '1',
    timestamp: '2026-03-17T14:00:00Z',
    idempotency_key: `mem-${index}-${i}`,
    properties: { blob: 'x'.repeat(14_000) },
  }));
  return Buffer.from(JSON.stringify({ events }));
}

/** One POST with its Content-Length, on its own connection; resolves with the status (0: no answer). */
function post(url: string, body: Buffer): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve) => {
    const target = new URL(`${url}/v1/events/batch`);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'content-length': String(body.length) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
      },
    );
    // A refused body is answered before it is read, and its connection closed: that answer counts.
    req.on('error', () => resolve({ status: 0 }));
    req.end(body);
  });
}

/**
 * Defect 8: one client sending 50 concurrent 7 MB batch bodies took the engine from 315 MB to
 * 1.95 GB RSS. With the gateway's bounds (ABAXUS_MAX_BODY_BYTES_IN_FLIGHT, default 16 MiB) the
 * bodies past the bound are answered 503 with Retry-After from their Content-Length, unread.
 */
describe('memory under 50 concurrent 7 MB bodies (embedded engine process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'abaxus-memory-'));
  let engine: EngineProcess | undefined;

  beforeAll(() => buildEngine(), 120000);

  afterAll(async () => {
    if (engine) await stopEngineProcess(engine);
    stopLeftoverPostgres(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`stays within ${GROWTH_BOUND_BYTES / 1024 / 1024} MB of growth, refusing what is past the bound with 503 and Retry-After`, async () => {
    engine = await startEngineProcess(dataDir, { ABAXUS_API_KEYS: KEY });
    const pid = engine.child.pid!;
    const bodies = Array.from({ length: BODIES }, (_, index) => bigBatch(index));
    // Warm up every path once (JIT, pools), then measure from there.
    await post(engine.url, bodies[0]);
    const before = rssOf(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
    const answers = await Promise.all(bodies.map((body) => post(engine!.url, body)));
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(pid));
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const after = rssOf(pid);
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    const statuses = answers.reduce<Record<number, number>>((count, answer) => ({ ...count, [answer.status]: (count[answer.status] ?? 0) + 1 }), {});
    process.stdout.write(`memory bound: RSS before ${mb(before)} MB, peak ${mb(peak)} MB, 5 s after ${mb(after)} MB; answers ${JSON.stringify(statuses)}\n`);
    expect(peak - before).toBeLessThan(GROWTH_BOUND_BYTES);
    // Some bodies were taken (the batch's own answer), the rest refused as overload, and no other way.
    expect(answers.filter((answer) => answer.status === 503).every((answer) => answer.retryAfter === '1')).toBe(true);
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
    expect(answers.every((answer) => answer.status !== 0 && (answer.status === 503 || answer.status < 500))).toBe(true);
  }, 180000);
});
