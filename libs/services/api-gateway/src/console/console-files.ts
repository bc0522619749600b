import { existsSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

/** Where `npm run build` puts the operator console (apps/console, bundled by Vite). */
export const CONSOLE_BUILD_DIR = join('dist', 'console');

/**
 * Where dist/console may be: from the working directory (every run mode starts at the repository
 * root: `npm start`, jest, the image's WORKDIR), else above this file, from the sources
 * (libs/services/api-gateway/src/console, five levels deep) or from the build (six).
 */
export function consoleCandidateDirectories(): string[] {
  return [
    resolve(process.cwd(), CONSOLE_BUILD_DIR),
    resolve(__dirname, '../../../../..', CONSOLE_BUILD_DIR),
    resolve(__dirname, '../../../../../..', 'console'),
  ];
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export type ConsoleFile =
  { kind: 'file'; path: string; contentType: string; cacheControl: string } | { kind: 'not_found' } | { kind: 'not_built'; looked: string[] };

/**
 * What GET /console/<relative> answers. A path under assets/, or a top-level name with an
 * extension (favicon.svg), names a file of the build (404 when absent, never a file outside the
 * build directory); any other path is a page of the single-page app and gets index.html (the SPA
 * fallback; customer ids may hold dots: /console/customers/acme.corp is a page). Vite names assets
 * by content hash, so they are cached for a year; index.html is revalidated on every load.
 */
export function resolveConsoleFile(directory: string | undefined, relative: string, looked: string[] = []): ConsoleFile {
  if (!directory) return { kind: 'not_built', looked };
  const isFile = relative.startsWith('assets/') || (!relative.includes('/') && extname(relative) !== '');
  const target = resolve(directory, isFile ? relative : 'index.html');
  if (target !== directory && !target.startsWith(directory + sep)) return { kind: 'not_found' };
  const contentType = CONTENT_TYPES[extname(target)];
  if (!contentType || !existsSync(target) || !statSync(target).isFile()) return isFile ? { kind: 'not_found' } : { kind: 'not_built', looked };
  const immutable = relative.startsWith('assets/');
  return { kind: 'file', path: target, contentType, cacheControl: immutable ? 'public, max-age=31536000, immutable' : 'no-cache' };
}

/** The first candidate holding a build (an index.html), or undefined. */
export function findConsoleDirectory(candidates: string[] = consoleCandidateDirectories()): string | undefined {
  return candidates.find((candidate) => existsSync(join(candidate, 'index.html')));
}
