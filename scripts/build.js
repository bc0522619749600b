#!/usr/bin/env node
// Compiles TypeScript to dist/ with swc, keeping each file's path (apps/catalog/src/main.ts →
// dist/apps/catalog/src/main.js). `node scripts/build.js` builds apps and libs in one pass (npm run
// build); `node scripts/build.js libs/domain/src` builds one project (its Nx `build` target).
// swc's options come from .swcrc, the path aliases from tsconfig.base.json (where they are defined
// once); swc rewrites the aliases to relative paths, so dist/ runs with plain `node`.
const { resolve } = require('node:path');
const { swcDir } = require('@swc/cli');
const { swcPathAliases } = require('./path-aliases');

const root = resolve(__dirname, '..');
process.chdir(root);
const sources = process.argv.slice(2);

swcDir({
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
    ignore: [],
  },
  swcOptions: { swcrc: true, jsc: swcPathAliases() },
}).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
