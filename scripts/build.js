#!/usr/bin/env node
// Compiles TypeScript to dist/ with swc, keeping each file's path (apps/catalog/src/main.ts →
// dist/apps/catalog/src/main.js). `node scripts/build.js` builds apps and libs in one pass (npm run
// build); `node scripts/build.js libs/domain/src` builds one project (its Nx `build` target).
// swc's options come from .swcrc, the path aliases from tsconfig.base.json (where they are defined
// once); swc rewrites the aliases to relative paths, so dist/ runs with plain `node`.
// The operator console (apps/console, a browser app) is bundled by Vite into dist/console, which
// the gateway serves at /console: part of the full build, or alone with `node scripts/build.js apps/console`.
const { resolve } = require('node:path');
const { swcDir } = require('@swc/cli');
const { swcPathAliases } = require('./path-aliases');

const root = resolve(__dirname, '..');
process.chdir(root);
const CONSOLE = 'apps/console';
const requested = process.argv.slice(2).map((source) => source.replace(/\/+$/, ''));
const withConsole = requested.length === 0 || requested.some((source) => source === CONSOLE || source.startsWith(`${CONSOLE}/`));
const sources = requested.filter((source) => source !== CONSOLE && !source.startsWith(`${CONSOLE}/`));

function compileServer() {
  if (requested.length > 0 && sources.length === 0) return Promise.resolve();
  return swcDir({
    cliOptions: {
      filenames: sources.length ? sources : ['apps', 'libs'],
      outDir: 'dist',
      extensions: ['.ts', '.js'],
      stripLeadingPaths: false,
      copyFiles: false,
      includeDotfiles: false,
      deleteDirOnStart: false,
      sync: false,
      watch: false,
      quiet: true,
      only: [],
      ignore: [`${CONSOLE}/**`],
    },
    swcOptions: { swcrc: true, jsc: swcPathAliases() },
  });
}

async function bundleConsole() {
  if (!withConsole) return;
  const { build } = await import('vite');
  await build({ configFile: resolve(root, CONSOLE, 'vite.config.mjs') });
}

Promise.all([compileServer(), bundleConsole()]).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
