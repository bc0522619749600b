// The operator console: a static single-page app under /console, built into dist/console by
// `npm run build` (scripts/build.js) and served by the gateway. Everything it loads is bundled
// (no CDN at run time); it talks only to the public /v1 API.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const workspace = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  logLevel: 'warn',
  // Shared pure rules (money display) come from libs/domain, as the alias in tsconfig.base.json.
  resolve: { alias: [{ find: /^@abaxus\/domain\/(.*)$/, replacement: `${workspace}libs/domain/src/$1` }] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: `${workspace}dist/console`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
});
