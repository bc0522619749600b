import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * What a PDF says, read back with poppler-utils (pdftotext, pdftoppm: `apt-get install -y
 * poppler-utils`; .ci/run installs them), so tests check the document a person would read.
 */

/** test-results/ at the repository root (gitignored; CI keeps it as an artifact). */
export const TEST_RESULTS_DIR = resolve(__dirname, '../../../../..', 'test-results');

function poppler(command: string, args: string[], input?: Buffer): Buffer {
  const result = spawnSync(command, args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${command} is not installed: install poppler-utils (apt-get install -y poppler-utils) to read PDFs in tests`);
  }
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr.toString()}`);
  return result.stdout;
}

/** The text of each page, laid out as printed (columns kept on their line). */
export function pdfPages(pdf: Buffer): string[] {
  const text = poppler('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], pdf).toString('utf8');
  const pages = text.split('\f');
  if (pages.at(-1)?.trim() === '') pages.pop();
  return pages;
}

/** The whole text, pages one after the other. */
export function pdfText(pdf: Buffer): string {
  return pdfPages(pdf).join('\n');
}

/** Renders the first page as a PNG into test-results/<name>.png and answers its path. */
export function renderFirstPage(pdf: Buffer, name: string, dpi = 100): string {
  mkdirSync(TEST_RESULTS_DIR, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'abaxus-pdf-'));
  try {
    const input = join(work, 'invoice.pdf');
    writeFileSync(input, pdf);
    const output = join(TEST_RESULTS_DIR, name);
    poppler('pdftoppm', ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', input, output]);
    return `${output}.png`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
