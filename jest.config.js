// One jest config for the whole monorepo, one project per test tier (`--selectProjects <name>`):
// - unit: `*.spec.ts` beside the code, no I/O (repositories replaced by small fakes);
// - integration: `*.integration.spec.ts` beside the code: one service on a real PostgreSQL (and
//   the bus), the services it calls stubbed (libs/platform/src/testing/service-under-test.ts);
// - e2e: apps/engine-e2e, the whole engine through the gateway (libs/testing).
// PostgreSQL and Kafka are started by scripts/test.js when not given.
const swc = [
  '@swc/jest',
  {
    swcrc: false,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
// Path aliases are defined once, in tsconfig.base.json; jest derives its mapper from them.
const { paths } = require('./tsconfig.base.json').compilerOptions;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([alias, [target]]) => [`^${alias.replace('/*', '/(.*)')}$`, `<rootDir>/${target.replace('/*', '/$1')}`]),
);
const common = { rootDir: __dirname, testEnvironment: 'node', transform: { '^.+\\.ts$': swc }, moduleNameMapper };

module.exports = {
  // Global only: jest ignores testTimeout in a project. Longer tests and hooks pass their own.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$', '/node_modules/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.integration.spec.ts'],
      testPathIgnorePatterns: ['<rootDir>/apps/engine-e2e/', '/node_modules/'],
      globalSetup: '<rootDir>/libs/platform/src/testing/integration-global-setup.js',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/engine-e2e/**/*.integration.spec.ts'],
      globalSetup: '<rootDir>/libs/platform/src/testing/integration-global-setup.js',
    },
  ],
};
