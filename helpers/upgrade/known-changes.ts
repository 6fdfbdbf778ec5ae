/**
 * Known upgrade changes (issue 13 item 1): what authentik changed between releases that an OIDC integration can
 * notice, as data. Each entry: the first release with it, what changed, where that is written (release notes, pull
 * request, commit, or the reference that traced the source), and who notices (osTicket, other OIDC clients, nobody)
 * and why, with the condition when only some set-ups notice. `seenAs` says how a harness run shows it (a value the
 * run observes, or a check whose result changes), so `compare` can name the change behind each difference it reports
 * (helpers/upgrade/explain.ts); `profileFeature` names the reference provider's switch that reproduces it
 * (compose/embedded/profiles.ts), and test/upgrade/known-changes.test.ts keeps the two tables in step: every switch
 * that flips between two adjacent profiles has an entry in that step, and every entry with a switch flips it there.
 *
 * What osTicket reads (osticket.md §2-§3): the authorize redirect, a client_secret_post token request, and the
 * userinfo response matched on `email`; never the ID token, JWKS or discovery; no PKCE, no refresh, no login_hint.
 */
import type { Status } from '../checks/types.ts';
import type { ProfileFeatures } from '../../compose/embedded/profiles.ts';

export type Notices = 'osticket' | 'other-clients' | 'nobody';

export const NOTICES_LABEL: Readonly<Record<Notices, string>> = {
  osticket: 'osTicket',
  'other-clients': 'other OIDC clients',
  nobody: 'nobody',
};

/** How a run shows the change: an observed value (helpers/checks/observe.ts path) or a check whose result changes. */
export type Seen =
  | { path: RegExp; from?: (v: unknown) => boolean; to?: (v: unknown) => boolean }
  | { check: string; from?: readonly Status[]; to?: readonly Status[]; diagnosis?: string | RegExp };

export interface KnownChange {
  id: string;
  /** The first release with it (YYYY.M.P). */
  version: string;
  /** Releases of older lines that got it too (backports). */
  backports?: readonly string[];
  /** Set when the release is known only as a bound (e.g. first observed there). */
  versionNote?: string;
  what: string;
  source: string;
  notices: Notices;
  /** Why they notice (or why nobody does). */
  why: string;
  /** Only set-ups like this notice; others see nothing. */
  when?: string;
  /** Where an in-place upgrade differs from what the reference provider shows (each profile run is a fresh install). */
  inPlace?: string;
  /** The reference provider's profile switch that reproduces it; absent: not reproduced (confirm on authentik). */
  profileFeature?: keyof ProfileFeatures;
  /** How a harness run shows it; empty: the checks cannot see it (`unseen` says why). */
  seenAs: readonly Seen[];
  unseen?: string;
}

const eq = (x: unknown) => (v: unknown) => v === x;
const lacks = (word: string) => (v: unknown) => !Array.isArray(v) || !v.includes(word);
/** The diagnoses of an authorize request refused with the "Redirect URI Error" page (helpers/diagnosis/catalog.ts). */
const REDIRECT_URI_REFUSED = /^redirect-uri-(not-registered|trailing-slash|other-path)$/;
const has = (word: string) => (v: unknown) => Array.isArray(v) && v.includes(word);

