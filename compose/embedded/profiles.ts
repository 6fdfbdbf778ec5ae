/**
 * Version profiles: the authentik behaviours that changed between the releases the harness cares about. This file
 * is the single table of what each profile switches (PROFILE_SWITCHES): one row per behaviour, the value it starts
 * with in the oldest profile and each later profile that changed it, with the source of the change. PROFILE_FEATURES
 * is derived from it, and profileChanges(a, b) lists every difference between two profiles (what `upgrade-check`
 * builds on). A profile names a release line and behaves as its newest patch read: 2025.12 = 2025.12.4,
 * 2026.2 = 2026.2.2 (authentik.md "Sources and versions", §13, §13.1).
 *
 * Sources: authentik.md sections, the authentik source paths they cite, and the upstream pull requests that made
 * the change (their merge dates place them between two releases). CONTRACT.md "Version profiles" repeats the table;
 * test/contract/profiles.test.ts keeps the two equal.
 */
export const PROFILES = ['2025.8', '2025.10', '2025.12', '2026.2', '2026.5', '2026.8'] as const;
export type Profile = (typeof PROFILES)[number];
export const DEFAULT_PROFILE: Profile = '2026.8';

export interface ProfileFeatures {
  /** email scope mapping: email_verified True up to 2025.8.x, False since 2025.10.0. */
  emailVerified: boolean;
  /** The JWT access token carries a `scope` claim (the granted scopes, `final["scope"] = …`). */
  accessTokenScopeClaim: boolean;
  /** A scope mapping's `scope` claim is kept in the access token (`final.setdefault("scope", …)`). */
  accessTokenScopeFromMapping: boolean;
  /** refresh_token_threshold exists (before: every refresh rotates); with the inverted comparison only 0 rotates. */
  refreshTokenThreshold: boolean;
  /** refresh_token_threshold compares the right way round: rotate when `expires - now < threshold`. */
  refreshThresholdFixed: boolean;
  /** ui_locales at authorize passed on to the flow interface as `locale`. */
  uiLocales: boolean;
  /** kid: MD5 hex of key_data before 2026.2.0, unpadded base64url of SHA-512 since. */
  kidStyle: 'md5-hex' | 'sha512-b64url';
  /** `jti` (generate_id(), 40 letters and digits, the same in the ID and access token) since 2026.2.0. */
  idTokenJti: boolean;
  /** login_hint skips a simple identification stage since 2026.2. */
  loginHintSkipsIdentification: boolean;
  /** Basic credentials percent-decoded since 2026.2.2. */
  percentDecodeBasic: boolean;
  /** provider.grant_types enforced since 2026.5. */
  enforceGrantTypes: boolean;
  /** redirect_uri_type (authorization|logout) since 2026.5; logout entries are not used for login. */
  redirectUriTypes: boolean;
  /** frontchannel_logout_supported / frontchannel_logout_session_supported in discovery since 2026.5. */
  frontchannelDiscovery: boolean;
  /**
   * flow_info.background_themed_urls (null) and a cancel_url that keeps `next`: observed on 2025.12.4 and 2026.2.2
   * (authentik.md §13); the themed-URL fields are absent from the 2024.12 API (authentik-client 2024.12.2
   * ContextualFlowInfo) and the 2025.8/2025.10 shape was not observed, so those profiles keep the older one.
   */
  flowInfo2025_12: boolean;
  /** Identification challenge fields from 2026.2.0: pending_user_identifier (null) and application_pre_launch (authentik.md §13, §13.1). */
  challengeFields2026_2: boolean;
}

export interface ProfileSwitch<K extends keyof ProfileFeatures = keyof ProfileFeatures> {
  feature: K;
  /** What changes, in one line (for upgrade-check and CONTRACT.md). */
  what: string;
  /** The value in the oldest profile. */
  initial: ProfileFeatures[K];
  /** Each later profile whose value differs from the one before, with the source of the change. */
  changes: ReadonlyArray<{ since: Profile; value: ProfileFeatures[K]; source: string }>;
}

function row<K extends keyof ProfileFeatures>(s: ProfileSwitch<K>): ProfileSwitch<K> {
  return s;
}

