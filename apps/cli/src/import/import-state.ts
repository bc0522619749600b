import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';

/**
 * How far an import got, kept beside the input file (`<file>.abaxus-progress`) and rewritten
 * (atomically: a temporary file renamed over it) each time a batch and every batch before it were
 * answered. A re-run starts at `offset`; events the engine had already taken from later batches
 * are sent again and skipped by their idempotency keys.
 */
export interface ImportState {
  version: 1;
  /** The input's real path. */
  input: string;
  /** SHA-256 of the input's first `headBytes` bytes: a different file is never resumed. */
  headSha256: string;
  headBytes: number;
  /** Byte offset after the last record of the acknowledged prefix, and its line number. */
  offset: number;
  line: number;
  /** Of the acknowledged prefix: events accepted by the engine, lines refused (here or by the engine). */
  accepted: number;
  refused: number;
  /** Size of the refused-lines file for that prefix (a re-run cuts it back to this). */
  refusedFileBytes: number;
  updatedAt: string;
}

const HEAD_BYTES = 64 * 1024;

export function statePathFor(input: string): string {
  return `${input}.abaxus-progress`;
}

export function refusedPathFor(input: string): string {
  return `${input}.abaxus-refused.ndjson`;
}

export function loadState(path: string): ImportState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state = JSON.parse(text) as ImportState;
  if (state.version !== 1 || !Number.isSafeInteger(state.offset) || !Number.isSafeInteger(state.line))
    throw new Error(`${path} is not an import state this version understands`);
  return state;
}

export function saveState(path: string, state: ImportState): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, path);
}

/** The fingerprint of a file: SHA-256 of its first 64 KiB (or fewer when it is smaller). */
export function fileHead(path: string, size: number, bytes = Math.min(size, HEAD_BYTES)): { headSha256: string; headBytes: number } {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  try {
    let read = 0;
    while (read < bytes) {
      const n = readSync(fd, buffer, read, bytes - read, read);
      if (n === 0) break;
      read += n;
    }
    return { headSha256: createHash('sha256').update(buffer.subarray(0, read)).digest('hex'), headBytes: read };
  } finally {
    closeSync(fd);
  }
}

/** Why a saved state cannot be resumed with this file, or undefined when it can. */
export function resumeRefusal(state: ImportState, input: string, size: number): string | undefined {
  if (state.input !== input) return `it belongs to ${state.input}`;
  if (size < state.offset) return `the file is now shorter (${size} bytes) than the ${state.offset} bytes already imported`;
  if (fileHead(input, size, state.headBytes).headSha256 !== state.headSha256) return 'the beginning of the file changed since';
  return undefined;
}

/** A line's idempotency key when it has none: the same file and line always give the same key. */
export function keyPrefixFor(input: string): string {
  return `imp_${createHash('sha256').update(input).digest('hex').slice(0, 16)}_L`;
}
