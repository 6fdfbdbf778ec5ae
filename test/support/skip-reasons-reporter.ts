/**
 * A vitest reporter that prints every skipped test with its reason at the end of `npm test` (issue 9: the reason
 * was only in reports/vitest.json). vitest 4's default reporter shows a `ctx.skip(note)` note only on the lines it
 * prints for each test, which it does not do for passing files in CI; this lists them all, grouped by reason.
 * The reason is the note given to `ctx.skip(note)`, else the title (tests skipped with `it.skip(reason)` say it in
 * their title, as the project's tests do), else the enclosing describe's title.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';

function reasonOf(test: TestCase): string {
  const r = test.result();
  if (r.state === 'skipped' && r.note) return r.note;
  const parent = test.parent.type === 'suite' ? test.parent.name : '';
  return parent && parent !== test.name ? `${parent}: ${test.name}` : test.name;
}

export default class SkipReasonsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const byReason = new Map<string, Set<string>>();
    let total = 0;
    for (const m of modules) {
      for (const test of m.children.allTests('skipped')) {
        total++;
        const reason = reasonOf(test).replace(/\s+/g, ' ').trim();
        const files = byReason.get(reason) ?? new Set<string>();
        files.add(m.relativeModuleId);
        byReason.set(reason, files);
      }
    }
    if (total === 0) return;
    const lines = [`\nSkipped tests (${total}), by reason:`];
    for (const [reason, files] of byReason) lines.push(`  - ${reason} (${[...files].join(', ')})`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