export const KNOWN_CHANGES: readonly KnownChange[] = [
  {
    id: 'offline-access-for-refresh',
    version: '2024.2.0',
    what: 'A refresh token is issued only when the offline_access scope is requested and mapped (it came with every code grant)',
    source: 'release notes 2024.2 "Required offline_access scope for Refresh tokens" (providers/oauth2: offline access, #8026); authentik.md §6; prior-art.md §4.2',
    notices: 'other-clients',
    why: 'osTicket never refreshes (osticket.md §2); a client that keeps users signed in by refreshing loses them when its token expires',
    seenAs: [{ path: /^tokenResponse\.refresh_token$/, from: eq(true), to: eq(false) }],
  },
  {
    id: 'invalidation-flow-required',
    version: '2024.10.0',
    what: 'An OAuth2 provider needs an invalidation flow (invalidation_flow); blueprints and API calls without one are refused',
    source: 'authentik.md §10 "invalidation_flow … Required since 2024.10"; prior-art.md §4.2 (provider API changes that break automated provisioning)',
    notices: 'osticket',
    why: 'the provider is not created or updated from that blueprint or API call, so osTicket has nothing to sign in to',
    when: 'a blueprint, Terraform or API call that creates the provider without invalidation_flow',
    seenAs: [],
    unseen: 'such a blueprint does not apply at all (the reference provider refuses it at every version)',
  },
  {
    id: 'redirect-uris-structured',
    version: '2024.12.0',
    backports: ['2024.8.5', '2024.10.3'],
    what: 'Redirect URIs became a list of {matching_mode: strict|regex, url}; the migration made every old entry strict (except * and .*), so entries that relied on regex matching stopped matching',
    source: 'CVE-2024-52289 fix, migration providers/oauth2 0024_remove_oauth2provider_redirect_uris_and_more; issues #12135, #12136 (a double-escaping bug fixed in 2024.8.6 / 2024.10.4); authentik.md §3, §11; prior-art.md §4.2',
    notices: 'osticket',
    why: 'authorize answers the "Redirect URI Error" page: nobody can sign in to osTicket until its callback is registered as it is sent',
    when: 'a Redirect URI entry written as a regular expression (or escaped) before the upgrade',
    seenAs: [{ check: 'login.completes', to: ['fail'], diagnosis: REDIRECT_URI_REFUSED }, { check: 'redirect-uri.configured-exact', to: ['fail'], diagnosis: REDIRECT_URI_REFUSED }],
  },
  {
    id: 'email-verified-false',
    version: '2025.10.0',
    what: 'The default email scope mapping sends email_verified false (it sent true)',
    source: 'release notes 2025.10 "Default OAuth scope mappings"; PR #16206 (commit cca57718c); blueprints/system/providers-oauth2.yaml; authentik.md §5, §11',
    notices: 'other-clients',
    why: 'osTicket ignores email_verified (osticket.md §3); clients that require a verified email (kube-apiserver, several apps) refuse the user until a custom email mapping returns true',
    profileFeature: 'emailVerified',
    seenAs: [
      { path: /^(userinfo|idToken)\.values\.email_verified$/, from: eq(true), to: eq(false) },
      { check: 'scopes.email-verified', from: ['pass'], to: ['warn'], diagnosis: 'email-verified-false' },
    ],
  },
  {
    id: 'access-token-scope-claim',
    version: '2025.10.0',
    what: 'The JWT access token carries a scope claim',
    source: 'PR #16454 (p/o2/id_token.py to_access_token); prior-art.md §4.2; observed on 2025.12.4, authentik.md §13',
    notices: 'nobody',
    profileFeature: 'accessTokenScopeClaim',
    why: 'osTicket treats the access token as opaque (osticket.md §2); a resource server sees one more claim',
    seenAs: [],
    unseen: 'the harness records the access token format and algorithm, not its claims',
  },
  {
    id: 'refresh-token-rotation',
    version: '2025.10.0',
    what: 'The refresh grant rotates the refresh token only near its expiry (refresh_token_threshold), no longer on every use',
    source: 'PR #16905 (p/o2/views/token.py create_refresh_response); prior-art.md §4.2',
    notices: 'nobody',
    profileFeature: 'refreshTokenThreshold',
    why: 'osTicket never refreshes (osticket.md §2); a client that expects a new refresh token on every refresh keeps the old one',
    seenAs: [],
    unseen: "osTicket's login makes no refresh request",
  },
  {
    id: 'ui-locales',
    version: '2025.10.0',
    versionNote: 'PR #17140 was opened on 2025-09-30, after 2025.8.0; the first tag with it was not read',
    what: 'An authorize request\'s ui_locales is passed on to the flow interface as locale (the login page\'s language)',
    source: 'PR #17140 "providers/oauth2: add ui_locales support for OIDC" (p/o2/views/authorize.py); compose/embedded/profiles.ts uiLocales',
    notices: 'nobody',
    why: 'osTicket sends no ui_locales (osticket.md §2); a client that does gets the login page in that language',
    profileFeature: 'uiLocales',
    seenAs: [],
    unseen: 'neither osTicket nor the harness sends ui_locales',
  },
  {
    id: 'flow-info-2025-12',
    version: '2025.12.0',
    versionNote: 'observed on 2025.12.4; the 2025.8 and 2025.10 shape was not observed, so it may be older',
    what: "The flow executor's challenges carry flow_info.background_themed_urls (null) and a cancel_url that keeps next",
    source: 'authentik.md §13 (observed on 2025.12.4 and 2026.2.2); absent from the 2024.12 API (ContextualFlowInfo); compose/embedded/profiles.ts flowInfo2025_12',
    notices: 'nobody',
    why: "the login page's own fields: the browser renders them; osTicket never sees the flow executor",
    profileFeature: 'flowInfo2025_12',
    seenAs: [],
    unseen: 'the headless login ignores these fields',
  },
  {
    id: 'jti-claim',
    version: '2026.2.0',
    what: 'ID and access tokens carry jti (40 letters and digits, the same in both)',
    source: 'PR #20484 "providers/oauth2: add jti claim" (merged 2026-02-23, for RP-initiated logout); absent on 2025.12.4, present on 2026.2.2, authentik.md §13, §13.1',
    notices: 'nobody',
    profileFeature: 'idTokenJti',
    why: 'osTicket never reads the ID token (osticket.md §2); a new claim breaks no conformant client',
    seenAs: [{ path: /^idToken\.claims$/, from: lacks('jti'), to: has('jti') }],
  },
  {
    id: 'kid-format',
    version: '2026.2.0',
    what: 'New signing keys get a kid of unpadded base64url(SHA-512) (86 characters) instead of MD5 hex (32)',
    source: 'authentik/crypto/models.py generate_key_id, authentik.md §4; release notes 2026.2.1 "crypto: fix kid legacy signal" (#20627) keeps old kids; observed 86 characters on 2026.2.2, authentik.md §13.1',
    notices: 'nobody',
    why: 'clients look a key up by its kid whatever its shape; osTicket never fetches the JWKS',
    inPlace: 'an existing key keeps its kid on an in-place upgrade: only keys created afterwards get the new format (the reference provider starts fresh at each version, so it shows the new format)',
    profileFeature: 'kidStyle',
    seenAs: [{ path: /^jwks\.keys\[\d+\]\.kidLength$/, from: eq(32), to: eq(86) }],
  },
  {
    id: 'identification-challenge-fields',
    version: '2026.2.0',
    what: 'The identification challenge carries pending_user_identifier (null) and application_pre_launch',
    source: 'stages/identification/stage.py; none on 2025.12.4, present on 2026.2.2, authentik.md §13, §13.1; compose/embedded/profiles.ts challengeFields2026_2',
    notices: 'nobody',
    why: "the login page's own fields; osTicket never sees the flow executor",
    profileFeature: 'challengeFields2026_2',
    seenAs: [],
    unseen: 'the headless login ignores these fields',
  },
  {
    id: 'login-hint',
    version: '2026.2.0',
    what: 'login_hint pre-fills the identification stage and skips a simple one',
    source: 'release notes 2026.2 "providers/oauth2: Support login_hint (#19498)"; stages/identification/stage.py, authentik.md §8',
    notices: 'nobody',
    why: "osTicket's plugin sends no login_hint (osticket.md §2)",
    profileFeature: 'loginHintSkipsIdentification',
    seenAs: [],
    unseen: 'neither osTicket nor the harness sends login_hint',
  },
  {
    id: 'access-token-scope-from-mapping',
    version: '2026.2.0',
    what: "A property mapping may set the access token's scope claim (it was always overwritten)",
    source: 'release notes 2026.2 "providers/oauth2: allow property mappings to override scope claim in access tokens (#19226)"',
    notices: 'nobody',
    profileFeature: 'accessTokenScopeFromMapping',
    why: 'only a custom mapping that returns scope changes anything; osTicket treats the access token as opaque',
    seenAs: [],
    unseen: 'the harness records the access token format and algorithm, not its claims',
  },
  {
    id: 'basic-credentials-decoded',
    version: '2026.2.2',
    what: 'client_secret_basic credentials are percent-decoded (RFC 6749 §2.3.1), so a client that encodes them is accepted',
    source: 'release notes 2026.2.2 "providers/oauth2: decode percent-encoded basic auth (#20779, #20781)"; p/o2/utils.py extract_client_auth, authentik.md §6, §12; not on 2025.12.4, authentik.md §13',
    notices: 'other-clients',
    why: 'osTicket uses client_secret_post (osticket.md §2); a conformant Basic client whose id or secret has a character it encodes (such as "-") now gets tokens where it got invalid_client',
    profileFeature: 'percentDecodeBasic',
    seenAs: [{ check: 'token.client-secret-basic', from: ['warn', 'fail'], to: ['pass'] }],
  },
  {
    id: 'redirect-uri-not-auto-registered',
    version: '2026.2.3',
    what: 'A provider without Redirect URIs no longer saves the first redirect_uri it is sent',
    source: 'release notes 2026.2.3 "providers/oauth2: don\'t auto-set redirect_uri (#21746, #21750)"; the earlier behaviour: authentik.md §3 "No redirect URIs configured" (only the release-note title was read, not the new code path)',
    notices: 'osticket',
    why: "osTicket's first login used to register its callback; now authorize refuses it until the Redirect URI is set",
    when: 'a provider with no Redirect URIs',
    seenAs: [{ check: 'login.completes', to: ['fail'], diagnosis: 'redirect-uri-not-registered' }],
  },
  {
    id: 'refresh-threshold-fixed',
    version: '2026.2.3',
    what: 'refresh_token_threshold compares the right way round (rotation near expiry works as configured)',
    source: 'release notes 2026.2.3 "providers/oauth2: fix time logic in refresh_token_threshold (#21537)"',
    notices: 'nobody',
    profileFeature: 'refreshThresholdFixed',
    why: 'osTicket never refreshes; clients that refresh see the rotation the setting asks for',
    seenAs: [],
    unseen: "osTicket's login makes no refresh request",
  },
  {
    id: 'grant-types-enforced',
    version: '2026.5.0',
    what: "The provider's Grant Types are enforced; providers created by a blueprint, the API or Terraform without grant_types get none",
    source: 'release notes 2026.5 "OAuth2 configurable grant types"; PR #20363, migration 0033_alter_oauth2provider_grant_types; terraform-provider-authentik #915; authentik.md §6, §11',
    notices: 'osticket',
    why: 'every authorize request is answered invalid_request ("The request is otherwise malformed"): nobody can sign in to osTicket',
    when: 'a provider without grant_types (created by a blueprint, the API or Terraform without them)',
    inPlace: 'providers that exist before the upgrade are back-filled with every grant type, so an in-place upgrade keeps logging in (upgrade-check applies this migration to the blueprint, helpers/upgrade/migrations.ts); a provider created afterwards from a blueprint without grant_types has none, and one whose blueprint sets grant_types: [] gets them again when the blueprint is re-applied',
    profileFeature: 'enforceGrantTypes',
    seenAs: [{ check: 'login.completes', to: ['fail'], diagnosis: 'grant-types-empty' }],
  },
  {
    id: 'redirect-uri-types',
    version: '2026.5.0',
    what: 'Redirect URIs have a type (authorization or logout); only authorization entries are used for login',
    source: 'p/o2/models.py RedirectURI redirect_uri_type (main, became 2026.5), authentik.md §3',
    notices: 'nobody',
    why: 'existing entries become authorization entries; osTicket uses no logout redirect',
    profileFeature: 'redirectUriTypes',
    seenAs: [],
    unseen: 'every entry of a blueprint without redirect_uri_type is an authorization entry, before and after',
  },
  {
    id: 'frontchannel-logout-discovery',
    version: '2026.5.0',
    what: 'Discovery advertises frontchannel_logout_supported and frontchannel_logout_session_supported',
    source: 'p/o2/views/provider.py (main, became 2026.5), authentik.md §1; absent on 2026.2.2 (23 keys), §13.1',
    notices: 'nobody',
    why: 'osTicket does not use discovery; two more members break no client',
    profileFeature: 'frontchannelDiscovery',
    seenAs: [{ path: /^discoveryMembers$/, from: lacks('frontchannel_logout_supported'), to: has('frontchannel_logout_supported') }],
  },
  {
    id: 'listen-ipv6',
    version: '2026.5.0',
    what: 'authentik listens on [::] by default (it listened on 0.0.0.0)',
    source: 'release notes 2026.5 "Listening on multiple IPs"; authentik.md §9',
    notices: 'osticket',
    why: 'where the container has no IPv6, authentik does not answer at all until AUTHENTIK_LISTEN__HTTP=0.0.0.0:9000 is set',
    when: 'an IPv4-only Docker network',
    seenAs: [],
    unseen: 'a deployment matter: the reference provider listens where it is told',
  },
  {
    id: 'trusted-proxy-cidrs',
    version: '2026.8.0',
    what: 'X-Forwarded-* headers are honoured only from AUTHENTIK_LISTEN__TRUSTED_PROXY_CIDRS (default: loopback and private ranges)',
    source: 'authentik.md §9 "2026.8 breaking change"',
    notices: 'other-clients',
    why: 'behind a proxy outside those ranges authentik sees http: the issuer and discovery URLs change scheme and clients that check iss refuse tokens; osTicket uses the endpoint URLs it was given and does not check iss',
    when: 'a reverse proxy that terminates TLS from an address outside the trusted ranges',
    seenAs: [{ path: /^(discovery\.issuer|idToken\.values\.iss)$/ }],
  },
  {
    id: 'client-credentials-vschar',
    version: '2026.8.0',
    what: 'client_id and client_secret must be VSCHAR (printable ASCII)',
    source: 'authentik.md §6 "[2026.8+] client_id and client_secret must be VSCHAR"',
    notices: 'osticket',
    why: "the token request is refused (invalid_client): osTicket's login fails after the user signed in",
    when: 'a Client ID or secret with a character outside printable ASCII (generated ones are letters and digits)',
    seenAs: [{ check: 'token.client-secret-post', to: ['fail'], diagnosis: /^client-(secret-mismatch|id-unknown)$/ }],
  },
  {
    id: 'base-url-setting',
    version: '2026.8.0',
    what: 'A Base URL system setting (AUTHENTIK_WEB__BASE_URL); unused in 2026.8, required from 2026.11',
    source: 'release notes 2026.8 "Base URL system setting"; authentik.md §1',
    notices: 'nobody',
    why: 'unused in 2026.8; set it before upgrading to 2026.11',
    seenAs: [],
    unseen: 'unused by authentik in 2026.8',
  },
];
