// One lint config for the monorepo (ESLint 9 flat config). What it guards:
// - the architecture: which kind of project (its `type:*` tag in project.json) may import which;
// - libs/domain stays pure: no Nest, no database, no bus, no network, no file system;
// - typescript-eslint's recommended rules (no `any` outside the test harnesses).
import nx from '@nx/eslint-plugin';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Who may import whom, by project tag (project.json): each kind of project only the kinds listed.
// Apps never import apps (the rule refuses any import of an application project), and a service
// never imports another service (type:service is not in its own list).
const only = (...kinds) => kinds.map((kind) => `type:${kind}`);
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: only('engine', 'service', 'shared', 'platform', 'contracts', 'domain', 'sdk') },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: only('testing', 'engine', 'service', 'shared', 'platform', 'contracts', 'domain', 'sdk') },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: only('engine', 'service', 'shared', 'platform', 'contracts', 'domain') },
  { sourceTag: 'type:engine', onlyDependOnLibsWithTags: only('service', 'shared', 'platform', 'contracts', 'domain') },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: only('shared', 'platform', 'contracts', 'domain') },
  { sourceTag: 'type:shared', onlyDependOnLibsWithTags: only('platform', 'contracts', 'domain') },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: only('contracts', 'domain') },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: only('domain') },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: only() },
  // The client SDK (@abaxus/sdk) stands alone: it talks to the engine over HTTP only.
  { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: only() },
];

// The business rules are pure functions: libs/domain imports no framework and does no I/O.
const domainBannedImports = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'kafkajs',
  'stripe',
  'nodemailer',
  'undici',
  'express',
  ...['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'child_process', 'dgram', 'tls'].flatMap((name) => [name, `node:${name}`]),
];

export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', 'deploy/.tools/', '**/coverage/', '.nx/']),
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommended],
    rules: {
      // `_name` marks what is there on purpose (a validated body, an omitted property).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Test harnesses and benchmarks read whatever JSON the engine answers.
    files: ['libs/testing/**/*.ts', 'libs/platform/src/testing/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: domainBannedImports, message: 'libs/domain holds pure business rules: no framework, no I/O.' }] },
      ],
    },
  },
);
