// The path aliases (`@abaxus/domain/*` → libs/domain/src/*) are defined once, in tsconfig.base.json;
// swc (scripts/build.js, scripts/register-typescript.js) takes them from there, as jest.config.js does.
const { resolve } = require('node:path');

const root = resolve(__dirname, '..');

/** swc's `jsc.baseUrl` (absolute, as swc requires) and `jsc.paths`, from tsconfig.base.json. */
function swcPathAliases() {
  const { baseUrl = '.', paths } = require(resolve(root, 'tsconfig.base.json')).compilerOptions;
  return { baseUrl: resolve(root, baseUrl), paths };
}

module.exports = { swcPathAliases };
