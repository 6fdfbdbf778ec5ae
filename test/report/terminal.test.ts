/**
 * Issue 9 §6: strings from a hostile provider (issuer, error_description, claim values) reach the console without
 * their control characters: no clear-screen, set-title, colour or forged lines. The JSON printed by --json keeps
 * the values but escapes every terminal-unsafe character.
 */
import { describe, expect, it } from 'vitest';
import { escapeJsonForTerminal, hasControl, stripControl } from '../../helpers/report/escape.ts';
import { formatConsoleSummary } from '../../helpers/report/index.ts';
import { check, failingTranscript, makeRun } from './fixtures.ts';

const CLEAR = '\u001b[2J\u001b[H';
const TITLE = '\u001b]0;pwned\u0007';
const RED = '\u001b[31m';
const C1_CSI = '\u009b31m';
const BIDI = '\u202eevil\u202c';
const FORGED = '\r\nPASS  42 of 42 checks passed';
const HOSTILE = `${CLEAR}${TITLE}${RED}${C1_CSI}${BIDI}${FORGED}\u0000\u007f`;

function hostileRun() {
  return makeRun(
    [
      check('discovery.issuer-matches', 'discovery', 'fail', { diag: 'issuer-mismatch', detail: `issuer "${HOSTILE}"`, expected: 'https://a/', actual: HOSTILE }),
      check('login.completes', 'login', 'fail', { diag: 'authentik-flow-error', detail: `error_description=${HOSTILE}` }),
      check('scopes.email-verified', 'scopes', 'warn', { diag: 'email-verified-false', actual: HOSTILE }),
      check('osticket.agent-login', 'osticket', 'skip', { reason: `no osTicket ${HOSTILE}` }),
    ],
    failingTranscript(),
    { target: { kind: 'live', description: `live ${HOSTILE}`, issuer: HOSTILE } },
  );
}

describe('the console never receives a control character from the network', () => {
  it('stripControl replaces C0, DEL, C1 and bidi controls; line breaks become spaces', () => {
    expect(stripControl(`a${CLEAR}b\nc\td`)).toBe('a?[2J?[Hb c d');
    expect(hasControl(stripControl(HOSTILE))).toBe(false);
  });

  it('the summary of a run full of escape sequences has none, and no forged verdict line', () => {
    const out = formatConsoleSummary(hostileRun(), { color: false });
    // Our own line breaks are the only controls: every line is free of them.
    for (const line of out.split('\n')) expect(hasControl(line), JSON.stringify(line)).toBe(false);
    expect(out.split('\n').filter((l) => /^PASS/.test(l))).toEqual([]);
    expect(out).toContain('[2J'); // the text is kept, defused
  });

  it('with colour on, the only escape sequences are our own SGR colours', () => {
    const out = formatConsoleSummary(hostileRun(), { color: true });
    const withoutOurColours = out.replace(/\u001b\[(\d+;)*\d*m/g, '');
    for (const line of withoutOurColours.split('\n')) expect(hasControl(line), JSON.stringify(line)).toBe(false);
    expect(out).not.toContain('\u001b]0;');
    expect(out).not.toContain('\u001b[2J');
  });

  it('--json output escapes C1 and bidi controls too and stays the same JSON value', () => {
    const value = { s: HOSTILE };
    const text = escapeJsonForTerminal(JSON.stringify(value));
    expect(hasControl(text)).toBe(false);
    expect(JSON.parse(text)).toEqual(value);
  });
});
