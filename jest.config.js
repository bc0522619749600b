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
  testTimeout: 60000,
  // Suites run in a worker process that is replaced once it holds over 1 GB after a suite, never in
  // jest's own process: what one suite leaves behind (sockets, timers, heap) cannot slow or hang
  // the suites that run after it late in a long run.
  workerIdleMemoryLimit: '1GB',
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
      testTimeout: 60000,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/engine-e2e/**/*.integration.spec.ts'],
      globalSetup: '<rootDir>/libs/platform/src/testing/integration-global-setup.js',
      // A whole engine on Kafka can take over a minute to stop late in a loaded CI run (its
      // subscriptions stop one after another, each bounded): hooks and tests get three minutes.
      testTimeout: 180000,
    },
  ],
};
