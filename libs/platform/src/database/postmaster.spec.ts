import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePostgresExit, isAlive, isRunningPostgresOf, readPostmasterPid, stopProcess } from './postmaster';

describe('postmaster lock file and process checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'abaxus-postmaster-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the pid from postmaster.pid, and nothing from a missing or garbled file', () => {
    expect(readPostmasterPid(dir)).toBeUndefined();
    writeFileSync(join(dir, 'postmaster.pid'), `4242\n${dir}\n1796136491\n41899\n/tmp\n127.0.0.1\n  2229408        25\nready   \n`);
    expect(readPostmasterPid(dir)).toEqual({ pid: 4242 });
    writeFileSync(join(dir, 'postmaster.pid'), 'not a pid\n');
    expect(readPostmasterPid(dir)).toBeUndefined();
  });

  it('takes only a live `postgres -D <this dir>` for a PostgreSQL of this data directory', async () => {
    expect(isRunningPostgresOf(process.pid, dir)).toBe(false);
    expect(isRunningPostgresOf(2 ** 22 + 1, dir)).toBe(false);
    // Processes whose command line reads `/opt/pg/bin/postgres -D <dir> 30` (a renamed sleep).
    const lookalike = (dataDir: string) => spawn('bash', ['-c', 'exec -a "$0 -D $1" sleep 30', '/opt/pg/bin/postgres', dataDir], { stdio: 'ignore' });
    const fake = lookalike(dir);
    const other = lookalike(`${dir}-other`);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(isRunningPostgresOf(other.pid!, dir)).toBe(false);
      expect(isRunningPostgresOf(fake.pid!, dir)).toBe(true);
    } finally {
      fake.kill('SIGKILL');
      other.kill('SIGKILL');
    }
  });

  it('stops a process and waits until it is gone', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    expect(isAlive(child.pid!)).toBe(true);
    expect(await stopProcess(child.pid!, 'SIGTERM', 5000)).toBe(true);
    expect(isAlive(child.pid!)).toBe(false);
    expect(await stopProcess(child.pid!, 'SIGTERM', 5000)).toBe(true);
  });

  it('says how PostgreSQL ended', () => {
    expect(describePostgresExit(null, 'SIGKILL')).toBe('killed by SIGKILL');
    expect(describePostgresExit(1, null)).toBe('exit code 1');
  });
});
