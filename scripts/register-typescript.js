// Lets a plain `node` child process (crash tests, benchmarks) load the TypeScript sources: each
// .ts file is compiled by swc on require, with the repo's .swcrc and the path aliases of
// tsconfig.base.json.
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');
const { swcPathAliases } = require('./path-aliases');

const root = resolve(__dirname, '..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
const aliases = swcPathAliases();

addHook(
  (code, filename) =>
    transformSync(code, {
      filename,
      swcrc: false,
      sourceMaps: 'inline',
      jsc: { ...swcrc.jsc, ...aliases },
      module: swcrc.module,
    }).code,
  { exts: ['.ts'], ignoreNodeModules: true },
);
