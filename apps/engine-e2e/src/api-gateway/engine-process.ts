import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRunningPostgresOf } from '@abaxus/platform/database/postmaster';

/**
 * `npm start` as a user runs it: the built engine (dist/apps/engine/src/main.js) in its own
 * process on an embedded PostgreSQL under ABAXUS_DATA_DIR. Build once per suite with buildEngine().
 */
export const repoRoot = join(__dirname, '..', '..', '..', '..');

export function buildEngine(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'pipe' });
}

export interface EngineProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the exit code (null when ended by a signal). */
  exited: Promise<number | null>;
}

export function startEngineProcess(dataDir: string, env: Record<string, string> = {}, readyWithinMs = 60000): Promise<EngineProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', ABAXUS_DATA_DIR: dataDir, ABAXUS_LOG_LEVEL: 'log' };
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'ABAXUS_API_KEYS', 'NODE_OPTIONS']) delete childEnv[name];
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, ['dist/apps/engine/src/main.js'], { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine was not ready within ${readyWithinMs} ms:\n${output}`));
    }, readyWithinMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ABAXUS API ready at (http:\/\/[^\s]+)\/v1/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with ${code}:\n${output}`));
    });
  });
}

/** Ctrl-C, then the exit code. */
export async function stopEngineProcess(engine: EngineProcess): Promise<number | null> {
  engine.child.kill('SIGINT');
  return engine.exited;
}

/** What the embedded PostgreSQL wrote into its lock file: postmaster pid and port. */
export function postmasterOf(dataDir: string): { pid: number; port: number } | undefined {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** Safety net for afterAll: stops a PostgreSQL a failed test left running on this data directory. */
export function stopLeftoverPostgres(dataDir: string): void {
  const postmaster = postmasterOf(dataDir);
  if (postmaster && isRunningPostgresOf(postmaster.pid, join(dataDir, 'postgres'))) process.kill(postmaster.pid, 'SIGQUIT');
}

/** JSON in, JSON out (the body as text when it is not JSON). */
export async function apiCall<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: T }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}
