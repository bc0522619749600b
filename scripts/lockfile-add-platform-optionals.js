#!/usr/bin/env node
// The npm registry reachable from our machines serves only the linux-x64 builds of packages that
// ship per-platform binaries (@swc/core-*, @nx/nx-*, @unrs/resolver-binding-*), so `npm install`
// writes a lockfile without the other platforms' optional entries, and `npm ci` then refuses it
// as out of sync. This adds those entries back as optional (npm skips them when they cannot be
// fetched). Run after every `npm install`.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const file = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
let added = 0;
for (const meta of Object.values(lock.packages)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (!lock.packages[key]) {
      lock.packages[key] = { version: range.replace(/^[\^~=]/, ''), optional: true };
      added += 1;
    }
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform-specific optional entries added`);
