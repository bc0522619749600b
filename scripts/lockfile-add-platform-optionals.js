#!/usr/bin/env node
// The npm registry reachable from our machines serves only the linux-x64 builds of packages that
// ship per-platform binaries (@swc/core-*, @nx/nx-*, @unrs/resolver-binding-*), so `npm install`
// writes a lockfile without the other platforms' optional entries, and `npm ci` then refuses it
// as out of sync. This adds those entries back as optional (npm skips them when they cannot be
// fetched, and never installs them on a platform their os/cpu fields exclude). Run after every
// `npm install`.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const file = join(root, 'package-lock.json');

/** The platform fields of an installed copy, so npm skips the package on other platforms. */
function platformFields(name) {
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
    return Object.fromEntries(['os', 'cpu', 'libc'].filter((field) => manifest[field]).map((field) => [field, manifest[field]]));
  } catch {
    return {};
  }
}

const lock = JSON.parse(readFileSync(file, 'utf8'));
let added = 0;
for (const meta of Object.values(lock.packages)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (!lock.packages[key]) {
      lock.packages[key] = { version: range.replace(/^[\^~=]/, ''), optional: true };
      added += 1;
    }
    if (lock.packages[key].optional && !lock.packages[key].os && !lock.packages[key].cpu) Object.assign(lock.packages[key], platformFields(name));
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform-specific optional entries added`);
