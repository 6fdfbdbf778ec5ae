/**
 * Where a headless login's time goes (issue 12: is the login median the provider's signing or the harness?). The
 * login of bench/headless.ts, one after another, against `serve-reference` in its own process, so the CPU of each
 * side is read apart: this process (the harness: flow-executor driver, token request, userinfo, ID-token
 * verification) with process.cpuUsage(), the provider's process (all its threads: jose signs through WebCrypto,
 * on libuv's pool) from /proc/<pid>/stat. And the provider's signing alone: authentik's default key is its RSA-4096
 * "authentik Self-signed Certificate" (crypto/builder.py), and every login signs two JWTs with it, the id_token and
 * the access token (compose/embedded/oauth2/tokens.ts, as authentik's views/token.py); timed here with the same
 * jose call (oauth2/jwt.ts) on a key of that size.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CompactSign } from 'jose';
import { sequentialLogins } from './headless.ts';
import { withServedReference } from './live.ts';
import { round, stats, timeEach, type Stats } from './stats.ts';

export const SIGNATURES_PER_LOGIN = 2;

export interface LoginSplit {
  /** Wall time of the login against the provider in its own process. */
  login: Stats;
  harnessCpuMsPerLogin: number;
  /** null where /proc is not there to read the provider's CPU time. */
  providerCpuMsPerLogin: number | null;
  /** One RS256 signature with an RSA-4096 key (jose CompactSign), and that times SIGNATURES_PER_LOGIN. */
  rs256Rsa4096SignMs: Stats;
  signingMsPerLogin: number;
}

const tickMs = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 10; // USER_HZ on Linux
  }
})();

/** CPU time (user + system, every thread) a process has used, from /proc/<pid>/stat; undefined without /proc. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    return (Number(fields[11]) + Number(fields[12])) * tickMs; // utime and stime are the 14th and 15th
  } catch {
    return undefined;
  }
}

async function rs256SignMs(n: number): Promise<Stats> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
  const body = new TextEncoder().encode(JSON.stringify({ iss: 'bench', sub: 'x'.repeat(64), aud: 'osticket' }));
  const ms = await timeEach(n, 5, async () => {
    await new CompactSign(body).setProtectedHeader({ alg: 'RS256', kid: 'bench', typ: 'JWT' }).sign(privateKey);
  });
  return stats(ms);
}

export function loginSplit(n: number, warmup: number): Promise<LoginSplit> {
  return withServedReference(0, async (target, _cfg, server) => {
    const pid = server.child.pid!;
    let before: number | undefined;
    const login = await sequentialLogins(target, n, warmup, () => (before = processCpuMs(pid)));
    const after = processCpuMs(pid);
    const sign = await rs256SignMs(50);
    return {
      login,
      harnessCpuMsPerLogin: login.cpuMsPerLogin,
      providerCpuMsPerLogin: before !== undefined && after !== undefined ? round((after - before) / n, 2) : null,
      rs256Rsa4096SignMs: sign,
      signingMsPerLogin: round(sign.median * SIGNATURES_PER_LOGIN, 2),
    };
  });
}
