/**
 * Contract: scope mappings defined in the blueprint (authentik.md §5, §10).
 * authentik sources: blueprints/system/providers-oauth2.yaml (the managed defaults and their names),
 * authentik/blueprints/v1/common.py (!KeyOf needs an entry applied earlier, !Find takes the first match),
 * providers/oauth2/views/userinfo.py (get_claims: attached mappings whose scope_name was granted, order_by
 * scope_name, deepmerge always_merger; get: sub set first, then overwritten by a mapping's sub),
 * providers/oauth2/id_token.py (IDToken.new with include_claims_in_id_token, to_dict applies the claims last),
 * providers/oauth2/views/provider.py (scopes_supported = every attached mapping's scope_name, openid appended).
 * Providers are real HTTP servers started here; logins go through the flow executor like a curl client.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { fetch } from 'undici';
import { scopePermissions } from '../../compose/embedded/claims.ts';
import { DEFAULT_BLUEPRINT_PATH, parseBlueprint, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, Client, closeAll, exchange, loginForCallback, start, startAll, variant } from './support.ts';

const guide = readFileSync(DEFAULT_BLUEPRINT_PATH, 'utf8');
const EMAIL_MANAGED = '        - !Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-email]]\n';
const PROFILE_MANAGED = '        - !Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-profile]]\n';

/** One scopemapping entry as YAML (placed before the provider, as authentik applies entries in order). */
function mappingEntry(o: { id?: string; name: string; scope: string; expression: string; description?: string }): string {
  return [
    '  - model: authentik_providers_oauth2.scopemapping',
    ...(o.id ? [`    id: ${o.id}`] : []),
    '    identifiers:',
    `      name: ${JSON.stringify(o.name)}`,
    '    attrs:',
    `      scope_name: ${o.scope}`,
    ...(o.description ? [`      description: ${JSON.stringify(o.description)}`] : []),
    '      expression: |',
    ...o.expression.split('\n').map((l) => `        ${l}`),
    '',
  ].join('\n');
}

/** The guide with extra mapping entries above the provider and the given property_mappings list. */
function guideWith(mappings: string[], propertyMappings: string[], opts: { mappingsAfterProvider?: boolean } = {}): string {
  const list = ['      property_mappings:', ...propertyMappings.map((p) => `        - ${p}`)].join('\n') + '\n';
  let text = guide.replace(/      property_mappings:\n(?:        - .*\n)+/, list);
  if (opts.mappingsAfterProvider) text = text.replace('  - model: authentik_core.application\n', `${mappings.join('')}  - model: authentik_core.application\n`);
  else text = text.replace('entries:\n', `entries:\n${mappings.join('')}`);
  return text;
}

const OPENID = '!Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-openid]]';
const PROFILE = '!Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-profile]]';
const EMAIL = '!Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-email]]';

const byName = guideWith(
  [mappingEntry({ name: 'email verified', scope: 'email', expression: 'return {"email": request.user.email, "email_verified": True}' })],
  [OPENID, '!Find [authentik_providers_oauth2.scopemapping, [name, "email verified"]]', PROFILE],
);
const merged = guideWith(
  [
    mappingEntry({ id: 'm-first', name: 'profile extras one', scope: 'profile', expression: 'return {"nickname": "first", "tier": 1, "groups": ["from-first"]}' }),
    mappingEntry({ id: 'm-second', name: 'profile extras two', scope: 'profile', expression: 'return {"tier": 2, "team": user.attributes.get("team", "none"), "groups": ["from-second"]}' }),
    // scope "email" sorts before "profile": merged first although attached last
    mappingEntry({ id: 'm-email', name: 'email alias', scope: 'email', expression: 'return {"nickname": "from-email", "alias": request.user.username}' }),
  ],
  [OPENID, EMAIL, PROFILE, '!KeyOf m-first', '!KeyOf m-second', '!KeyOf m-email'],
);
const custom = guideWith(
  [
    mappingEntry({ id: 'osticket-scope', name: 'osTicket department', scope: 'osticket', description: 'osTicket department', expression: '# osTicket-only claims\nreturn {\n    "department": "helpdesk",\n    "uid": request.user.uid,\n    "pk": user.pk,\n    "uuid": request.user.uuid,\n}' }),
    mappingEntry({ id: 'sub-override', name: 'sub from username', scope: 'subover', expression: 'return {"sub": request.user.username}' }),
  ],
  [OPENID, EMAIL, PROFILE, '!KeyOf osticket-scope', '!Find [authentik_providers_oauth2.scopemapping, [scope_name, subover]]'],
);

