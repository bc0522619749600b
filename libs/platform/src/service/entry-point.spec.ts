import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');

/**
 * The largest heap of a process holding ~40 MB of live data while it allocates garbage for a
 * while (about 1 GB), with limitHeapGrowth(percent) called first (in a child: V8 flags are per process).
 */
function peakHeapMiB(percent: number): number {
  const script = `
    require('./libs/platform/src/service/entry-point').limitHeapGrowth(${percent});
    const live = Array.from({ length: 60000 }, (_, i) => ({ text: 'x'.repeat(500) + i }));
    let peak = 0;
    for (let round = 0; round < 150; round++) {
      const garbage = Array.from({ length: 20000 }, (_, i) => ({ text: 'y'.repeat(300) + i, pair: [i, i + 1] }));
      live[garbage.length % live.length] = garbage[0];
      peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    process.stdout.write(String(Math.round(peak / 1048576)));`;
  const child = spawnSync(process.execPath, ['-r', './scripts/register-typescript.js', '-e', script], { cwd: root, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return Number(child.stdout);
}

describe('limitHeapGrowth', () => {
  it('keeps the heap closer to its live data than V8’s own sizing does', () => {
    const own = peakHeapMiB(0);
    const limited = peakHeapMiB(50);
    expect(limited).toBeGreaterThan(40);
    expect(limited).toBeLessThan(own * 0.8);
  });
});
