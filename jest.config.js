// Three Jest projects, run together by `npm test`:
// - unit: specs beside the code (and test/'s static checks of files): no broker, no database,
//   no global setup (`npm run test:unit`);
// - checks: whole-repository checks that spawn tools (type check, lint, OpenAPI lint);
// - e2e: suites in test/ against the real broker and database that test/global-setup.ts provides.
const { swcOptions } = require('./scripts/swc-options.cjs');
const { compilerOptions } = require('./tsconfig.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

const ESM_PACKAGES = [
  '@nestjs',
  'jose',
  'file-type',
  'strtok3',
  'token-types',
  'peek-readable',
  'uint8array-extras',
  '@tokenizer',
  'uid',
];

/** What every project shares: SWC compilation, path aliases, Node environment. */
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcOptions()],
    // Nest 12 and a few of its dependencies ship ESM only; jest's CommonJS runtime needs them
    // compiled (Node 20's own require(esm) is not available inside jest's module system).
    '^.+\\.m?js$': ['@swc/jest', swcOptions('ecmascript')],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.cache/', '/.kafka/'],
};

/** Whole-repository checks: slow (they spawn tsc, eslint, spectral), but need no broker or database. */
const CHECKS = ['<rootDir>/test/typecheck.spec.ts', '<rootDir>/test/lint.spec.ts', '<rootDir>/test/lint-api.spec.ts'];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/count-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{apps,libs,packages,infra,scripts}/**/*.spec.ts',
        '<rootDir>/test/*.spec.ts',
        '<rootDir>/test/bench/*.spec.ts',
      ],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, ...CHECKS],
    },
    { ...common, displayName: 'checks', testMatch: CHECKS },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