export const PROFILE_SWITCHES: readonly ProfileSwitch[] = [
  row({
    feature: 'emailVerified', what: 'email scope mapping: email_verified', initial: true,
    changes: [{ since: '2025.10', value: false, source: 'blueprints/system/providers-oauth2.yaml, PR #16206 (commit cca57718c; tags 2025.8.6 vs 2025.10.0), authentik.md §5' }],
  }),
  row({
    feature: 'accessTokenScopeClaim', what: 'JWT access token `scope` claim (the granted scopes)', initial: false,
    changes: [{ since: '2025.10', value: true, source: 'p/o2/id_token.py to_access_token `final["scope"] = " ".join(token.scope)`, PR #16454 (opened 2025-08-28, after 2025.8.0); observed on 2025.12.4, authentik.md §13' }],
  }),
  row({
    feature: 'accessTokenScopeFromMapping', what: "a scope mapping's `scope` claim kept in the access token", initial: false,
    changes: [{ since: '2026.2', value: true, source: 'p/o2/id_token.py to_access_token `final.setdefault("scope", ...)`, PR #19226 / issue #19224, release notes 2026.2' }],
  }),
  row({
    feature: 'refreshTokenThreshold', what: 'refresh_token_threshold (before it every refresh rotates; with its inverted comparison only a 0 threshold rotates)', initial: false,
    changes: [{ since: '2025.10', value: true, source: 'p/o2/views/token.py create_refresh_response `threshold == 0 or (now - expires) > threshold`, PR #16905 (2025-09-21)' }],
  }),
  row({
    feature: 'refreshThresholdFixed', what: 'refresh_token_threshold rotates when `expires - now < threshold`', initial: false,
    changes: [{ since: '2026.5', value: true, source: 'p/o2/views/token.py, PR #21537 (2026-04-10), release notes 2026.2.3 (a backport after 2026.2.2, the patch the 2026.2 profile follows)' }],
  }),
  row({
    feature: 'uiLocales', what: 'authorize: ui_locales passed on to the flow interface as `locale`', initial: false,
    changes: [{ since: '2025.10', value: true, source: 'p/o2/views/authorize.py, PR #17140 "add ui_locales support for OIDC" (2025-09-30, after 2025.8; the tag that first has it was not read, 2025.10 assumed)' }],
  }),
  row({
    feature: 'kidStyle', what: 'JWKS/JWT kid format', initial: 'md5-hex',
    changes: [{ since: '2026.2', value: 'sha512-b64url', source: 'authentik/crypto/models.py generate_key_id, crypto/signals.py (2026.2.0), authentik.md §4; observed 86 characters on 2026.2.2, §13.1' }],
  }),
  row({
    feature: 'idTokenJti', what: '`jti` in the ID and access token', initial: false,
    changes: [{ since: '2026.2', value: true, source: 'p/o2/id_token.py IDToken.new, PR #20484 (merged 2026-02-23; absent in 2025.10.x and 2025.12.x), observed on 2025.12.4 (none) and 2026.2.2 (40 characters), authentik.md §13, §13.1' }],
  }),
  row({
    feature: 'challengeFields2026_2', what: 'identification challenge `pending_user_identifier` (null) and `application_pre_launch`', initial: false,
    changes: [{ since: '2026.2', value: true, source: 'stages/identification/stage.py (2026.2.0); absent on 2025.12.4, present on 2026.2.2, authentik.md §13, §13.1' }],
  }),
  row({
    feature: 'loginHintSkipsIdentification', what: 'login_hint skips a simple identification stage', initial: false,
    changes: [{ since: '2026.2', value: true, source: 'stages/identification/stage.py, authentik.md §8 "[2026.2+] login_hint"; observed on 2026.2.2, §13.1' }],
  }),
  row({
    feature: 'percentDecodeBasic', what: 'Basic client credentials percent-decoded', initial: false,
    changes: [{ since: '2026.2', value: true, source: 'p/o2/utils.py extract_client_auth (2026.2.2), authentik.md §6, §12; not on 2025.12.4, observed on 2026.2.2, §13, §13.1' }],
  }),
  row({
    feature: 'flowInfo2025_12', what: 'flow_info.background_themed_urls (null) and a cancel_url that keeps `next`', initial: false,
    changes: [{ since: '2025.12', value: true, source: 'observed on 2025.12.4 and 2026.2.2, authentik.md §13; absent from the 2024.12 API (authentik-client 2024.12.2 ContextualFlowInfo); 2025.8/2025.10 not observed, so they keep the older shape' }],
  }),
  row({
    feature: 'enforceGrantTypes', what: 'provider.grant_types enforced', initial: false,
    changes: [{ since: '2026.5', value: true, source: 'PR #20363, migration 0033_alter_oauth2provider_grant_types.py, authentik.md §6 "[2026.5+] grant_types"' }],
  }),
  row({
    feature: 'redirectUriTypes', what: 'redirect_uri_type (logout entries not used for login)', initial: false,
    changes: [{ since: '2026.5', value: true, source: 'p/o2/models.py RedirectURI (main → 2026.5), authentik.md §3' }],
  }),
  row({
    feature: 'frontchannelDiscovery', what: 'discovery frontchannel_logout_supported / _session_supported', initial: false,
    changes: [{ since: '2026.5', value: true, source: 'p/o2/views/provider.py (main → 2026.5), authentik.md §1; absent on 2026.2.2 (23 keys), §13.1' }],
  }),
];

function featuresOf(profile: Profile): ProfileFeatures {
  const at = PROFILES.indexOf(profile);
  const out: Record<string, unknown> = {};
  for (const s of PROFILE_SWITCHES) {
    let value: unknown = s.initial;
    for (const c of s.changes) if (PROFILES.indexOf(c.since) <= at) value = c.value;
    out[s.feature] = value;
  }
  return out as unknown as ProfileFeatures;
}

export const PROFILE_FEATURES: Readonly<Record<Profile, ProfileFeatures>> = Object.fromEntries(PROFILES.map((p) => [p, featuresOf(p)])) as Record<Profile, ProfileFeatures>;

export interface ProfileChange {
  feature: keyof ProfileFeatures;
  what: string;
  before: unknown;
  after: unknown;
  /** The profile that made the change, and its source. */
  since: Profile;
  source: string;
}

/** Every behaviour that differs between two profiles (in either direction), one entry per change on the way. */
export function profileChanges(from: Profile, to: Profile): ProfileChange[] {
  const [lo, hi] = [PROFILES.indexOf(from), PROFILES.indexOf(to)].sort((a, b) => a - b) as [number, number];
  const out: ProfileChange[] = [];
  for (const s of PROFILE_SWITCHES) {
    let before: unknown = s.initial;
    for (const c of s.changes) {
      const at = PROFILES.indexOf(c.since);
      if (at > lo && at <= hi) out.push({ feature: s.feature, what: s.what, before, after: c.value, since: c.since, source: c.source });
      before = c.value;
    }
  }
  return out;
}

export function isProfile(value: unknown): value is Profile {
  return typeof value === 'string' && (PROFILES as readonly string[]).includes(value);
}
