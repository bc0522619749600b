#!/usr/bin/env node
// CI's dependency audit: `npm audit --omit=dev --audit-level=high` — fails on any high or critical
// advisory of a runtime dependency, listing them. When the registry's advisory service cannot be
// asked (a read-only mirror answers 405), that is said loudly: it fails with ABAXUS_AUDIT=strict
// (CI with the public registry), else the run goes on with the warning.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const result = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 120000 });
let report;
try {
  report = JSON.parse(result.stdout);
} catch {
  report = { message: (result.stderr || result.error?.message || 'no answer').trim() };
}
const counts = report.metadata?.vulnerabilities;
if (!counts) {
  const reason = report.message ?? report.error?.summary ?? 'unknown reason';
  console.error(`npm audit NOT RUN: the advisory service could not be asked (${reason}).`);
  process.exit(process.env.ABAXUS_AUDIT === 'strict' ? 1 : 0);
}
const serious = Object.values(report.vulnerabilities ?? {}).filter((entry) => entry.severity === 'high' || entry.severity === 'critical');
for (const entry of serious)
  console.error(`npm audit: ${entry.severity} in ${entry.name} (${entry.range}); fix available: ${JSON.stringify(entry.fixAvailable)}`);
console.log(`npm audit (runtime dependencies): ${JSON.stringify(counts)}`);
process.exit(serious.length > 0 ? 1 : 0);