const SETUPS = {
  fix: { blueprintPath: variant('email-verified-mapping'), profile: '2026.8' as const },
  byName: { blueprintText: byName },
  merged: { blueprintText: merged },
  custom: { blueprintText: custom },
} satisfies Record<string, Parameters<typeof start>[0]>;
let P = {} as Record<keyof typeof SETUPS, RunningReferenceProvider>;
beforeAll(async () => {
  P = await startAll(SETUPS);
});
afterAll(() => closeAll(P));

async function tokensFor(p: RunningReferenceProvider, scope: string | null) {
  const c = new Client(p.url);
  const cb = await loginForCallback(c, authorizePath({ scope }));
  const { res, body } = await exchange(p.url, cb.searchParams.get('code')!);
  expect(res.status).toBe(200);
  return body;
}
async function userinfo(p: RunningReferenceProvider, accessToken: string): Promise<Record<string, any>> {
  const r = await fetch(`${p.url}/application/o/userinfo/`, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) });
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, any>;
}
async function discovery(p: RunningReferenceProvider): Promise<Record<string, any>> {
  return (await (await fetch(`${p.url}/application/o/osticket/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) })).json()) as Record<string, any>;
}

describe('custom scope mappings at userinfo and in the id_token', () => {
  it('the email_verified fix (variants/email-verified-mapping.yaml, !KeyOf) gives email_verified true on 2026.8', async () => {
    expect(P.fix.blueprint.provider.scope_mappings.map((m) => m.name)).toEqual([
      "authentik default OAuth Mapping: OpenID 'openid'", 'email verified', "authentik default OAuth Mapping: OpenID 'profile'",
    ]);
    const t = await tokensFor(P.fix, 'openid email profile');
    const ui = await userinfo(P.fix, t.access_token);
    expect(ui).toMatchObject({ sub: 'osticket-test@example.com', email: 'osticket-test@example.com', email_verified: true, name: 'osTicket Test' });
    const id = jose.decodeJwt(t.id_token);
    expect(id.email_verified).toBe(true);
    expect(id.email).toBe('osticket-test@example.com');
    // the same user on the guide (managed email mapping) gets false on 2026.8: the custom mapping is what changed it
    const guideRef = await start();
    try {
      const g = await tokensFor(guideRef, 'openid email');
      expect((await userinfo(guideRef, g.access_token)).email_verified).toBe(false);
    } finally {
      await guideRef.close();
    }
  });

  it('a mapping found by name (!Find [..., [name, "email verified"]])', async () => {
    const t = await tokensFor(P.byName, 'openid email');
    expect((await userinfo(P.byName, t.access_token)).email_verified).toBe(true);
    expect(jose.decodeJwt(t.id_token).email_verified).toBe(true);
  });

  it('mappings are merged in scope_name order (ties in property_mappings order), lists appended (always_merger)', async () => {
    const t = await tokensFor(P.merged, 'openid email profile');
    const ui = await userinfo(P.merged, t.access_token);
    // email (managed, then "email alias") < profile (managed, "profile extras one", "profile extras two")
    expect(ui.nickname).toBe('first');
    expect(ui.tier).toBe(2);
    expect(ui.team).toBe('none');
    expect(ui.alias).toBe('osticket-test');
    expect(ui.groups).toEqual(['from-first', 'from-second']); // the managed profile mapping's [] + one + two
    expect(ui.email_verified).toBe(false);
    const id = jose.decodeJwt(t.id_token) as Record<string, unknown>;
    expect(id).toMatchObject({ nickname: 'first', tier: 2, team: 'none', alias: 'osticket-test' });
    // only the email scope: the profile mappings are not evaluated, the email alias one is
    const e = await userinfo(P.merged, (await tokensFor(P.merged, 'openid email')).access_token);
    expect(e.nickname).toBe('from-email');
    expect(e).not.toHaveProperty('tier');
  });

  it('a custom scope is granted only when requested and mapped; it is listed in scopes_supported with its claims', async () => {
    const without = await tokensFor(P.custom, 'openid email profile');
    expect(without.scope.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(await userinfo(P.custom, without.access_token)).not.toHaveProperty('department');

    const withScope = await tokensFor(P.custom, 'openid email osticket');
    expect(withScope.scope.split(' ').sort()).toEqual(['email', 'openid', 'osticket']);
    const ui = await userinfo(P.custom, withScope.access_token);
    const user = P.custom.blueprint.users[0]!;
    expect(ui).toMatchObject({ department: 'helpdesk', pk: user.pk, uuid: user.uuid });
    expect(ui.uid).toMatch(/^[0-9a-f]{64}$/);
    expect(jose.decodeJwt(withScope.id_token).department).toBe('helpdesk');

    // the guide does not map it: requested but dropped silently
    const guideRef = await start();
    try {
      const g = await tokensFor(guideRef, 'openid osticket');
      expect(g.scope).toBe('openid');
    } finally {
      await guideRef.close();
    }

    // consent lists each requested mapping's description, by scope_name, openid with an empty name
    // (userinfo.py get_scope_descriptions; authentik.md §13)
    expect(scopePermissions(P.custom.blueprint.provider, ['openid', 'osticket', 'email'])).toEqual([
      { id: 'email', name: 'Email address' }, { id: 'openid', name: '' }, { id: 'osticket', name: 'osTicket department' },
    ]);

    const d = await discovery(P.custom);
    expect(d.scopes_supported).toEqual(['openid', 'email', 'profile', 'osticket', 'subover']);
    expect(d.claims_supported).toEqual(expect.arrayContaining(['email', 'email_verified', 'name', 'groups', 'department', 'uid', 'pk', 'uuid']));
  });

  it('a mapping returning sub overwrites it at userinfo and in the id_token (userinfo.py get, id_token.py to_dict)', async () => {
    const plain = await tokensFor(P.custom, 'openid email');
    expect((await userinfo(P.custom, plain.access_token)).sub).toBe('osticket-test@example.com');
    const t = await tokensFor(P.custom, 'openid email subover');
    expect((await userinfo(P.custom, t.access_token)).sub).toBe('osticket-test');
    expect(jose.decodeJwt(t.id_token).sub).toBe('osticket-test');
  });

  it('include_claims_in_id_token false keeps the custom claims out of the id_token but not out of userinfo', async () => {
    const text = readFileSync(variant('email-verified-mapping'), 'utf8').replace('      sub_mode: user_email\n', '      sub_mode: user_email\n      include_claims_in_id_token: false\n');
    const p = await start({ blueprintText: text });
    try {
      const t = await tokensFor(p, 'openid email');
      expect(jose.decodeJwt(t.id_token)).not.toHaveProperty('email_verified');
      expect((await userinfo(p, t.access_token)).email_verified).toBe(true);
    } finally {
      await p.close();
    }
  });
});

describe('discovery with custom mappings (views/provider.py get_info)', () => {
  it('scopes_supported lists every attached mapping\'s scope_name (one per mapping) with openid appended when missing', async () => {
    const d = await discovery(P.merged);
    expect(d.scopes_supported).toEqual(['openid', 'email', 'profile', 'profile', 'profile', 'email']);
    expect(d.claims_supported).toEqual(expect.arrayContaining(['tier', 'team', 'alias', 'nickname']));
    const noOpenid = guideWith([mappingEntry({ id: 'x', name: 'x', scope: 'osticket', expression: 'return {"department": "helpdesk"}' })], ['!KeyOf x']);
    const p = await start({ blueprintText: noOpenid });
    try {
      expect((await discovery(p)).scopes_supported).toEqual(['osticket', 'openid']);
    } finally {
      await p.close();
    }
  });
});

describe('blueprint references and expressions (refused at load, one sentence)', () => {
  const load = (text: string) => parseBlueprint(text, 'custom.yaml', { env: {} });

  it('the managed defaults can be found by managed, by authentik\'s name, or by scope_name', () => {
    const b = load(guideWith([], [
      OPENID,
      '!Find [authentik_providers_oauth2.scopemapping, [name, "authentik default OAuth Mapping: OpenID \'email\'"]]',
      '!Find [authentik_providers_oauth2.scopemapping, [scope_name, profile]]',
    ]));
    expect(b.provider.property_mappings).toEqual([
      'goauthentik.io/providers/oauth2/scope-openid', 'goauthentik.io/providers/oauth2/scope-email', 'goauthentik.io/providers/oauth2/scope-profile',
    ]);
    expect(b.provider.scopes).toEqual(['openid', 'email', 'profile']);
    expect(b.provider.scope_mappings.every((m) => m.expression === null)).toBe(true);
  });

  it('unknown, ambiguous, forward and wrong-model references are one clear sentence', () => {
    expect(() => load(guideWith([], ['!KeyOf nope']))).toThrow(/^Blueprint custom\.yaml, entry \d+ \(authentik_providers_oauth2\.oauth2provider "osticket-provider"\): property_mappings\[0\] is !KeyOf nope, but no entry has the id "nope"\.$/);
    expect(() => load(guideWith([], ['!Find [authentik_providers_oauth2.scopemapping, [name, "email verified"]]']))).toThrow(/property_mappings\[0\] refers to unknown scope mapping \[name, email verified\]/);
    expect(() => load(guideWith([], ['!Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-nope]]']))).toThrow(/property_mappings\[0\] refers to unknown managed scope mapping "goauthentik\.io\/providers\/oauth2\/scope-nope"\.$/);
    const twoEmail = [mappingEntry({ name: 'email verified', scope: 'email', expression: 'return {"email_verified": True}' })];
    expect(() => load(guideWith(twoEmail, ['!Find [authentik_providers_oauth2.scopemapping, [scope_name, email]]']))).toThrow(/matches 2 scope mappings .*look it up by name or use !KeyOf/);
    const later = [mappingEntry({ id: 'late', name: 'late', scope: 'email', expression: 'return {}' })];
    expect(() => load(guideWith(later, ['!KeyOf late'], { mappingsAfterProvider: true }))).toThrow(/property_mappings\[0\] refers to !KeyOf late, which entry \d+ .* defines after the provider; .*move the scope mapping above the provider\.$/);
    expect(() => load(guideWith([], ['!KeyOf osticket-app']))).toThrow(/is !KeyOf osticket-app, which is a authentik_core\.application entry, not a authentik_providers_oauth2\.scopemapping/);
    expect(() => load(guideWith([], ['!Find [authentik_providers_oauth2.scopemapping, [pk, 3]]']))).toThrow(/looks up authentik_providers_oauth2\.scopemapping by pk; the reference provider supports managed, name and scope_name/);
    expect(() => load(guideWith([], ['goauthentik.io/providers/oauth2/scope-email']))).toThrow(/property_mappings\[0\] is the primary key goauthentik.io\/providers\/oauth2\/scope-email, which no authentik_providers_oauth2.scopemapping entry has/); // a plain value is a primary key, as an export writes it
  });

  it('redefining a managed default or a duplicate name is refused', () => {
    const redefine = guide.replace('entries:\n', 'entries:\n  - model: authentik_providers_oauth2.scopemapping\n    identifiers:\n      managed: goauthentik.io/providers/oauth2/scope-email\n    attrs:\n      name: mine\n      scope_name: email\n      expression: return {}\n');
    expect(() => load(redefine)).toThrow(/entry 1 \(authentik_providers_oauth2\.scopemapping\): it redefines authentik's managed default mapping "authentik default OAuth Mapping: OpenID 'email'"/);
    const dup = [mappingEntry({ name: 'twin', scope: 'a', expression: 'return {}' }), mappingEntry({ name: 'twin', scope: 'b', expression: 'return {}' })];
    expect(() => load(guideWith(dup, [OPENID]))).toThrow(/entry 2 \(authentik_providers_oauth2\.scopemapping\): scope mapping "twin" is already defined by entry 1/);
  });

  it('unsupported expressions are refused at load with the mapping\'s name and the supported subset', () => {
    const cases: Array<[string, RegExp]> = [
      ['import os\nreturn {"email": request.user.email}', /import statements are not supported at line 1/],
      ['return request.user.password', /the return value must be a dict literal \{\.\.\.\}, found "request" at line 1/],
      ['return {"password": request.user.password}', /request\.user\.password is not supported at line 1/],
      ['return {"email": request.user.email.lower()}', /only the plain value of request\.user\.email is supported/],
      ['return {"member": ak_is_group_member(request.user, name="admins")}', /function calls are not supported \(ak_is_group_member\(\.\.\.\)\)/],
      ['x = request.user.email\nreturn {"email": x}', /assignments are not supported at line 1/],
      ['if True:\n    return {}', /only one statement is supported, found 2 \(the statement starting with "if"\)/],
      ['return {"email": f"{request.user.email}"}', /prefixed string literals/],
      ['return {request.user.username: True}', /dict keys must be string literals/],
      ['return {"a": 1 + 2}', /the operator "\+" \(operators are not supported\)/],
      ['return {}; import os', /the operator ";" \(operators are not supported\) after the returned dict/],
    ];
    for (const [expression, problem] of cases) {
      const text = guideWith([mappingEntry({ id: 'bad', name: 'my bad mapping', scope: 'email', expression })], [OPENID, '!KeyOf bad']);
      let message = '';
      try {
        load(text);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, expression).toMatch(/^Blueprint custom\.yaml, entry 1 \(authentik_providers_oauth2\.scopemapping "bad"\): the expression of scope mapping "my bad mapping" is not supported by the reference provider \(/);
      expect(message, expression).toMatch(problem);
      expect(message, expression).toMatch(/; supported: a single `return \{\.\.\.\}`.*\.$/);
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  it('an unsupported expression on a mapping that is not attached does not stop the load (it is never evaluated)', () => {
    const text = guideWith([mappingEntry({ name: 'unused', scope: 'email', expression: 'import os' })], [OPENID, EMAIL, PROFILE]);
    expect(load(text).provider.scopes).toEqual(['openid', 'email', 'profile']);
  });

  it('the supported values parse: literals, user fields, attributes.get with a default, the group list, comments', () => {
    const expression = [
      '# a comment',
      'return {',
      '    "s": \'single\', "n": 42, "f": -1.5, "t": True, "no": False, "none": None,',
      '    "email": user.email, "name": request.user.name, "username": request.user.username,',
      '    "pk": request.user.pk, "uid": user.uid, "uuid": request.user.uuid,',
      '    "dept": request.user.attributes.get("dept"), "site": user.attributes.get("site", "hq"),',
      '    "groups": [g.name for g in request.user.ak_groups.all()],  # trailing comment',
      '}',
    ].join('\n');
    const b = load(guideWith([mappingEntry({ id: 'all', name: 'all values', scope: 'everything', expression })], ['!KeyOf all']));
    const m = b.provider.scope_mappings[0]!;
    expect(m).toMatchObject({ name: 'all values', scope_name: 'everything', managed: null, id: 'all' });
    expect(m.expression!.entries.map(([k]) => k)).toEqual(['s', 'n', 'f', 't', 'no', 'none', 'email', 'name', 'username', 'pk', 'uid', 'uuid', 'dept', 'site', 'groups']);
    expect(Object.fromEntries(m.expression!.entries)).toMatchObject({
      s: { kind: 'literal', value: 'single' }, f: { kind: 'literal', value: -1.5 }, none: { kind: 'literal', value: null },
      site: { kind: 'attribute', key: 'site', fallback: 'hq' }, groups: { kind: 'groups' }, uid: { kind: 'user', field: 'uid' },
    });
  });
});
