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
    // Suites run side by side, each holding the platform's suite lock shared; runsAlone hold it
    // exclusive and run with no other suite (test/support/integration-environment.js).
    testEnvironment: '<rootDir>/test/support/integration-environment.js',
    testEnvironmentOptions: {
      runsAlone: [
        // Kills the real node's kubelet, containerd and every pod on it.
        'test/integration/node/recovery.test.ts',
      ],
      // Each starts JVMs (a Pulsar of its own, the Java runner, the interop client), several
      // controllers through tsx, a whole installation on the real node (the mesh suites), or npm
      // ci: CPU-bound for tens of seconds, so on 2 cores they run one at a time, beside light suites.
      heavy: [
        'test/integration/bridge/no-websocket.test.ts',
        'test/integration/bridge/secured-broker.test.ts',
        'test/integration/controller/finalizer.test.ts',
        'test/integration/controller/process.test.ts',
        'test/integration/e2e/fresh-clone.test.ts',
        'test/integration/e2e/mesh-http.test.ts',
        'test/integration/e2e/mesh-java.test.ts',
        'test/integration/images/runners.test.ts',
        'test/integration/platform/outages.test.ts',
        'test/integration/pulsar-client/interop.test.ts',
        'test/integration/pulsar-client/secured-broker.test.ts',
        'test/integration/scaler/broker-moves.test.ts',
        'test/integration/scaler/no-websocket.test.ts',
        'test/integration/scaler/own-pulsar.test.ts',
        'test/integration/scaler/tls-pulsar.test.ts',
      ],
    },
  },
];
// FM_TEST_PROJECTS=unit (npm run test:unit) picks projects without swallowing path arguments the
// way --selectProjects does.
const selected = process.env.FM_TEST_PROJECTS?.split(',');

// Integration suites mostly wait on real processes (Pulsar, KEDA, pods), so more of them run at
// once than there are cores; Jest's default (cores - 1) is one worker on a 2-core machine.
const INTEGRATION_WORKERS = 3;

export default {
  // Integration tests wait on real processes; unit tests finish far sooner.
  testTimeout: 120000,
  ...(!selected || selected.includes('integration') ? { maxWorkers: INTEGRATION_WORKERS } : {}),
  // Longest first, the suites that run alone last (a fresh clone has no timings of its own).
  testSequencer: '<rootDir>/test/support/longest-first-sequencer.js',
  projects: selected ? projects.filter((p) => selected.includes(p.displayName)) : projects,
};
