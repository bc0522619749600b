import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');

/*
 * The ingestion benchmark's short form (BENCH_SHORT=1: a few thousand events) in both modes — the
 * distributed processes on Kafka and `npm start`'s engine on the embedded bus. Its figures are
 * printed, never asserted; what is asserted is the exactness the bench checks in every phase
 * (batch, direct Kafka, single closed and open loop: every event counted once).
 */
describe('ingestion benchmark, short form', () => {
  it('counts every event of every phase exactly once, in both modes', async () => {
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', './scripts/register-typescript.js', 'bench/ingestion-bench.ts'], {
        cwd: root,
        env: { ...process.env, BENCH_SHORT: '1', BENCH_MODES: 'kafka,embedded' },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: if it overruns, it goes with the service processes it forked.
        detached: true,
      });
      const overrun = setTimeout(() => {
        output.push('\n(the bench overran 140 s: its process group was killed)\n');
        process.kill(-child.pid!, 'SIGKILL');
      }, 140_000);
      child.once('exit', () => clearTimeout(overrun));
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const text = output.join('');
    expect({ code, tail: text.slice(-3000) }).toEqual({ code: 0, tail: expect.any(String) });
    expect(text).toMatch(/\| exactness \| every phase counted exactly \| every phase counted exactly \|/);
  }, 150_000);
});
