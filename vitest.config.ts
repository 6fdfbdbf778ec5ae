import { defineConfig } from 'vitest/config';

// Two projects (DESIGN.md): `selftest` = the harness's own tests (test/), `suites` = the conformance suites users
// run against a target (suites/). vitest's own JSON goes to reports/vitest.json (read by .ci/run for the summary
// line); the engine writes reports/results.json and reports/junit.xml itself.
export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'selftest', include: ['test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'suites',
          include: ['suites/**/*.test.ts'],
          globalSetup: ['suites/global-setup.ts'],
        },
      },
    ],
  },
});
