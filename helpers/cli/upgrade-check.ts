/**
 * `oidc-harness upgrade-check`: the CLI view of helpers/upgrade/check.ts. Progress on stderr (one line per version),
 * the prediction on stdout (text or --json). Exit codes: 0 no change breaks osTicket, 1 one does, 2 bad input or a
 * run that could not run (thrown as HarnessInputError, printed by main.ts as one sentence).
 */
import { DEFAULT_BLUEPRINT_PATH, loadBlueprint, PROFILES } from '../../compose/embedded/index.ts';
import type { HarnessConfig } from '../config.ts';
import { escapeJsonForTerminal, stripControl } from '../report/escape.ts';
import { summaryJson, upgradeCheck, upgradeExitCode } from '../upgrade/check.ts';
import { formatUpgradeCheck } from '../upgrade/format.ts';
import type { CliIo } from './main.ts';

export async function runUpgradeCheck(
  o: { from: string; to: string; blueprint?: string; app?: string; report?: string; json?: boolean },
  base: HarnessConfig,
  io: CliIo,
): Promise<number> {
  const env = io.env as Record<string, string>;
  const u = await upgradeCheck(
    { from: o.from, to: o.to, ...(o.blueprint !== undefined ? { blueprint: o.blueprint } : {}), ...(o.app !== undefined ? { app: o.app } : {}), ...(o.report ? { reportDir: o.report } : {}) },
    base,
    {
      profiles: PROFILES,
      blueprintInfo: (path, app) => {
        const bp = loadBlueprint(path ?? DEFAULT_BLUEPRINT_PATH, { env, ...(app !== undefined ? { app } : {}) });
        return { path: bp.path ?? path ?? DEFAULT_BLUEPRINT_PATH, applications: bp.applications.map((a) => a.application.slug), app: bp.application.slug };
      },
      onRun: (version, phase, run) => {
        if (o.json) return;
        if (phase === 'start') io.err(`authentik ${version} (reference provider): running the catalog …\n`);
        else if (run) io.err(`authentik ${version}: ${run.verdict.toUpperCase()} in ${(run.ms / 1000).toFixed(1)} s\n`);
      },
    },
  );
  io.out(`${o.json ? escapeJsonForTerminal(JSON.stringify(summaryJson(u), null, 2)) : formatUpgradeCheck(u).split('\n').map(stripControl).join('\n')}\n`);
  return upgradeExitCode(u);
}
