#!/usr/bin/env node
// Prints the Nx project graph as a Mermaid diagram (README's Architecture section):
//   npx nx graph --file=.nx/graph.json && node scripts/architecture-graph.js
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const { graph } = JSON.parse(readFileSync(join(__dirname, '..', '.nx', 'graph.json'), 'utf8'));
const id = (name) => name.replace(/[^a-zA-Z0-9]/g, '_');
const lines = ['flowchart LR'];
const groups = { app: [], e2e: [], testing: [], engine: [], service: [], shared: [], sdk: [], foundation: [] };
for (const [name, node] of Object.entries(graph.nodes)) {
  const tag = (node.data.tags ?? []).find((t) => t.startsWith('type:'))?.slice(5);
  (groups[tag] ?? groups.foundation).push(name);
}
for (const [group, names] of Object.entries(groups)) {
  if (names.length === 0) continue;
  lines.push(`  subgraph layer_${group} [${group}]`);
  for (const name of names.sort()) lines.push(`    ${id(name)}[${name}]`);
  lines.push('  end');
}
// Every project uses the foundation (platform, contracts, domain): those edges are left out.
const foundation = new Set(['platform', 'contracts', 'domain']);
for (const [from, deps] of Object.entries(graph.dependencies).sort()) {
  for (const dep of deps) {
    if (!graph.nodes[dep.target] || (foundation.has(dep.target) && !foundation.has(from))) continue;
    lines.push(`  ${id(from)} --> ${id(dep.target)}`);
  }
}
console.log(lines.join('\n'));
