import { defineConfig } from 'vitest/config';
import { patience } from './test/support/patience.ts';

// Two projects (DESIGN.md): `selftest` = the harness's own tests (test/), `suites` = the conformance suites users
// run against a target (suites/). vitest's own JSON goes to reports/vitest.json (read by .ci/run for the summary
// line); the engine writes reports/results.json and reports/junit.xml itself.
//
// A busy machine (issue 9): the time limits are backstops against hangs, scaled by the load when vitest starts
// (test/support/patience.ts); children are bounded in test/cli/cli-process.ts; each skipped test's reason is printed
// at the end (test/support/skip-reasons-reporter.ts).
export default defineConfig({
  test: {
    reporters: ['default', './test/support/skip-reasons-reporter.ts', ['json', { outputFile: 'reports/vitest.json' }]],
    // GitHub's workflow parser imports its JSON schema without an import attribute, which Node refuses; vite's
    // transform reads it (test/upgrade/workflow.test.ts).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    testTimeout: patience(30_000),
    hookTimeout: patience(120_000),
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
