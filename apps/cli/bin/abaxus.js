#!/usr/bin/env node
// The `abaxus` command (package.json "bin"): runs the built CLI, dist/apps/cli/src/main.js.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '../../../dist/apps/cli/src/main.js');
if (!existsSync(built)) {
  process.stderr.write('abaxus: the CLI is not built yet: run `npm run build` in the ABAXUS repository first.\n');
  process.exit(1);
}
require(built);
