/**
 * `--target containers` end to end on whatever images this machine has: the stack starts, the whole catalog runs
 * against it, nothing fails on a healthy set-up, and the osTicket-server checks either run against the osTicket
 * container (when an osTicket image exists) or skip with the reason naming the missing image (issue 10 item 5).
 * Everything is torn down afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import { containersTarget } from '../../helpers/target-containers.ts';
import type { Target } from '../../helpers/target-types.ts';
import { leftoverContainers, mysql as mysqlImage, networkExists, osticket, reference, stackEnv } from './docker-env.ts';

const reason = mysqlImage.reason ?? reference.reason;

describe.skipIf(Boolean(reason))(`containers target (${mysqlImage.image} + ${reference.image}${osticket.reason ? ', no osTicket image' : ` + ${osticket.image}`})${reason ? `: skipped, ${reason}` : ''}`, () => {
  let target: Target | undefined;
  let run: RunResult;
  const lines: string[] = [];

  afterAll(async () => {
    await target?.close?.();
    const [, stackId, network] = /stack (\S+): network (\S+) created/.exec(lines.join('\n')) ?? [];
    expect(stackId).toBeTruthy();
    expect(await leftoverContainers(stackId)).toEqual([]);
    expect(await networkExists(network!)).toBe(false);
  }, 120_000);

  it('starts the stack and runs the whole catalog: no check fails on the healthy set-up', async () => {
    target = await containersTarget({}, stackEnv({ MYSQL_IMAGE: mysqlImage.image, AUTHENTIK_IMAGE: reference.image }), (l) => lines.push(l));
    expect(target.kind).toBe('containers');
    expect(target.description).toContain(`reference provider image ${reference.image} (a stand-in for authentik)`);
    run = await runChecks(target, CATALOG);
    const failed = run.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.diagnosis?.id} ${r.actual ?? ''}`);
    expect(failed).toEqual([]);
  }, 600_000);

  it.runIf(Boolean(osticket.reason))('without an osTicket image, the osTicket checks skip and name the missing image', () => {
    expect(target!.osticketServer).toBeUndefined();
    expect(target!.noOsticketReason).toBe(`no osTicket container: ${osticket.reason}`);
    const ost = run.results.filter((r) => r.area === 'osticket');
    expect(ost.length).toBeGreaterThan(0);
    for (const r of ost) expect(`${r.id}: ${r.status} ${r.reason}`).toBe(`${r.id}: skip no osTicket container: ${osticket.reason}`);
  });

  it.runIf(!osticket.reason)('with an osTicket image, every osTicket check runs against the container and passes', () => {
    expect(target!.osticketServer?.pluginPaths?.length).toBeGreaterThan(0);
    for (const r of run.results.filter((x) => x.area === 'osticket')) expect(`${r.id}: ${r.status}`).toBe(`${r.id}: pass`);
  });
});
