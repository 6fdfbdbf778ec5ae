/**
 * Applications and their providers (authentik/core/models.py Application.provider, a foreign key to Provider): each
 * application is linked to its OAuth2 provider by `!KeyOf <provider entry id>`, `!Find
 * [authentik_providers_oauth2.oauth2provider, [field, value]]` or the provider's primary key (what
 * `ak export_blueprint` writes), looked up among the stored providers (build.ts store). An install has dozens of
 * applications, each with its own issuer (`/application/o/<slug>/`), keys and flows; an application whose provider
 * is not an OAuth2 provider (proxy, SAML, LDAP, ...) is kept by slug and served by nothing here. Policy bindings on
 * applications are linked by the policies family.
 *
 * The application under test (what the harness signs in to) is the single OAuth2 application, or the one `app`
 * names; with several and no choice, one sentence lists the slugs.
 */
import type { BlueprintBuild } from './build.ts';
import { APPLICATIONS, RESERVED_SLUGS, type ApplicationEntry } from './models/core.ts';
import { OAUTH2_PROVIDER_MODEL, PROVIDERS } from './models/oauth2-provider.ts';
import { FindRef, KeyOfRef } from './tags.ts';
import type { OAuthApplication, ResolvedProvider } from './types.ts';
import { describeQuery, fail, type Ctx } from './values.ts';

/** The provider an application names: its OAuth2 provider, 'other' (a provider of another type), or null (none). */
function providerOf(entry: ApplicationEntry, build: BlueprintBuild): ResolvedProvider | 'other' | null {
  const ref = entry.providerRef;
  if (ref === undefined || ref === null) return null;
  const asProvider = (value: unknown): ResolvedProvider | 'other' => (build.get(PROVIDERS).includes(value as ResolvedProvider) ? (value as ResolvedProvider) : 'other');
  if (ref instanceof KeyOfRef) {
    if (!build.entryIds.has(ref.id)) fail(entry.ctx, `provider is !KeyOf ${ref.id}, but no entry has the id "${ref.id}"`);
    const obj = build.entryObjects.get(ref.id);
    return obj ? asProvider(obj.value) : 'other';
  }
  if (ref instanceof FindRef) {
    if (ref.model !== OAUTH2_PROVIDER_MODEL) return 'other';
    const hit = build.find(OAUTH2_PROVIDER_MODEL, ref.query)[0];
    if (!hit) fail(entry.ctx, `provider: no ${OAUTH2_PROVIDER_MODEL} matches ${describeQuery(ref.query)} (authentik's !Find gives None)`);
    return asProvider(hit.value);
  }
  if (typeof ref === 'string' || typeof ref === 'number') {
    const hit = build.find(OAUTH2_PROVIDER_MODEL, [['pk', String(ref)]])[0];
    if (hit) return asProvider(hit.value);
    // an export names every provider it refers to (proxy, SAML, LDAP, ... load without being served)
    if (build.exportMode && !build.exportedModels(String(ref)).some((m) => /^authentik_providers_\w+\.\w*provider$/.test(m))) {
      fail(entry.ctx, `provider is the primary key ${String(ref)}, which no provider entry of the export has`);
    }
    return 'other';
  }
  fail(entry.ctx, `provider must be !KeyOf <provider entry id>, !Find [${OAUTH2_PROVIDER_MODEL}, [field, value]] or a primary key`);
}

export interface LinkedApplications {
  applications: OAuthApplication[];
  otherApplications: string[];
  selected: OAuthApplication;
}

/** Links every application to its provider and picks the application under test. */
export function linkApplications(build: BlueprintBuild, docCtx: Ctx, wanted: string | undefined): LinkedApplications {
  const entries = build.get(APPLICATIONS);
  const applications: OAuthApplication[] = [];
  const otherApplications: string[] = [];
  for (const entry of entries) {
    if (RESERVED_SLUGS.includes(entry.app.slug)) fail(entry.ctx, `slug "${entry.app.slug}" is reserved (authentik/core/models.py Application.reserved_slugs)`);
    const provider = providerOf(entry, build);
    if (provider === null || provider === 'other') otherApplications.push(entry.app.slug);
    else applications.push({ application: entry.app, provider });
  }
  if (applications.length === 0) {
    const n = build.get(PROVIDERS).length;
    fail(docCtx, `no authentik_core.application with an ${OAUTH2_PROVIDER_MODEL} (found ${n} OAuth2 provider${n === 1 ? '' : 's'} and ${entries.length} application${entries.length === 1 ? '' : 's'})`);
  }
  const slugs = applications.map((a) => a.application.slug);
  let selected: OAuthApplication | undefined;
  if (wanted !== undefined) {
    selected = applications.find((a) => a.application.slug === wanted);
    if (!selected) fail(docCtx, `--app ${wanted}: no OAuth2 application has that slug; the OAuth2 applications are ${slugs.join(', ')}`);
  } else if (applications.length === 1) {
    selected = applications[0];
  } else {
    fail(docCtx, `it has ${applications.length} OAuth2 applications (${slugs.join(', ')}); choose the one under test with --app SLUG`);
  }
  return { applications, otherApplications, selected: selected! };
}
