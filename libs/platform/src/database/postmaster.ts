import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The pid a running (or killed) PostgreSQL wrote into its data directory's lock file. */
export function readPostmasterPid(databaseDir: string): { pid: number } | undefined {
  const file = join(databaseDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid };
}

/** `ps` where /proc is missing (macOS); undefined when the process is gone or `ps` is absent. */
function ps(pid: number, field: 'stat' | 'args'): string | undefined {
  try {
    return execFileSync('ps', ['-p', String(pid), '-o', `${field}=`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie (dead, waiting for its parent to reap it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let state: string | undefined;
  try {
    // "pid (comm) state …"; comm may hold spaces and parentheses, the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    state = ps(pid, 'stat');
  }
  return state === undefined || !state.startsWith('Z');
}

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return ps(pid, 'args');
  }
}

/** True when pid is a live PostgreSQL server started on this data directory (`postgres -D <dir>`). */
export function isRunningPostgresOf(pid: number, databaseDir: string): boolean {
  if (!isAlive(pid)) return false;
  const commandLine = commandLineOf(pid);
  if (!commandLine) return false;
  const escaped = resolve(databaseDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|/)postgres -D ${escaped}/?( |$)`).test(commandLine);
}

/** Signals a process and waits until it is gone; false if it still runs after waitMs. */
export async function stopProcess(pid: number, signal: NodeJS.Signals, waitMs: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  const deadline = Date.now() + waitMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

export function describePostgresExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}
