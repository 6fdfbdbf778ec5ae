/**
 * The console text of `upgrade-check`: the prediction stated as one, the verdict for osTicket's login, every known
 * change between the two versions (version, who notices, what the runs showed), what no known change explains, what
 * is random by nature, and how to confirm it all on the real authentik.
 */
import { explanationTag, formatDifferences } from '../compare.ts';
import { describe, type KnownChangeOutcome, type KnownChangeState, type UpgradeCheck } from './check.ts';
import { NOTICES_LABEL } from './known-changes.ts';

const STATE_TEXT: Record<KnownChangeState, (o: KnownChangeOutcome) => string> = {
  seen: (o) => `seen: ${o.seen.join('; ')}`,
  migrated: (o) => `not seen in place: the upgrade's own migration changes this install (${(o.migrated ?? []).join('; ')}; simulated here); see "Created from this blueprint" below`,
  'not-in-this-setup': (o) => `not seen here: only ${o.change.when} notices it`,
  'not-visible': (o) => `the checks cannot see it: ${o.change.unseen ?? 'nothing the harness observes changes'}`,
  'not-reproduced': (o) =>
    `the reference provider does not reproduce it: confirm on authentik${o.change.when ? ` (it matters only with ${o.change.when})` : ''}`,
  'expected-not-seen': () => 'expected but not seen: the reference provider and the table disagree, please report it',
};

export function formatUpgradeCheck(u: UpgradeCheck): string {
  const lines: string[] = [];
  const { from, to } = u.runs;
  lines.push(`upgrade-check: authentik ${u.from} -> ${u.to}, blueprint ${u.blueprint}, application ${u.app}`);
  lines.push(
    'This is a PREDICTION from the reference provider, a stand-in that reproduces authentik\'s documented behaviour at each',
    'version (compose/embedded/CONTRACT.md); it is not authentik. Confirm it on the real thing (below) before you upgrade.',
    '',
    `at ${u.from}: ${from.verdict.toUpperCase()} (${from.counts.pass} pass, ${from.counts.warn} warn, ${from.counts.fail} fail, ${from.counts.skip} skip)`,
    `at ${u.to}: ${to.verdict.toUpperCase()} (${to.counts.pass} pass, ${to.counts.warn} warn, ${to.counts.fail} fail, ${to.counts.skip} skip)`,
  );
  if (from.verdict !== 'pass') {
    lines.push(`Already at ${u.from} the login does not pass every check: this prediction is about what changes. See them with`, `  oidc-harness run --profile ${u.from} --blueprint ${u.blueprint}`);
  }
  lines.push('');
  if (u.breaksOsticket.length) {
    lines.push(`BREAKS osTicket's login after the upgrade (${u.breaksOsticket.length}):`);
    for (const d of u.breaksOsticket) {
      lines.push(`  ✗ ${describe(d)}${'diagnosis' in d && d.diagnosis ? ` [${d.diagnosis}]` : ''} ${explanationTag(d.explanation)}`);
      const known = d.explanation.kind === 'known' ? u.known.find((o) => o.change.id === (d.explanation as { change: { id: string } }).change.id) : undefined;
      if (known?.change.inPlace) lines.push(`    in place: ${known.change.inPlace}`);
    }
  } else {
    lines.push("osTicket's login: no change predicted to break it.");
  }
  lines.push('', `Known changes from ${u.from} to ${u.to} (${u.known.length}), oldest first:`);
  for (const o of u.known) {
    const k = o.change;
    lines.push(`  ${k.version.padEnd(9)} ${k.id}: ${k.what}`);
    lines.push(`            who notices: ${NOTICES_LABEL[k.notices]}${k.when ? `, only with ${k.when}` : ''} (${k.why})`);
    lines.push(`            ${STATE_TEXT[o.state](o)}`);
    if (k.inPlace) lines.push(`            in place: ${k.inPlace}`);
    if (k.versionNote) lines.push(`            version: ${k.versionNote}`);
    lines.push(`            source: ${k.source}`);
  }
  if (u.freshInstall) lines.push('', ...freshInstall(u));
  lines.push('', u.unexplained.length ? `Differences no known change explains (${u.unexplained.length}): not a known upgrade change: investigate` : 'Differences no known change explains: none');
  for (const d of u.unexplained) lines.push(`  ? ${describe(d)}`);
  const c = u.comparison;
  if (c.natural.length) {
    lines.push('', 'Random by nature (not changes):');
    for (const n of c.natural) lines.push(`  · ${n.path}: ${n.reason}`);
  }
  if (c.statusChanges.length || c.observedChanges.length) {
    lines.push('', 'The differences between the two runs:', ...formatDifferences(c, { namedChanges: false, collapseFollows: true }).slice(1));
  }
  lines.push('', ...confirmation(u));
  return lines.join('\n');
}

/** The --to version with the blueprint as written: what a new install, a restore or a staging copy made from it gets. */
function freshInstall(u: UpgradeCheck): string[] {
  const f = u.freshInstall!;
  const head = `Created from this blueprint on ${u.to} instead (a new install, a restore, a staging copy; not an in-place upgrade): ${f.run.verdict.toUpperCase()}`;
  if (!f.breaksOsticket.length) return [head, "  osTicket's login: nothing breaks."];
  return [
    head,
    `  WARNING: osTicket's login breaks there (${f.breaksOsticket.length}); fix the blueprint before it is applied to a new install:`,
    ...f.breaksOsticket.map((d) => `  ✗ ${describe(d)}${'diagnosis' in d && d.diagnosis ? ` [${d.diagnosis}]` : ''} ${explanationTag(d.explanation)}`),
  ];
}

/** How to confirm the prediction on real authentik: the containers target with the real images, or a staging instance. */
function confirmation(u: UpgradeCheck): string[] {
  return [
    'Confirm it on the real thing:',
    `  containers (the real authentik images; needs Docker and a registry): run the suites at the exact tags, then compare`,
    `    AUTHENTIK_TAG=${u.from}.<patch you run> node bin/oidc-harness run --target containers --report before`,
    `    AUTHENTIK_TAG=${u.to}.<patch you plan> node bin/oidc-harness run --target containers --report after`,
    '    node bin/oidc-harness compare before/results.json after/results.json',
    `  or a staging authentik already on ${u.to}, read-only, compared with the same run against production:`,
    '    node bin/oidc-harness diagnose --issuer https://<staging>/application/o/<slug>/ --client-id … --report after',
    `Exit code: ${u.breaksOsticket.length ? '1 (a change breaks osTicket)' : '0 (no change breaks osTicket)'}; took ${(u.ms / 1000).toFixed(1)} s.`,
  ];
}
