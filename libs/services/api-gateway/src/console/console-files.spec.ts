import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findConsoleDirectory, resolveConsoleFile } from './console-files';

describe('resolveConsoleFile', () => {
  let build: string;

  beforeAll(() => {
    const parent = mkdtempSync(join(tmpdir(), 'console-files-'));
    build = join(parent, 'console');
    mkdirSync(join(build, 'assets'), { recursive: true });
    writeFileSync(join(build, 'index.html'), '<!doctype html>');
    writeFileSync(join(build, 'assets', 'index-abc123.js'), 'export {}');
    writeFileSync(join(build, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(parent, 'secret.txt'), 'not served');
  });

  afterAll(() => rmSync(join(build, '..'), { recursive: true, force: true }));

  it('serves hashed assets with their content type, cached for a year', () => {
    expect(resolveConsoleFile(build, 'assets/index-abc123.js')).toEqual({
      kind: 'file',
      path: join(build, 'assets', 'index-abc123.js'),
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: 'public, max-age=31536000, immutable',
    });
    expect(resolveConsoleFile(build, 'assets/index-abc123.css')).toMatchObject({ contentType: 'text/css; charset=utf-8' });
  });

  it('answers every page of the app with index.html, revalidated on each load', () => {
    for (const page of ['', 'customers', 'customers/acme.corp', 'invoices/'])
      expect([page, resolveConsoleFile(build, page)]).toEqual([
        page,
        { kind: 'file', path: join(build, 'index.html'), contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' },
      ]);
  });

  it('answers 404 for a missing asset and never leaves the build directory', () => {
    expect(resolveConsoleFile(build, 'assets/gone-123.js')).toEqual({ kind: 'not_found' });
    expect(resolveConsoleFile(build, 'assets/../../secret.txt')).toEqual({ kind: 'not_found' });
    expect(resolveConsoleFile(build, 'favicon.ico')).toEqual({ kind: 'not_found' });
  });

  it('says the console is not built when no build is found', () => {
    expect(findConsoleDirectory([join(build, 'nowhere'), build])).toBe(build);
    expect(findConsoleDirectory([join(build, 'nowhere')])).toBeUndefined();
    expect(resolveConsoleFile(undefined, 'customers', ['/a/dist/console'])).toEqual({ kind: 'not_built', looked: ['/a/dist/console'] });
  });
});
