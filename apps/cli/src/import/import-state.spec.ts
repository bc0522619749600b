import { appendFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileHead, ImportState, keyPrefixFor, loadState, resumeRefusal, saveState, statePathFor } from './import-state';

const dir = mkdtempSync(join(tmpdir(), 'abaxus-cli-state-'));

function stateFor(input: string, offset: number): ImportState {
  const size = Buffer.byteLength('line 1\nline 2\n');
  return { version: 1, input, ...fileHead(input, size), offset, line: 2, accepted: 1, refused: 0, refusedFileBytes: 0, updatedAt: '2026-03-17T14:00:00.000Z' };
}

describe('import state', () => {
  it('is saved beside the input and read back', () => {
    const input = join(dir, 'saved.ndjson');
    writeFileSync(input, 'line 1\nline 2\n');
    const path = statePathFor(input);
    expect(path).toBe(`${input}.abaxus-progress`);
    expect(loadState(path)).toBeUndefined();
    saveState(path, stateFor(input, 7));
    expect(loadState(path)).toEqual(stateFor(input, 7));
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('resumes the same file, even grown, and refuses one that changed or shrank', () => {
    const input = join(dir, 'grow.ndjson');
    writeFileSync(input, 'line 1\nline 2\n');
    const state = stateFor(input, 7);
    expect(resumeRefusal(state, input, 14)).toBeUndefined();
    appendFileSync(input, 'line 3\n');
    expect(resumeRefusal(state, input, 21)).toBeUndefined();
    writeFileSync(input, 'LINE 1\nline 2\nline 3\n');
    expect(resumeRefusal(state, input, 21)).toBe('the beginning of the file changed since');
    expect(resumeRefusal(state, input, 5)).toMatch(/shorter/);
    expect(resumeRefusal(state, join(dir, 'other.ndjson'), 21)).toMatch(/belongs to/);
  });

  it('derives a stable key prefix from the path', () => {
    expect(keyPrefixFor('/data/usage.ndjson')).toBe(keyPrefixFor('/data/usage.ndjson'));
    expect(keyPrefixFor('/data/usage.ndjson')).not.toBe(keyPrefixFor('/data/usage2.ndjson'));
    expect(keyPrefixFor('/data/usage.ndjson')).toMatch(/^imp_[0-9a-f]{16}_L$/);
  });
});
