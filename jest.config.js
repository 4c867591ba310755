// Two projects: `unit` needs no service; `integration` shares one real local platform
// (kube-apiserver, etcd, controllers, kwok, Pulsar) started once in globalSetup.
const esm = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
  // The platform's state lives in .local/ (etcd writes `.snap` files there, which Jest would
  // otherwise count as obsolete snapshots and fail the run on).
  modulePathIgnorePatterns: ['<rootDir>/.local/', '<rootDir>/dist/'],
};

const projects = [
  { ...esm, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
  {
    ...esm,
    displayName: 'integration',
    testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    globalSetup: '<rootDir>/test/support/global-setup.js',
    globalTeardown: '<rootDir>/test/support/global-teardown.js',
  },
];
// FM_TEST_PROJECTS=unit (npm run test:unit) picks projects without swallowing path arguments the
// way --selectProjects does.
const selected = process.env.FM_TEST_PROJECTS?.split(',');

export default {
  // Integration tests wait on real processes; unit tests finish far sooner.
  testTimeout: 120000,
  projects: selected ? projects.filter((p) => selected.includes(p.displayName)) : projects,
};
