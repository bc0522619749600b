import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ProcessName } from '../config/default-ports';

const repoRoot = join(__dirname, '..', '..', '..', '..');

/** `npm run build`: the standalone apps as an operator runs them (dist/apps/<name>/src/main.js). */
export function buildApps(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'pipe' });
}

export interface StandaloneProcess {
  child: ChildProcess;
  /** Where it listens, once it said so. */
  url: string;
  output(): string;
  /** Resolves with the exit code (null when ended by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function launch(name: ProcessName, env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ABAXUS_LOG_LEVEL: 'log', ...env };
  const child = spawn(process.execPath, [`dist/apps/${name}/src/main.js`], { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/**
 * One process of distributed mode, built (buildApps) and started as `node dist/apps/<name>/src/main.js`
 * with only the given environment (and PATH); resolves once it logs where it listens.
 */
export function startStandaloneProcess(name: ProcessName, env: Record<string, string>, readyWithinMs = 60000): Promise<StandaloneProcess> {
  const { child, output, exited } = launch(name, env);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not listen within ${readyWithinMs} ms:\n${output()}`));
    }, readyWithinMs);
    const onData = () => {
      const match = /listening on (?:http:\/\/)?(127\.0\.0\.1:\d+)/.exec(output());
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({ child, url: `http://${match[1]}`, output, exited, stop });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output()}`));
    });
  });
}

/** A process expected not to start: its exit code and everything it wrote. */
export async function runToExit(name: ProcessName, env: Record<string, string>, withinMs = 30000): Promise<{ code: number | null; output: string }> {
  const { child, output, exited } = launch(name, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), withinMs);
  const code = await exited;
  clearTimeout(timer);
  return { code, output: output() };
}
