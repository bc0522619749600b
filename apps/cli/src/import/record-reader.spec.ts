import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecords } from './record-reader';

const dir = mkdtempSync(join(tmpdir(), 'abaxus-cli-reader-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const all = async (path: string, options = {}) => {
  const records = [];
  for await (const record of readRecords(path, options)) records.push(record);
  return records;
};

describe('readRecords', () => {
  it('yields each line with its number and the byte offset after it, multi-byte characters counted in bytes', async () => {
    const path = file('lines.ndjson', '{"a":"é"}\r\n\n{"b":2}\n{"c":3}');
    expect(await all(path)).toEqual([
      { line: 1, text: '{"a":"é"}', end: 12, lastLine: 1 },
      { line: 2, text: '', end: 13, lastLine: 2 },
      { line: 3, text: '{"b":2}', end: 21, lastLine: 3 },
      { line: 4, text: '{"c":3}', end: 28, lastLine: 4 },
    ]);
  });

  it('resumes at a byte offset with the line number it had reached', async () => {
    const path = file('resume.ndjson', 'one\ntwo\nthree\n');
    expect(await all(path, { start: 8, startLine: 3 })).toEqual([{ line: 3, text: 'three', end: 14, lastLine: 3 }]);
  });

  it('joins the lines of a record that continues (a quoted CSV field with a newline)', async () => {
    const path = file('multi.csv', 'a,b\n1,"x\ny"\n2,z\n');
    const openQuote = (text: string) => (text.match(/"/g)?.length ?? 0) % 2 === 1;
    expect(await all(path, { continues: openQuote })).toEqual([
      { line: 1, text: 'a,b', end: 4, lastLine: 1 },
      { line: 2, text: '1,"x\ny"', end: 12, lastLine: 3 },
      { line: 4, text: '2,z', end: 16, lastLine: 4 },
    ]);
  });

  it('reads lines that straddle the 1 MiB read chunks', async () => {
    const long = 'x'.repeat(700_000);
    const path = file('big.ndjson', `${long}\n${long}\n${long}\n`);
    const records = await all(path);
    expect(records.map((record) => [record.line, record.text.length, record.end])).toEqual([
      [1, 700_000, 700_001],
      [2, 700_000, 1_400_002],
      [3, 700_000, 2_100_003],
    ]);
  });
});
