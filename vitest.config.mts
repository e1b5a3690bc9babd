import { defineConfig } from 'vitest/config';

// One runner for the whole workspace; each project is one kind of test.
const slow = { testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    // A variable stubbed with vi.stubEnv never outlives its test.
    unstubEnvs: true,
    projects: [
      { extends: true, test: { name: 'unit', include: ['libs/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts'] } },
      { extends: true, test: { name: 'integration', include: ['apps/*/test/**/*.test.ts', 'libs/*/test/**/*.test.ts'], ...slow } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], ...slow } },
      { extends: true, test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], ...slow } },
      { extends: true, test: { name: 'telemetry', include: ['tests/telemetry/**/*.test.ts'], ...slow } },
      // Fault injection and abuse: real processes and stores they may break; one fault at a time.
      { extends: true, test: { name: 'faults', include: ['tests/faults/**/*.test.ts'], testTimeout: 240_000, hookTimeout: 120_000, fileParallelism: false } },
      { extends: true, test: { name: 'abuse', include: ['tests/abuse/**/*.test.ts'], ...slow } },
      { extends: true, test: { name: 'deploy', include: ['infra/cdk8s/test/**/*.test.ts', 'tests/deploy/**/*.test.ts'], ...slow } },
    ],
  },
});
