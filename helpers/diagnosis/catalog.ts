/**
 * The diagnosis catalog: every cause the checks can detect, as data (issue 4 §3). A check that fails attaches
 * `diagnose(id, detail)`; the engine ranks the distinct causes of a run with `rankCauses`.
 *
 * Wording rules: the SYMPTOM is what an operator sees in a browser or a log; the FIX names the setting in the
 * product's own words (helpers/diagnosis/fields.ts), with the menu path, so it can be done at 9 a.m. without
 * reading code. `rank`: lower = more fundamental. A root cause that makes other checks fail ranks before the
 * generic symptoms it produces (e.g. comma-separated Scopes before "userinfo error", clock skew before "ID token
 * claims invalid"), so the top cause of a run is the setting to change, not its echo.
 */
import type { CheckResult, Diagnosis, Side } from '../checks/types.ts';
import { AUTHENTIK_PROVIDER_PATH as AK, OSTICKET_CONFIG_PATH as OST } from './fields.ts';

export interface DiagnosisEntry {
  id: string;
  /** A short headline for summaries, e.g. "osTicket Scopes typed with commas". */
  title: string;
  side: Side;
  symptom: string;
  cause: string;
  fix: string;
  rank: number;
  /** How to tell it from similar causes (same symptom). */
  distinguish?: string;
  /** authentik / osTicket source paths or reference-doc sections this entry rests on. */
  refs: string[];
}

export type DiagnosisId =
  // authentik side
  | 'redirect-uri-not-registered'
  | 'redirect-uri-trailing-slash'
  | 'redirect-uri-other-path'
  | 'redirect-uri-regex-too-broad'
  | 'redirect-uri-query-accepted'
  | 'redirect-uri-mismatch-accepted-at-token'
  | 'sub-mode-not-email'
  | 'user-without-email'
  | 'no-signing-key'
  | 'id-token-encrypted'
  | 'signing-alg-none'
  | 'signing-kid-missing'
  | 'signing-signature-invalid'
  | 'scope-mapping-openid-missing'
  | 'scope-mapping-email-missing'
  | 'scope-mapping-profile-missing'
  | 'email-verified-false'
  | 'grant-types-empty'
  | 'issuer-mode-global'
  | 'issuer-mismatch'
  | 'policy-denies-user'
  | 'authorization-flow-denies'
  | 'client-secret-mismatch'
  | 'client-id-unknown'
  | 'client-auth-method-unsupported'
  | 'basic-credentials-not-decoded'
  | 'client-type-public'
  | 'code-reuse-accepted'
  | 'pkce-not-enforced'
  | 'state-not-returned'
  | 'token-endpoint-error'
  | 'userinfo-error'
  | 'discovery-unreachable'
  | 'discovery-malformed'
  | 'jwks-unreachable'
  | 'jwks-malformed'
  | 'sub-unstable'
  | 'sub-mismatch-idtoken-userinfo'
  | 'id-token-claims-invalid'
  | 'clock-skew'
  | 'name-claims-missing'
  | 'authentik-flow-error'
  // osTicket side
  | 'scopes-comma-separated'
  | 'scopes-missing-openid'
  | 'endpoint-stray-character'
  | 'endpoint-mismatch'
  | 'osticket-redirect-uri-invalid'
  | 'osticket-redirect-uri-differs'
  | 'osticket-client-id-mismatch'
  | 'osticket-secret-undecryptable'
  | 'agent-missing'
  | 'sso-link-missing'
  | 'osticket-plugin-path-missing'
  | 'callback-not-routed'
  | 'osticket-session-host-mismatch'
  | 'osticket-login-failed-silently'
  | 'osticket-output-before-headers'
  | 'osticket-server-error'
  // harness / network side
  | 'harness-wrong-password'
  | 'harness-login-stage-unsupported'
  | 'harness-secret-salt-wrong'
  | 'harness-redirect-uri-differs'
  | 'harness-config-invalid'
  | 'harness-internal-error'
  | 'authentik-unreachable'
  | 'tls-untrusted'
  | 'tls-hostname-mismatch'
  | 'request-budget-exhausted'
  | 'response-too-large'
  | 'server-error'
  | 'authorize-redirect-loop'
  | 'authorize-off-host-redirect'
  | 'signing-alg-confusion'
  | 'tls-expired'
  | 'tls-plain-http'
  | 'harness-email-mismatch'
  | 'osticket-unreachable'
  | 'run-deadline-exceeded';

/** What osTicket shows for nearly every OAuth2 failure (osticket.md §3 "OAuth2 failures are silent", §11). */
const SILENT_BOUNCE =
  'osTicket silently returns to its home page / login page after the authentik login; no message is shown';

const SILENT_BOUNCE_DISTINGUISH =
  'Every osTicket-side OAuth2 failure looks the same (auth-oauth2/oauth2.php callback() swallows the exception and ' +
  'redirects to /). The transcript tells them apart: look at the LAST failing exchange before the 302 to "/": ' +
  'an error on the callback URL itself (error=...) is authentik refusing the authorize request; a 400 invalid_client ' +
  'from the Token Endpoint is the Client Secret / Client Id; a 403 insufficient_scope from the Resource Details ' +
  'Endpoint is the Scopes; a 404 on an endpoint is a wrong or mistyped endpoint URL.';


/** Short headlines (verdict line, cause lists). Kept apart from ENTRIES so each entry reads as symptom -> cause -> fix. */
const TITLES: Record<DiagnosisId, string> = {
  'harness-config-invalid': 'Harness configuration is invalid',
  'authentik-unreachable': 'authentik cannot be reached',
  'tls-hostname-mismatch': "authentik's certificate does not match its host name",
  'tls-untrusted': "authentik's certificate is not trusted",
  'harness-wrong-password': "Wrong test-user password given to the harness",
  'harness-internal-error': 'Internal error in the harness',
  'harness-secret-salt-wrong': 'Wrong SECRET_SALT given to the harness',
  'harness-login-stage-unsupported': 'The test user meets a login stage a headless login cannot pass',
  'harness-redirect-uri-differs': "The harness was given another Redirect URI than osTicket's",
  'osticket-output-before-headers': 'osTicket prints output before its headers (PHP notices)',
  'osticket-server-error': 'osTicket answered with a server error (HTTP 5xx)',
  'grant-types-empty': 'Provider has no Grant types',
  'policy-denies-user': "A Binding on the application denies the user",
  'authorization-flow-denies': "The provider's Authorization flow denies the user",
  'client-id-unknown': 'authentik knows no provider with this Client ID',
  'issuer-mode-global': 'Issuer mode is global',
  'discovery-unreachable': 'No discovery document at the application URL',
  'discovery-malformed': 'Discovery document is not valid',
  'issuer-mismatch': 'Issuer differs from the URL clients use',
  'sso-link-missing': 'No "Sign in with Authentik" button in osTicket',
  'osticket-plugin-path-missing': "osTicket's recorded plugin install path is not on disk",
  'osticket-client-id-mismatch': "osTicket's Client Id differs from authentik's Client ID",
  'redirect-uri-trailing-slash': "authentik's Redirect URI has a trailing slash",
  'redirect-uri-other-path': "authentik's Redirect URI points at another path",
  'osticket-redirect-uri-differs': "osTicket's Redirect URI differs from authentik's",
  'redirect-uri-not-registered': "osTicket's callback is not a registered Redirect URI",
  'osticket-redirect-uri-invalid': "osTicket's Redirect URI does not end in /api/auth/oauth2",
  'endpoint-stray-character': 'Stray character in an osTicket endpoint URL',
  'endpoint-mismatch': 'osTicket endpoint differs from discovery',
  'callback-not-routed': "osTicket's web server does not route /api/auth/oauth2",
  'osticket-session-host-mismatch': 'osTicket reached under another host name than its Redirect URI',
  'osticket-secret-undecryptable': "osTicket cannot decrypt its stored Client Secret",
  'scopes-comma-separated': 'osTicket Scopes typed with commas',
  'scopes-missing-openid': 'osTicket Scopes lack openid',
  'scope-mapping-openid-missing': "Provider's Scopes lack the openid mapping",
  'user-without-email': 'The authentik user has no email',
  'scope-mapping-email-missing': "Provider's Scopes lack the email mapping",
  'scope-mapping-profile-missing': "Provider's Scopes lack the profile mapping",
  'client-secret-mismatch': "osTicket's Client Secret is not authentik's",
  'client-auth-method-unsupported': 'A client authentication method is refused',
  'basic-credentials-not-decoded': 'authentik before 2026.2.2 does not decode Basic credentials',
  'client-type-public': 'Client type is Public: the Client Secret is not checked',
  'redirect-uri-mismatch-accepted-at-token': 'Token endpoint accepts another redirect_uri',
  'state-not-returned': 'state not returned unchanged',
  'clock-skew': 'Clocks differ between authentik and this machine',
  'no-signing-key': 'No Signing Key selected (HS256, empty JWKS)',
  'id-token-encrypted': 'Encryption Key set: ID token is encrypted',
  'signing-alg-none': 'ID token is unsigned (alg none)',
  'signing-kid-missing': "Token's kid is not in the JWKS",
  'signing-signature-invalid': 'Token signature does not verify',
  'jwks-unreachable': 'JWKS cannot be fetched',
  'jwks-malformed': 'JWKS is malformed',
  'sub-mode-not-email': 'Subject mode is not "Based on the User\'s Email"',
  'sub-mismatch-idtoken-userinfo': 'sub differs between ID token and userinfo',
  'sub-unstable': 'sub changes between logins',
  'id-token-claims-invalid': 'ID token claims invalid',
  'agent-missing': 'No osTicket agent with this email',
  'name-claims-missing': 'No usable name claims for osTicket',
  'email-verified-false': 'email_verified is false',
  'redirect-uri-regex-too-broad': 'Regex Redirect URI admits near misses',
  'redirect-uri-query-accepted': 'Redirect URI accepts an extra query',
  'code-reuse-accepted': 'Authorization code accepted twice',
  'pkce-not-enforced': 'PKCE not enforced',
  'authentik-flow-error': 'authentik flow error during login',
  'token-endpoint-error': 'Token endpoint refused the code exchange',
  'userinfo-error': 'Userinfo (Resource Details Endpoint) refused the token',
  'osticket-login-failed-silently': 'osTicket dropped the login without a reason',
  'run-deadline-exceeded': 'Run deadline exceeded',
  'request-budget-exhausted': 'Request budget exhausted',
  'response-too-large': 'An answer is too large to be read',
  'server-error': 'authentik answered with a server error (HTTP 5xx)',
  'authorize-redirect-loop': 'The Authorization Endpoint redirects in a loop',
  'authorize-off-host-redirect': 'The Authorization Endpoint redirects to another host',
  'signing-alg-confusion': 'ID token is HS256 although the JWKS has public keys (key confusion)',
  'tls-expired': "authentik's certificate has expired (or is not valid yet)",
  'tls-plain-http': 'An https URL points at a port that speaks plain HTTP',
  'harness-email-mismatch': 'The email given to the harness is not the user\'s',
  'osticket-unreachable': 'osTicket cannot be reached',
};

const ENTRIES: Record<DiagnosisId, Omit<DiagnosisEntry, 'id' | 'title'>> = {
  // ---------------------------------------------------------------- harness / network (most fundamental first)
  'harness-config-invalid': {
    side: 'harness',
    rank: 1,
    symptom: 'The harness stops before sending any request and names the configuration problem.',
    cause: 'The harness configuration is incomplete or invalid (a required URL, client id, user or file is missing or malformed).',
    fix: 'Correct the named key in the --config file (or the matching flag: --issuer / --authentik, --client-secret-file, --username, --password-file, --osticket) and run again.',
    refs: ['helpers/target-types.ts', 'DESIGN.md "Targets"'],
  },
  'authentik-unreachable': {
    side: 'network',
    rank: 2,
    symptom: 'Clicking "Sign in with Authentik" shows a browser error (connection refused / name not resolved / timeout) instead of authentik.',
    cause: 'authentik cannot be reached at the configured address: connection refused, DNS failure or timeout.',
    fix: 'Check the authentik URL given to the harness (--issuer / --authentik) and, for containers or split DNS, the resolve map (host:port -> ip:port); confirm authentik answers /-/health/ready/ with 200 from this machine. Raise timeouts.requestMs (--request-timeout) only if it is merely slow.',
    distinguish: 'A TLS error is tls-untrusted or tls-hostname-mismatch, not this; an HTTP 404 for the discovery document is discovery-unreachable (authentik answered, the path is wrong).',
    refs: ['authentik.md §9 Health (/-/health/ready/)', 'helpers/http (transport errors)'],
  },
  'tls-hostname-mismatch': {
    side: 'network',
    rank: 3,
    symptom: 'The browser warns "Your connection is not private" (NET::ERR_CERT_COMMON_NAME_INVALID) on authentik; osTicket logins fail silently.',
    cause: "authentik's TLS certificate is not valid for the host name osTicket and the harness use.",
    fix: 'Use the host name the certificate was issued for in --issuer / --authentik and in osTicket\'s endpoints, or reissue the certificate for the name users type (with it in subjectAltName).',
    distinguish: 'tls-untrusted: the name matches but the issuing CA is not trusted.',
    refs: ['osticket.md §2 (Guzzle verifies TLS against the system CA bundle; failures are silent)'],
  },
  'tls-untrusted': {
    side: 'network',
    rank: 4,
    symptom: 'The browser warns about an untrusted certificate on authentik; osTicket logins fail silently (its server-side token call refuses the certificate).',
    cause: "authentik's TLS certificate chain does not lead to a CA this machine trusts (self-signed or private CA, or an incomplete chain).",
    fix: 'Give the harness the CA with --ca FILE (PEM). osTicket must trust it too: add the CA to the osTicket server\'s system CA bundle (the plugin cannot skip verification), or serve authentik with a publicly trusted certificate and its full chain.',
    distinguish: 'tls-hostname-mismatch: the chain is trusted but the name differs.',
    refs: ['osticket.md §2 (TLS verification on, no option to disable)', 'osticket.md §10.8'],
  },
  'harness-wrong-password': {
    side: 'harness',
    rank: 5,
    symptom: 'The harness could not log the test user in: authentik answered "Invalid password" at the password stage. (A harness input error, not an osTicket or authentik setting.)',
    cause: 'The password given to the harness for the test user is wrong.',
    fix: "Give the harness the test user's current password (--password-file FILE, or user.password in the --config file) and the right --username. If the password is right, check in authentik (Directory -> Users) that the user is active: authentik answers an inactive user with the same error.",
    distinguish: 'policy-denies-user: the password was accepted and authentik then showed an access-denied page. authentik-flow-error: an ak-stage-flow-error with a request_id, not "Invalid password".',
    refs: ['authentik.md §8 "Challenge shapes and errors"', 'authentik.md §12 (inactive user = same error as a wrong password)'],
  },
  'harness-login-stage-unsupported': {
    side: 'harness',
    rank: 5.5,
    symptom: 'The harness could not log the test user in: authentik\'s login flow asks for something only a person can give (an MFA code or device, a captcha, an emailed link, a prompt) or denies after the password. (A harness input, not an osTicket or authentik setting: people still sign in.)',
    cause: "The test user given to the harness meets a stage of authentik's authentication flow that a headless login cannot pass: authenticator validation (the user has MFA devices: TOTP, WebAuthn, static codes, …), an authenticator setup, captcha, email, a prompt with required fields, or a deny stage.",
    fix: "Give the harness a dedicated test user this flow lets through without interaction (--username and --password-file, or user.* in the --config file): no MFA devices (authentik Admin interface -> Directory -> Users -> <user> -> MFA Authenticators), not matched by the policies that add the stage; or test an application whose authentication flow has no such stage. A flow with the password on the identification page is fine.",
    distinguish: 'harness-wrong-password: authentik said "Invalid password". policy-denies-user: the application\'s bindings deny the user after the flow. authentik-flow-error: an ak-stage-flow-error with a request_id.',
    refs: ['authentik.md §8 Default flows (default-authentication-mfa-validation skipped without devices)', 'web/src/flow/FlowExecutor.ts (stage components)', 'authentik/stages/authenticator_validate/stage.py', 'authentik/stages/deny/stage.py (stage_invalid: ak-stage-access-denied)'],
  },
  'harness-redirect-uri-differs': {
    side: 'harness',
    rank: 6,
    symptom: "osTicket's logins work, but the harness's own login, made with the Redirect URI it was given, fails or tests another URI than osTicket's. (A harness input error, not an osTicket or authentik setting.)",
    cause: "The Redirect URI given to the harness is not the one osTicket sends, and authentik accepts osTicket's: the harness's protocol-level checks ran against a URI osTicket does not use.",
    fix: "Give the harness osTicket's Redirect URI exactly as osTicket sends it (--redirect-uri, or osticket.redirectUri in the --config file; leave it out to derive it from --osticket) and run again.",
    distinguish: "osticket-redirect-uri-differs: authentik refuses the URI osTicket sends. Here authentik accepts it; only the harness's input differs.",
    refs: ['auth-oauth2/oauth2.php triggerAuth (redirect_uri from the instance)', 'osticket.md §2, §11'],
  },
  'harness-secret-salt-wrong': {
    side: 'harness',
    rank: 6.5,
    symptom: "osTicket's logins work, but the harness cannot decrypt the Client Secret stored in osTicket's database. (A harness input error, not an osTicket or authentik setting.)",
    cause: "The SECRET_SALT given to the harness is not this osTicket's: it does not decrypt the stored Client Secret, while osTicket's own logins in the same run prove that osTicket decrypts it and authentik accepts it.",
    fix: "Copy SECRET_SALT from osTicket's include/ost-config.php (define('SECRET_SALT', '…')) into the file named by osticket.db.secretSaltFile in the --config file, and run again.",
    distinguish: 'osticket-secret-undecryptable: osTicket itself cannot decrypt it, so its logins fail silently too.',
    refs: ['include/class.crypto.php (Crypto::decrypt)', 'osticket.md §6 clientSecret is encrypted', 'shared/data/osticket-secret-vectors.json'],
  },
  'harness-internal-error': {
    side: 'harness',
    rank: 7,
    symptom: 'A check reported an internal error instead of a result.',
    cause: 'The harness itself hit an unexpected condition (a bug in the harness, not a finding about authentik or osTicket).',
    fix: 'Re-run with the same --config to confirm, then report it with results.json and the transcript; the other checks are still valid.',
    refs: ['DESIGN.md "The check engine" (checks never throw on a bad server)'],
  },

  // ---------------------------------------------------------------- authentik: login blocked for everyone
  'grant-types-empty': {
    side: 'authentik',
    rank: 10,
    symptom: `${SILENT_BOUNCE}; the callback URL briefly carries error=invalid_request&error_description=The request is otherwise malformed.`,
    cause: 'The provider has no grant types (authentik 2026.5+: providers created by API, blueprint or Terraform default to an empty list), so every authorize request is refused.',
    fix: `${AK} -> Grant types: select "Authorization Code" (and "Refresh Token"). In a blueprint: grant_types: [authorization_code, refresh_token].`,
    distinguish: 'Only this cause puts error=invalid_request on the redirect back to osTicket before any login; a Redirect URI problem shows authentik\'s "Redirect URI Error" page instead.',
    refs: ['authentik.md §6 "[2026.5+] grant_types"', 'authentik/providers/oauth2/migrations/0033_alter_oauth2provider_grant_types.py', 'authentik.md §11'],
  },
  'policy-denies-user': {
    side: 'authentik',
    rank: 11,
    symptom: 'After entering the password, authentik shows "Permission denied" / "Request has been denied" and never returns to osTicket.',
    cause: "A policy, group or user binding on the osTicket application does not admit this user (or a policy bound to the provider's Authorization flow itself: authentik answers both with the same page).",
    fix: "authentik Admin interface -> Applications -> Applications -> <osTicket application> -> Policy / Group / User Bindings: bind the user (or a group the user is in), or fix the denying policy. An application with no Bindings is open to every user; if none of its Bindings denies, look at the Policy Bindings of the provider's Authorization flow (Flows and Stages -> Flows -> <that flow>).",
    distinguish: "harness-wrong-password: authentik said \"Invalid password\" at the password stage; here the password was accepted. authorization-flow-denies: a stage of the provider's Authorization flow answered ak-stage-access-denied in the flow executor; here authorize itself answered the permission-denied page (the application's Bindings, or the Authorization flow's own policies, which the planner checks before any stage runs).",
    refs: ['authentik/policies/denied.py', 'authentik/policies/views.py', 'authentik/providers/oauth2/views/authorize.py (FlowNonApplicableException -> handle_no_permission_authenticated)', 'authentik.md §8 "Access denied"', 'authentik.md §10 Access'],
  },
  'authorization-flow-denies': {
    side: 'authentik',
    rank: 11.2,
    symptom: 'After entering the password, authentik shows its flow page with "Request has been denied" (the deny stage\'s message) and never returns to osTicket.',
    cause: "The user authenticated, then the provider's Authorization flow (the flow authorize runs for a logged-in user before it sends the code) reached a stage that denies: a deny stage, bound without a policy that skips it for this user. The application's Bindings admitted the user.",
    fix: "authentik Admin interface -> Flows and Stages -> Flows -> <the provider's Authorization flow, named in the detail> -> Stage Bindings: remove the deny stage's binding, or bind a policy to that stage binding so the stage runs only for users it should stop; or set the provider's Authorization flow back to default-provider-authorization-implicit-consent (authentik Admin interface -> Applications -> Providers -> <osTicket provider> -> Edit).",
    distinguish: "policy-denies-user: authorize itself answers the permission-denied page (the application's Bindings). harness-login-stage-unsupported: the authentication flow (the login) stops the test user. Here the denial is ak-stage-access-denied in the executor of the flow authorize started after the login (no next= in its redirect).",
    refs: ['authentik/stages/deny/stage.py (stage_invalid: ak-stage-access-denied with deny_message)', 'authentik/providers/oauth2/views/authorize.py (AuthorizationFlowInitView: plans provider.authorization_flow, redirect_with_qs without next)', 'authentik.md §8 steps 1 and 6', 'helpers/authentik/types.ts FlowRole'],
  },
  'client-id-unknown': {
    side: 'osticket',
    rank: 12,
    symptom: 'Clicking "Sign in with Authentik" shows authentik\'s "Client ID Error" page (HTTP 400).',
    cause: 'No authentik provider has the client_id osTicket sends (provider deleted or recreated with a new Client ID).',
    fix: `In osTicket (${OST}) set Client Id to the provider's Client ID shown in ${AK}; if that provider is gone, recreate it in authentik as the guide says and copy its new Client ID into osTicket.`,
    distinguish: 'osticket-client-id-mismatch is reported instead when the harness could read both values and they differ (typo in osTicket); this one means authentik knows no such Client ID at all.',
    refs: ['authentik/providers/oauth2/errors.py (ClientIdError)', 'authentik.md §3 "Mismatch at /authorize"'],
  },
  'issuer-mode-global': {
    side: 'authentik',
    rank: 13,
    symptom: "osTicket's own logins keep working (its plugin is given the three endpoints and never reads iss), but every other app on this provider that configures itself from the issuer (Grafana, Kubernetes, any library using OIDC discovery) refuses it: discovery at <issuer>/.well-known/openid-configuration answers 404, and the ID token's iss is the bare authentik URL.",
    cause: 'The provider\'s Issuer mode is "Same identifier is used for all providers" (global): iss is https://<authentik>/ while the discovery document is served only under /application/o/<slug>/ (and says issuer https://<authentik>/ there). OpenID Connect Discovery 1.0 §4.3 makes a conformant client refuse a document whose issuer is not the URL it was fetched from, and Core §3.1.3.7 (step 2) an ID token whose iss is not that issuer, so every conformant client breaks; this check fails for them, not for osTicket.',
    fix: `${AK} -> Advanced protocol settings -> Issuer mode: "Each provider has a different issuer, based on the application slug".`,
    distinguish: 'issuer-mismatch: iss has the per-application form but a different host, scheme or trailing slash.',
    refs: ['authentik/providers/oauth2/models.py (OAuth2Provider.get_issuer)', 'authentik.md §1 issuer_mode (global: discovery from the issuer breaks)', 'OpenID Connect Discovery 1.0 §4.3', 'OpenID Connect Core 1.0 §3.1.3.7'],
  },
  'discovery-unreachable': {
    side: 'authentik',
    rank: 14,
    symptom: 'Opening https://<authentik>/application/o/<slug>/.well-known/openid-configuration gives 404 (or an error) instead of JSON.',
    cause: 'No OIDC discovery document at the expected URL: the application slug is different, the application has no OAuth2 provider assigned, or a reverse proxy does not forward /application/o/.',
    fix: 'In authentik (Applications -> Applications) check the application slug and that its Provider is the OAuth2 provider; point the harness at https://<authentik>/application/o/<slug>/ (--issuer). With Issuer mode global, discovery still lives under /application/o/<slug>/.',
    distinguish: 'authentik-unreachable: no HTTP answer at all. discovery-malformed: an answer that is not a discovery document.',
    refs: ['authentik/providers/oauth2/urls.py', 'authentik/providers/oauth2/views/provider.py (ProviderInfoView)', 'authentik.md §1'],
  },
  'discovery-malformed': {
    side: 'authentik',
    rank: 15,
    symptom: 'The discovery URL answers, but with HTML or JSON that is not an OpenID configuration (missing issuer or endpoints).',
    cause: 'Something other than authentik\'s provider answered the discovery URL (a proxy login wall, maintenance page, another app), or the document lacks required fields.',
    fix: 'Open the discovery URL in a browser: it must be authentik\'s JSON with issuer, authorization_endpoint, token_endpoint, userinfo_endpoint and jwks_uri. Exempt /application/o/ from any proxy authentication; in authentik check the application\'s provider and its Issuer mode.',
    refs: ['authentik/providers/oauth2/views/provider.py (ProviderInfoView.get_info)', 'OpenID Connect Discovery 1.0 §3'],
  },
  'issuer-mismatch': {
    side: 'authentik',
    rank: 16,
    symptom: 'Strict OIDC clients reject the login with "unexpected iss" / "issuer mismatch"; the issuer differs from the URL the client was given (host, scheme or trailing slash).',
    cause: 'authentik builds iss from the request\'s Host header and scheme, so a reverse proxy that rewrites Host, drops X-Forwarded-Proto: https, or users reaching authentik under two names give a different iss.',
    fix: 'Reach authentik under one name everywhere (osTicket\'s endpoints, the harness --issuer, users). Make the reverse proxy pass the original Host and X-Forwarded-Proto: https. Keep Issuer mode per provider; the issuer always ends with /application/o/<slug>/ (trailing slash).',
    distinguish: 'issuer-mode-global: iss is the bare authentik root. A difference only in the trailing slash means the client was given the issuer without its slash.',
    refs: ['authentik/providers/oauth2/models.py (get_issuer, build_absolute_uri)', 'authentik.md §1 Gotcha (Host header)', 'prior-art.md §4.2 trailing slash in the issuer'],
  },

  // ---------------------------------------------------------------- osTicket: login blocked at the start
  'sso-link-missing': {
    side: 'osticket',
    rank: 17,
    symptom: 'osTicket\'s login page shows no "Sign in with Authentik" button.',
    cause: 'The OAuth2 instance is not offered for this login page: Authentication Target is "None (Disabled)" (the default) or does not include agents / end users, or the plugin or the instance is disabled, or (end users) registration mode is Disabled.',
    fix: `${OST}: set Authentication Target to "Agents Only" or "Agents and End Users" (or "End Users Only"), and make sure the plugin (Admin Panel -> Manage -> Plugins) and the instance are Active.`,
    refs: ['auth-oauth2/config.php (auth_target default none)', 'include/class.auth.php (renderExternalLink)', 'osticket.md §1, §4 Buttons, §10.10'],
  },
  'osticket-plugin-path-missing': {
    side: 'osticket',
    rank: 9,
    symptom: 'osTicket shows no "Sign in with Authentik" button on either login page, although the plugin and its instance are active.',
    cause: "The OAuth2 Client plugin's recorded install path (ost_plugin.install_path, e.g. plugins/auth-oauth2.phar) names a file or folder that is not under osTicket's include/ folder (the phar was swapped for a folder or the other way round, renamed, or lost in an upgrade or image rebuild), so osTicket finds no plugin.php there and loads nothing.",
    fix: 'Put the plugin back where it was recorded (include/plugins/auth-oauth2.phar, or the folder include/plugins/auth-oauth2/), or in Admin Panel -> Manage -> Plugins delete the OAuth2 Client plugin and add it again from what is installed; deleting it deletes its instances, so enter the guide\'s values (Client Id, Client Secret, endpoints, Scopes) again.',
    distinguish: 'sso-link-missing: the plugin loads but its instance does not offer the page (Authentication Target, inactive instance). Here the file behind the install path is gone.',
    refs: ['include/class.plugin.php v1.18.1 (PluginManager::getInfoForPath returns false without plugin.php; Plugin::getImpl; Plugin::delete deletes the instances)', 'osticket.md §6 Files on disk'],
  },
  'osticket-client-id-mismatch': {
    side: 'osticket',
    rank: 18,
    symptom: 'Clicking "Sign in with Authentik" shows authentik\'s "Client ID Error" page (HTTP 400).',
    cause: "osTicket's Client Id is not the authentik provider's Client ID.",
    fix: `Copy the Client ID from ${AK} into osTicket's Client Id (${OST}), with no spaces around it.`,
    distinguish: 'client-id-unknown: the harness could not compare the two values; authentik simply knows no such Client ID.',
    refs: ['auth-oauth2/config.php (clientId)', 'authentik/providers/oauth2/errors.py (ClientIdError)'],
  },
  'redirect-uri-trailing-slash': {
    side: 'authentik',
    rank: 19,
    symptom: 'Clicking "Sign in with Authentik" shows authentik\'s "Redirect URI Error" page (HTTP 400).',
    cause: 'authentik\'s registered Redirect URI ends with a slash (…/api/auth/oauth2/) and Strict matching is exact, while osTicket sends …/api/auth/oauth2 (its form refuses a trailing slash).',
    fix: `${AK} -> Redirect URIs: remove the trailing slash so it reads exactly <osTicket base>/api/auth/oauth2 (matching mode Strict).`,
    distinguish: 'Only the final "/" differs between the registered URI and the redirect_uri in the authorize request; any other difference is redirect-uri-other-path or redirect-uri-not-registered.',
    refs: ['authentik/providers/oauth2/views/authorize.py (check_redirect_uri: strict = string equality)', 'auth-oauth2/config.php (redirectUri validator)', 'authentik.md §3, §11'],
  },
  'redirect-uri-other-path': {
    side: 'authentik',
    rank: 20,
    symptom: 'Clicking "Sign in with Authentik" shows authentik\'s "Redirect URI Error" page (HTTP 400).',
    cause: 'authentik\'s registered Redirect URI points at another path than osTicket\'s callback (e.g. the legacy /api/auth/ext, or the osTicket base path /osticket/ missing or extra).',
    fix: `${AK} -> Redirect URIs: set it to exactly the value of osTicket's Redirect URI field, <osTicket base>/api/auth/oauth2 (matching mode Strict). /api/auth/ext is not the OAuth2 callback.`,
    distinguish: 'Same host and scheme, different path. A trailing-slash-only difference is redirect-uri-trailing-slash.',
    refs: ['authentik/providers/oauth2/views/authorize.py (check_redirect_uri)', 'osticket.md §4 (/api/auth/ext is not the OAuth2 callback)'],
  },
  'osticket-redirect-uri-differs': {
    side: 'osticket',
    rank: 21,
    symptom: 'Clicking "Sign in with Authentik" shows authentik\'s "Redirect URI Error" page (HTTP 400).',
    cause: "osTicket's Redirect URI field is not the URI registered in authentik (e.g. another host name or http instead of https): osTicket's default is built from the host name of whoever first opened the form.",
    fix: `${OST}: set Redirect URI to the exact URL users reach osTicket under, ending in /api/auth/oauth2, and register the same string in authentik's Redirect URIs (Strict).`,
    distinguish: "If osTicket's value is right for the host users type, fix authentik instead (redirect-uri-not-registered); if it names a host users do not use (localhost, an internal name), fix osTicket.",
    refs: ['auth-oauth2/config.php (redirectUri default get_base_url()."api/auth/oauth2")', 'osticket.md §10.7'],
  },
  'redirect-uri-not-registered': {
    side: 'authentik',
    rank: 22,
    symptom: 'Clicking "Sign in with Authentik" shows authentik\'s "Redirect URI Error" page (HTTP 400) instead of the login form.',
    cause: 'No entry in the provider\'s Redirect URIs matches the redirect_uri osTicket sends, so /application/o/authorize/ refuses it before anyone logs in.',
    fix: `${AK} -> Redirect URIs: add osTicket's callback exactly as osTicket's Redirect URI field shows it (e.g. https://osticket.company/osticket/api/auth/oauth2), matching mode Strict.`,
    distinguish: 'Compare the registered list with redirect_uri in the transcript\'s authorize request: only a trailing "/" differs -> redirect-uri-trailing-slash; another path -> redirect-uri-other-path; osTicket sends a host users do not use -> osticket-redirect-uri-differs.',
    refs: ['authentik/providers/oauth2/views/authorize.py (check_redirect_uri)', 'authentik/providers/oauth2/errors.py (RedirectUriError)', 'authentik/lib/views.py (bad_request_message)', 'authentik.md §3'],
  },
  'osticket-redirect-uri-invalid': {
    side: 'osticket',
    rank: 23,
    symptom: 'Saving the osTicket OAuth2 instance fails with "Must be a valid API endpont" on Redirect URI, or the callback never reaches the plugin.',
    cause: "osTicket's Redirect URI does not end in /api/auth/oauth2 (for example a trailing slash, or another path).",
    fix: `${OST}: Redirect URI = <osTicket base URL>/api/auth/oauth2, no trailing slash, and register exactly that in authentik's Redirect URIs (Strict).`,
    refs: ['auth-oauth2/config.php (redirectUri validator [\\.*(/api/auth/oauth2)$]isu)', 'osticket.md §1'],
  },
  'endpoint-stray-character': {
    side: 'osticket',
    rank: 24,
    symptom: `${SILENT_BOUNCE} (the Authorization Endpoint case shows an error page or a 404 from authentik instead).`,
    cause: 'An osTicket endpoint field contains a stray character (a backtick, quote, space or angle bracket copied from the guide or a chat), so the URL osTicket calls is not authentik\'s endpoint. The guide\'s own Resource Details Endpoint line has a backtick in it.',
    fix: `${OST}: retype Authorization Endpoint, Token Endpoint and Resource Details Endpoint by hand: https://<authentik>/application/o/authorize/, …/application/o/token/, …/application/o/userinfo/ (no quotes, backticks or spaces).`,
    distinguish: 'endpoint-mismatch: a clean URL that differs from discovery. Here the URL itself contains characters no URL should have.',
    refs: ['website/integrations/infrastructure/osticket/index.md (Resource Details line)', 'osticket.md §1 (urlAuthorize, urlAccessToken, urlResourceOwnerDetails)'],
  },
  'endpoint-mismatch': {
    side: 'osticket',
    rank: 25,
    symptom: `${SILENT_BOUNCE} (for the Authorization Endpoint: a 404 page from authentik).`,
    cause: "An osTicket endpoint (Authorization, Token or Resource Details Endpoint) differs from what authentik's discovery document lists; e.g. without its trailing slash it is a 404 (authentik sets APPEND_SLASH=False), or it names another host.",
    fix: `${OST}: set Authorization Endpoint, Token Endpoint and Resource Details Endpoint to exactly the discovery document's authorization_endpoint, token_endpoint and userinfo_endpoint (https://<authentik>/application/o/authorize/, /token/, /userinfo/, with the trailing slashes).`,
    distinguish: 'A 404 on an endpoint osTicket calls with a missing trailing slash is this; a URL with a backtick or quote is endpoint-stray-character.',
    refs: ['authentik/root/settings.py (APPEND_SLASH = False)', 'authentik.md §1 URL layout', 'osticket.md §10.8'],
  },
  'callback-not-routed': {
    side: 'osticket',
    rank: 26,
    symptom: 'After the authentik login, the browser shows 404 Not Found or 400 "URL not supported" on …/api/auth/oauth2.',
    cause: "osTicket's web server does not route /api/auth/oauth2 to api/http.php with PATH_INFO (Apache mod_rewrite / AllowOverride for api/.htaccess missing, or no nginx rule), or the plugin is not installed.",
    fix: "Keep osTicket's Redirect URI as is and fix the web server: Apache: enable mod_rewrite and AllowOverride All for osTicket's api/ folder; nginx: send /api/* to api/http.php and pass PATH_INFO. Then check the OAuth2 Client plugin is installed (Admin Panel -> Manage -> Plugins).",
    refs: ['api/.htaccess', 'api/http.php', 'auth-oauth2/auth.php (url_get ^/auth/oauth2)', 'osticket.md §4 Callback, §10.2'],
  },
  'osticket-session-host-mismatch': {
    side: 'osticket',
    rank: 27,
    symptom: SILENT_BOUNCE,
    cause: "The browser reached osTicket under a different host name than osTicket's Redirect URI, so the callback arrives without the OSTSESSID cookie that holds the state and osTicket drops the login.",
    fix: `Open osTicket under the host name in its Redirect URI (${OST}), or change Redirect URI (and authentik's Redirect URIs) to the name users actually use. Behind a proxy, keep the same scheme and host end to end.`,
    distinguish: 'The trigger request (/scp/login.php?do=ext…) and the callback go to different hosts in the transcript; the callback has no OSTSESSID cookie.',
    refs: ['osticket.md §11 Session', 'osticket.md §4 Session requirement', 'osticket.md §10.3'],
  },
  'osticket-output-before-headers': {
    side: 'osticket',
    rank: 29,
    symptom: 'Clicking "Sign in with Authentik", or coming back from authentik, shows a page of PHP "Deprecated:" / "Warning:" lines (or a blank page) instead of going on.',
    cause: 'osTicket printed output before its headers (PHP notices or warnings with display_errors on, or a plugin error), so its redirect could not be sent and the page answered 200 instead of 302.',
    fix: 'Turn off display_errors for osTicket: in php.ini (PHP\'s production php.ini sets display_errors = Off) or a conf.d file with display_errors = Off, then restart the web server; if a plugin error is shown, fix or reinstall the OAuth2 Client plugin (Admin Panel -> Manage -> Plugins).',
    distinguish: 'sso-link-missing: no link at all. callback-not-routed: 404 / 400 "URL not supported" on /api/auth/oauth2. Here the page answered 200 and its first line is quoted.',
    refs: ['php.ini-production (display_errors = Off)', 'osTicket issue #6590 (Deprecated notices on PHP 8.2)', 'include/class.http.php (Http::redirect sends a Location header)', 'osticket.md §4 Trigger, Callback'],
  },
  'osticket-server-error': {
    side: 'osticket',
    rank: 28.5,
    symptom: 'Opening osTicket\'s login page, clicking "Sign in with Authentik", or coming back from authentik shows an error page (HTTP 500, 502, 503 or 504) or a blank page instead of going on.',
    cause: "osTicket's server failed on the request named in the detail: a PHP fatal error (an Error, which the plugin's callback does not catch, unlike the Exceptions it swallows) gives HTTP 500; 502/503/504 come from the web server or proxy in front of PHP (PHP-FPM down or too slow). It is not the silent failure, which is always a redirect.",
    fix: "Read osTicket's PHP error log (php.ini error_log, or the PHP-FPM log) and the web server's error log (Apache error.log / nginx error.log) at the time of the request named in the detail; the fatal error there names the file and line. For 502/503/504 check that the web server reaches PHP-FPM. Then fix what the log names (often a plugin or PHP version mismatch: reinstall the OAuth2 Client plugin for this osTicket version, Admin Panel -> Manage -> Plugins).",
    distinguish: 'osticket-login-failed-silently: a 302 to ROOT_PATH with no message (an Exception the plugin swallowed). osticket-output-before-headers: HTTP 200 with PHP notices instead of a redirect. callback-not-routed: 404 / 400 "URL not supported". Here the status is 5xx and is quoted with the start of the page.',
    refs: ['osticket.md §3 Error reporting ("PHP fatal errors (Error, not Exception) still give a 500 and end up in the web server or PHP error log")', 'auth-oauth2/oauth2.php (callback() catches Exception only)', 'RFC 9110 §15.6 (5xx server errors)'],
  },
  'osticket-secret-undecryptable': {
    side: 'osticket',
    rank: 28,
    symptom: SILENT_BOUNCE,
    cause: "osTicket cannot decrypt its stored Client Secret (SECRET_SALT changed, or the secret was written to the database in plain text), so its token request carries client_secret=0 (what osTicket 1.18.1 sends then) and authentik answers invalid_client.",
    fix: `${OST}: type the Client Secret again (authentik's Client Secret) and save; do not change SECRET_SALT in include/ost-config.php afterwards.`,
    distinguish: 'client-secret-mismatch: osTicket sends a secret, just the wrong one. Here the token request has client_secret=0. harness-secret-salt-wrong: osTicket\'s own logins work, only the SECRET_SALT given to the harness does not decrypt.',
    refs: ['include/class.crypto.php (Crypto::decrypt returns false)', 'osticket.md §6 clientSecret is encrypted', 'osticket.md §10.9', 'osticket.md §12 (client_secret=0 observed)', 'shared/data/osticket-secret-vectors.json'],
  },

  // ---------------------------------------------------------------- scopes and claims
  'scopes-comma-separated': {
    side: 'osticket',
    rank: 30,
    symptom: `${SILENT_BOUNCE}; authentik logs "Scope mismatch. required={'openid'}".`,
    cause: "osTicket's Scopes field is typed with commas, so the plugin sends scope=openid,email,profile (one word to authentik, which splits on spaces): no scope is granted and the Resource Details Endpoint answers 403 insufficient_scope.",
    fix: `${OST}: set Scopes to "email openid profile", separated by spaces, with no commas.`,
    distinguish: 'The authorize request in the transcript has a "," in scope. scopes-missing-openid: no comma, openid not typed. scope-mapping-openid-missing: osTicket asks for openid but authentik does not grant it.',
    refs: ['auth-oauth2/config.php (getScopes: explode on ",")', 'authentik/providers/oauth2/views/authorize.py (scope.split())', 'authentik/providers/oauth2/utils.py (protected_resource_view([SCOPE_OPENID]))', 'osticket.md §2, §10.1'],
  },
  'scopes-missing-openid': {
    side: 'osticket',
    rank: 31,
    symptom: `${SILENT_BOUNCE}; authentik logs "Scope mismatch. required={'openid'}".`,
    cause: "osTicket's Scopes field does not contain openid, and authentik's userinfo (osTicket's Resource Details Endpoint) requires it: 403 insufficient_scope.",
    fix: `${OST}: set Scopes to "email openid profile" (space-separated).`,
    distinguish: 'The scope in the authorize request lacks "openid". If osTicket sends openid and the token response\'s scope lacks it, it is scope-mapping-openid-missing.',
    refs: ['authentik/providers/oauth2/views/userinfo.py', 'authentik/providers/oauth2/utils.py (protected_resource_view)', 'osticket.md §10.1'],
  },
  'scope-mapping-openid-missing': {
    side: 'authentik',
    rank: 32,
    symptom: `${SILENT_BOUNCE}; authentik logs "Scope mismatch. required={'openid'}".`,
    cause: "The provider's Scopes do not include the openid mapping, so authentik silently drops openid from the grant; the code exchange still works but userinfo (osTicket's Resource Details Endpoint) answers 403 insufficient_scope.",
    fix: `${AK} -> Advanced protocol settings -> Scopes: add "authentik default OAuth Mapping: OpenID 'openid'" (with 'email' and 'profile').`,
    distinguish: 'osTicket requested openid (the authorize request has it) and the token response\'s scope lacks it. If osTicket never asked for it: scopes-missing-openid or scopes-comma-separated.',
    refs: ['authentik/providers/oauth2/views/authorize.py (check_scope: unmapped scopes dropped)', 'blueprints/system/providers-oauth2.yaml', 'authentik.md §5'],
  },
  'user-without-email': {
    side: 'authentik',
    rank: 33,
    symptom: `${SILENT_BOUNCE} (agents do not even get the "create a local account" message: the user name it would show is empty).`,
    cause: 'The authentik user has no email address, so email (and, with Subject mode "Based on the User\'s Email", sub) is empty.',
    fix: "authentik Admin interface -> Directory -> Users -> <user> -> Edit: set the Email to the address of the user's osTicket agent (osTicket Admin Panel -> Agents -> <agent> -> Email).",
    distinguish: 'userinfo has an "email" key with an empty value. When the key is missing altogether, it is scope-mapping-email-missing.',
    refs: ['authentik/common/oauth/constants.py (SubModes user_email: can be empty)', 'auth-oauth2/oauth2.php (mapAttributes, signIn with empty username)', 'osticket.md §3'],
  },
  'scope-mapping-email-missing': {
    side: 'authentik',
    rank: 34,
    symptom: `${SILENT_BOUNCE}; agents see no message because osTicket gets no email to look them up by.`,
    cause: "The provider's Scopes do not include the email mapping, so userinfo (osTicket's Resource Details Endpoint) returns no email claim and osTicket has no user identifier.",
    fix: `${AK} -> Advanced protocol settings -> Scopes: add "authentik default OAuth Mapping: OpenID 'email'"; and keep "email" in osTicket's Scopes.`,
    distinguish: 'userinfo has no "email" key at all. An "email" key with an empty value is user-without-email; email missing from osTicket\'s Scopes shows in the authorize request.',
    refs: ['blueprints/system/providers-oauth2.yaml (scope-email)', 'auth-oauth2/oauth2.php (mapAttributes)', 'osticket.md §10.6'],
  },
  'scope-mapping-profile-missing': {
    side: 'authentik',
    rank: 35,
    symptom: 'Logins work, but new osTicket end users get their email address as their name and agents\' names are not filled in from authentik.',
    cause: "The provider's Scopes do not include the profile mapping, so userinfo has no name / given_name / preferred_username.",
    fix: `${AK} -> Advanced protocol settings -> Scopes: add "authentik default OAuth Mapping: OpenID 'profile'"; keep "profile" in osTicket's Scopes.`,
    distinguish: 'No name claims at all. name-claims-missing: the profile claims arrive but osTicket\'s Given Name / Surname do not match them, or they are empty.',
    refs: ['blueprints/system/providers-oauth2.yaml (scope-profile)', 'osticket.md §10.6'],
  },

  // ---------------------------------------------------------------- client authentication and codes
  'client-secret-mismatch': {
    side: 'osticket',
    rank: 36,
    symptom: `${SILENT_BOUNCE}; authentik's token endpoint answered 400 invalid_client.`,
    cause: "The client secret osTicket sends is not the provider's Client Secret (typo, an old secret, or the provider was recreated).",
    fix: `Copy the Client Secret from ${AK} into osTicket's Client Secret (${OST}) and save (an empty field keeps the old value, so paste the new one). Client type must stay Confidential.`,
    distinguish: 'invalid_client also comes from a redirect_uri the provider does not list (token-time check) and from an unknown client_id; the harness tells them apart by repeating the exchange with the registered redirect URI. client_secret=0 in osTicket\'s token request points at osticket-secret-undecryptable.',
    refs: ['authentik/providers/oauth2/views/token.py (client secret check)', 'authentik/providers/oauth2/utils.py (extract_client_auth)', 'authentik.md §6'],
  },
  'client-auth-method-unsupported': {
    side: 'authentik',
    rank: 37,
    symptom: `${SILENT_BOUNCE} when the token request uses client_secret_post (osTicket's method), or other apps fail with client_secret_basic.`,
    cause: 'The token endpoint refused one of the two client authentication methods authentik advertises (client_secret_post, client_secret_basic): usually a reverse proxy that strips the Authorization header or rewrites the POST body, or the provider is not Confidential.',
    fix: `${AK}: Client type Confidential. Make any reverse proxy in front of authentik pass the Authorization header and the form body of POST /application/o/token/ unchanged.`,
    distinguish: 'client-secret-mismatch: both methods fail with the same secret. Here one method works and the other does not.',
    refs: ['authentik/providers/oauth2/utils.py (extract_client_auth)', 'authentik/providers/oauth2/views/provider.py (token_endpoint_auth_methods_supported)', 'osticket.md §2 (client_secret_post)'],
  },
  'basic-credentials-not-decoded': {
    side: 'authentik',
    rank: 66,
    symptom: 'Nothing in osTicket (it sends client_secret_post). Other OIDC clients that authenticate with client_secret_basic (openid-client and most RFC 6749 libraries) get invalid_client with the right Client ID and Secret; authentik logs "OAuth2Provider does not exist".',
    cause: "authentik before 2026.2.2 does not percent-decode client_secret_basic credentials, while RFC 6749 §2.3.1 clients form-encode them first: a Client ID or Secret with characters other than letters and digits (the guide's example id has \"-\") arrives encoded (osticket%2Dharness%2Dclient) and matches no provider. authentik 2026.2.2 decodes them.",
    fix: `Upgrade authentik to 2026.2.2 or later. Until then give clients that use client_secret_basic a Client ID and Client Secret of letters and digits only (what authentik generates; ${AK} -> Client ID, Client Secret), or set them to client_secret_post. osTicket needs no change.`,
    distinguish: 'client-auth-method-unsupported: Basic is refused even with the credentials unencoded (a proxy drops the Authorization header). client-secret-mismatch: client_secret_post is refused too.',
    refs: ['authentik/providers/oauth2/utils.py (extract_client_auth; percent-decoding since 2026.2.2)', 'authentik.md §6 Client authentication, §13', 'RFC 6749 §2.3.1, Appendix B'],
  },
  'redirect-uri-mismatch-accepted-at-token': {
    side: 'authentik',
    rank: 38,
    symptom: 'Nothing visible to osTicket users; a code was exchanged with a redirect_uri other than osTicket\'s callback and authentik accepted it.',
    cause: 'authentik checks the token request\'s redirect_uri against the provider\'s list, not against the one used at authorize, so a second entry (or a Regex entry) admits another URI.',
    fix: `${AK} -> Redirect URIs: keep only osTicket's callback, matching mode Strict.`,
    refs: ['authentik/providers/oauth2/views/token.py (__check_redirect_uri)', 'authentik.md §3 "Mismatch at the token endpoint"', 'RFC 6749 §4.1.3'],
  },
  'state-not-returned': {
    side: 'authentik',
    rank: 39,
    symptom: SILENT_BOUNCE,
    cause: 'The redirect back to osTicket\'s callback did not carry the state osTicket sent, unchanged, so osTicket (which compares it with the session) drops the login.',
    fix: `${AK} -> Redirect URIs: the registered Redirect URI must have no query parameter named state; check that no reverse proxy between the browser and authentik rewrites the Location header or its query string.`,
    distinguish: 'osticket-session-host-mismatch also loses the state, but on osTicket\'s side; here the callback URL itself has a missing or altered state.',
    refs: ['authentik/providers/oauth2/views/authorize.py (state always appended)', 'auth-oauth2/oauth2.php (callback: getState() == state)', 'RFC 6749 §4.1.2'],
  },
  'clock-skew': {
    side: 'authentik',
    rank: 40,
    symptom: 'Logins fail or tokens are rejected as "issued in the future" / "expired" by clients that check times; codes seem to expire at once.',
    cause: 'The authentik server\'s clock and this machine\'s clock differ by more than the tolerance (measured from the Date header and the ID token\'s iat).',
    fix: 'Synchronise the clocks of the authentik server (and of the machine running osTicket and the harness) with NTP. authentik stamps iat/exp, Access token validity and Access code validity (60 s) from its own clock.',
    distinguish: 'id-token-claims-invalid with iat/exp off by about the same amount as the measured skew is this; a wrong iss or aud is not.',
    refs: ['authentik/providers/oauth2/id_token.py (iat/exp)', 'prior-art.md §4.2 Clock skew', 'OpenID Connect Core 1.0 §3.1.3.7 (iat)'],
  },

  // ---------------------------------------------------------------- signing
  'no-signing-key': {
    side: 'authentik',
    rank: 41,
    symptom: "osTicket itself does not check the ID token, so its logins may still work; other apps and libraries fail with \"Missing 'keys'\" or \"no matching key\" because authentik's JWKS is {}.",
    cause: 'The provider has no Signing Key: authentik signs ID tokens (and JWT access tokens) with HS256 keyed by the Client Secret, puts no kid in them and publishes an empty JWKS.',
    fix: `${AK} -> Signing Key: select "authentik Self-signed Certificate" (or another RSA / EC certificate).`,
    distinguish: 'alg HS256 with a JWKS of {} is this. alg "none" is signing-alg-none; RS256/ES256 with a kid the JWKS lacks is signing-kid-missing; JWKS not JSON at all is jwks-malformed.',
    refs: ['authentik/providers/oauth2/models.py (OAuth2Provider.jwt_key, encode)', 'authentik/providers/oauth2/views/jwks.py', 'authentik.md §4, §11'],
  },
  'id-token-encrypted': {
    side: 'authentik',
    rank: 42,
    symptom: 'ID tokens have five dot-separated parts (JWE) and no app that expects a signed JWT can read them; osTicket itself ignores the ID token.',
    cause: 'The provider has an Encryption Key, so authentik encrypts the ID token and the JWT access token (RSA-OAEP-256 / A256CBC-HS512).',
    fix: `${AK} -> Encryption Key: clear it (leave empty). Keep a Signing Key selected.`,
    refs: ['authentik/providers/oauth2/models.py (OAuth2Provider.encrypt)', 'authentik.md §4 Encryption'],
  },
  'signing-alg-none': {
    side: 'authentik',
    rank: 43,
    symptom: 'Apps that verify tokens reject them as unsigned; the ID token header says "alg": "none".',
    cause: 'The ID token is not signed at all (alg none). authentik never issues this: something between authentik and the client (a proxy) or a non-authentik provider produced it.',
    fix: `${AK} -> Signing Key: select "authentik Self-signed Certificate" and make sure the token endpoint answering is authentik\'s (check osTicket's Token Endpoint and the harness --issuer point at authentik itself).`,
    refs: ['OpenID Connect Core 1.0 §3.1.3.7 (alg none not allowed for code flow)', 'authentik/providers/oauth2/models.py (encode)'],
  },
  'signing-kid-missing': {
    side: 'authentik',
    rank: 44,
    symptom: 'Apps that verify tokens fail with "no matching key" / "kid not found in JWKS".',
    cause: "The ID token's kid is missing or not in the JWKS at jwks_uri (the Signing Key was changed and a cache still serves the old JWKS, or the token came from another provider or install).",
    fix: `${AK} -> Signing Key: check the selected certificate, then make sure /application/o/<slug>/jwks/ is not cached by a proxy; the harness and apps must reach the same authentik install.`,
    distinguish: 'HS256 with no kid is no-signing-key. A kid that is present in the JWKS but whose key does not verify the signature is signing-signature-invalid.',
    refs: ['authentik/crypto/models.py (kid)', 'authentik/providers/oauth2/views/jwks.py', 'authentik.md §4 kid format'],
  },
  'signing-signature-invalid': {
    side: 'authentik',
    rank: 45,
    symptom: 'Apps that verify tokens fail with "signature verification failed".',
    cause: 'The ID token (or JWT access token) signature does not verify with the JWKS key of the same kid: the key pair was replaced without a new kid, a proxy serves another install\'s JWKS, or the token was altered.',
    fix: `${AK} -> Signing Key: re-select the certificate (a new key gets a new kid); make sure the JWKS and the token come from the same authentik install and nothing caches /application/o/<slug>/jwks/.`,
    refs: ['RFC 7515 §5.2', 'authentik/providers/oauth2/views/jwks.py'],
  },
  'jwks-unreachable': {
    side: 'authentik',
    rank: 46,
    symptom: 'Apps that verify tokens cannot fetch the signing keys: jwks_uri answers 404 or an error.',
    cause: 'The jwks_uri from discovery does not answer (wrong application slug, a proxy not forwarding /application/o/<slug>/jwks/).',
    fix: `In authentik check the application slug and its provider (${AK}) and that a Signing Key is selected; let the reverse proxy forward /application/o/<slug>/jwks/.`,
    refs: ['authentik/providers/oauth2/urls.py (jwks)', 'authentik.md §1'],
  },
  'jwks-malformed': {
    side: 'authentik',
    rank: 47,
    symptom: 'Apps that verify tokens fail with "Missing \'keys\'" or "JWKS malformed".',
    cause: 'The JWKS is not a JSON object with a "keys" array of usable public keys.',
    fix: `${AK} -> Signing Key: select "authentik Self-signed Certificate" (authentik serves {} when none is selected); check no proxy rewrites /application/o/<slug>/jwks/.`,
    distinguish: 'A JWKS of exactly {} together with HS256 tokens is no-signing-key.',
    refs: ['authentik/providers/oauth2/views/jwks.py', 'RFC 7517 §5'],
  },

  // ---------------------------------------------------------------- subject
  'sub-mode-not-email': {
    side: 'authentik',
    rank: 50,
    symptom: "The Email-based subject check fails. osTicket logins can still work (osTicket identifies users by the userinfo email), but if osTicket's User Identifier is mapped to sub, agents see \"Have your administrator create a local account (<hash or id>)\"; and hashed ids change after a reinstall or database restore.",
    cause: 'The provider\'s Subject mode is not "Based on the User\'s Email".',
    fix: `${AK} -> Advanced protocol settings -> Subject mode: "Based on the User's Email" (as the osTicket guide says).`,
    distinguish: "The shape of sub tells the mode: 64 hex chars = hashed_user_id (the default); a small integer = user_id; a UUID = user_uuid; the login name = user_username. An empty sub with the email mode set is user-without-email.",
    refs: ['authentik/common/oauth/constants.py (SubModes)', 'authentik/providers/oauth2/id_token.py (IDToken.new)', 'authentik.md §2, §11'],
  },
  'sub-mismatch-idtoken-userinfo': {
    side: 'authentik',
    rank: 51,
    symptom: 'Apps that compare the ID token with userinfo reject the login ("sub mismatch"); the same user appears with two identities.',
    cause: "The ID token's sub and userinfo's sub differ: a custom scope mapping overrides sub, which authentik applies to one and not the other.",
    fix: `${AK} -> Advanced protocol settings -> Scopes: remove custom mappings that return "sub", and use Subject mode "Based on the User's Email" instead.`,
    refs: ['authentik/providers/oauth2/views/userinfo.py (sub from token.id_token.sub)', 'prior-art.md §4.2 (#10959)', 'OpenID Connect Core 1.0 §5.3.2'],
  },
  'sub-unstable': {
    side: 'authentik',
    rank: 52,
    symptom: 'The same person turns up as a new user in apps keyed on sub; sub changed between two logins.',
    cause: 'sub differs between two logins of the same user (a custom mapping computes it, authentik instances behind a load balancer have different install IDs, or the user\'s email changed in between).',
    fix: `${AK} -> Advanced protocol settings -> Subject mode: "Based on the User's Email"; remove custom Scopes mappings that set sub; make every authentik instance share one database.`,
    refs: ['authentik.md §2 (hashed_user_id depends on install_id)', 'prior-art.md §4.2 (#9361, #10070)'],
  },
  'id-token-claims-invalid': {
    side: 'authentik',
    rank: 70,
    symptom: 'Strict OIDC clients reject the ID token (wrong iss / aud, expired, issued in the future, or nonce mismatch); osTicket itself ignores the ID token.',
    cause: 'An ID token claim is not what the client must require: iss = the issuer, aud = the Client ID, exp in the future, iat not in the future, nonce = the one sent.',
    fix: `Check the named claim: iss -> Issuer mode and the host authentik is reached under; aud -> the Client ID osTicket uses (${AK}); iat/exp -> the server clock and Access token validity.`,
    distinguish: 'Times off by the measured clock offset: clock-skew. iss with the bare root URL: issuer-mode-global. iss with another host or slash: issuer-mismatch.',
    refs: ['OpenID Connect Core 1.0 §3.1.3.7', 'authentik/providers/oauth2/id_token.py'],
  },

  // ---------------------------------------------------------------- osTicket identity
  'agent-missing': {
    side: 'osticket',
    rank: 53,
    symptom: 'osTicket\'s staff login page says "Have your administrator create a local account (<email>)".',
    cause: 'No osTicket agent has the email authentik returned (osTicket never creates agents), or the agent is bound to another authentication backend.',
    fix: "osTicket Admin Panel -> Agents -> <agent> (or Add New Agent): set the agent's Email to exactly the authentik user's email, and Authentication Backend to \"Use any available backend\". Keep the instance's User Identifier = email.",
    distinguish: 'Only this cause shows that message; an empty email (user-without-email, scope-mapping-email-missing) shows no message at all.',
    refs: ['auth-oauth2/oauth2.php (OAuth2StaffAuthBackend::signIn)', 'include/class.staff.php (Staff::lookup)', 'osticket.md §3 Agents, §10.5'],
  },
  'name-claims-missing': {
    side: 'authentik',
    rank: 56,
    symptom: 'Logins work, but osTicket users are created with their email as name (names blank).',
    cause: "userinfo has no usable name: the user's Name is empty in authentik, or osTicket's Given Name / Surname mapping names claims authentik does not send (the plugin defaults givenname / surname match nothing; authentik sends name, given_name = the full name, no family_name).",
    fix: `Fill the user's Name in authentik (Directory -> Users) and keep the profile mapping in the provider's Scopes; in osTicket (${OST}) set Given Name = name and clear Surname, as the guide does.`,
    distinguish: 'No name, given_name or preferred_username at all: scope-mapping-profile-missing.',
    refs: ['blueprints/system/providers-oauth2.yaml (scope-profile: no family_name)', 'auth-oauth2/config.php (attr_givenname, attr_surname defaults)', 'osticket.md §10.6'],
  },
  'email-verified-false': {
    side: 'authentik',
    rank: 60,
    symptom: 'Nothing in osTicket (it ignores email_verified). Apps that require a verified email (kube-apiserver and others) refuse the same users.',
    cause: 'authentik\'s default email mapping returns email_verified = false (since 2025.10).',
    fix: `No change needed for osTicket. For apps that require it: create a Scope mapping for scope "email" returning email_verified: True and select it in ${AK} -> Scopes instead of "authentik default OAuth Mapping: OpenID 'email'".`,
    refs: ['blueprints/system/providers-oauth2.yaml (scope-email)', 'authentik.md §5 email_verified changed', 'prior-art.md §4.2'],
  },

  // ---------------------------------------------------------------- security hardening (no visible symptom)
  'client-type-public': {
    side: 'authentik',
    rank: 61,
    symptom: 'Nothing visible: logins work. But a token request with a wrong Client Secret was accepted, so anyone who learns the Client ID and a code can get tokens.',
    cause: "The provider's Client type is Public: authentik checks the client secret only for confidential clients.",
    fix: `${AK} -> Client type: Confidential. osTicket keeps working: it sends its Client Secret in the token request (client_secret_post).`,
    distinguish: 'client-secret-mismatch is the opposite case (the right secret refused). A wrong secret accepted with Client type Confidential would point at something other than authentik answering the Token Endpoint.',
    refs: ['authentik/providers/oauth2/views/token.py (secret checked only for confidential clients)', 'authentik.md §7 Client types', 'osticket.md §10.11'],
  },
  'redirect-uri-regex-too-broad': {
    side: 'authentik',
    rank: 62,
    symptom: 'Nothing visible: logins work. But authentik also accepted a near miss of osTicket\'s callback (other host, scheme, case or path), so a code can be sent to a URL osTicket does not own.',
    cause: 'The provider\'s Redirect URI uses matching mode Regex with a pattern that admits more than osTicket\'s callback (unescaped dots, .*, optional parts).',
    fix: `${AK} -> Redirect URIs: switch the entry to Strict with the exact callback (<osTicket base>/api/auth/oauth2). If Regex is really needed, escape the dots and match the whole URL only.`,
    distinguish: 'redirect-uri-query-accepted: only an extra query string got through.',
    refs: ['authentik/providers/oauth2/views/authorize.py (re.fullmatch for regex)', 'CVE-2024-52289', 'authentik.md §3'],
  },
  'redirect-uri-query-accepted': {
    side: 'authentik',
    rank: 63,
    symptom: 'Nothing visible: logins work. authentik accepted osTicket\'s callback with an extra query string appended.',
    cause: 'The Redirect URI entry is a Regex that tolerates a suffix (e.g. ends in .*), so any query is accepted.',
    fix: `${AK} -> Redirect URIs: use matching mode Strict with the exact callback.`,
    refs: ['authentik/providers/oauth2/views/authorize.py (check_redirect_uri)', 'RFC 6749 §3.1.2.2', 'OAuth 2.0 Security BCP (exact redirect URI matching)'],
  },
  'code-reuse-accepted': {
    side: 'authentik',
    rank: 64,
    symptom: 'Nothing visible: logins work. An authorization code was accepted twice by the token endpoint.',
    cause: 'Authorization codes are not single use. authentik deletes a code after a successful exchange, so something else answers the token endpoint (a caching proxy, another provider) or authentik has a regression.',
    fix: `No authentik field makes codes reusable: check that osTicket's Token Endpoint reaches authentik directly (no caching proxy on POST /application/o/token/), keep Access code validity at its default (minutes=1), and report it upstream with the version.`,
    refs: ['authentik/providers/oauth2/views/token.py (code deleted after use)', 'RFC 6749 §4.1.2 (code single use)', 'authentik.md §6 Authorization code'],
  },
  'pkce-not-enforced': {
    side: 'authentik',
    rank: 65,
    symptom: 'Nothing visible to osTicket (it sends no PKCE). A code issued with a PKCE challenge was exchanged without the right code_verifier.',
    cause: 'The token endpoint does not enforce PKCE for codes that carry a challenge; authentik does, so something else answers it or authentik has a regression.',
    fix: `No authentik field turns this off: check that the Token Endpoint reaches authentik itself and report it upstream with the version; keep Client type Confidential so the Client Secret is still required.`,
    refs: ['authentik/providers/oauth2/views/token.py (PKCE check when code has a challenge)', 'RFC 7636 §4.6', 'authentik.md §6 PKCE'],
  },

  // ---------------------------------------------------------------- generic symptoms (ranked last: echoes of the causes above)
  'authentik-flow-error': {
    side: 'authentik',
    rank: 72,
    symptom: 'authentik shows "Whoops! Something went wrong" (flow error with a request id) during the login.',
    cause: 'authentik\'s flow executor hit an error (a server exception, a CSRF failure, or a misconfigured stage in the provider\'s Authorization flow).',
    fix: 'In authentik, open Events -> Logs and find the request_id shown; check the provider\'s Authorization flow (default-provider-authorization-implicit-consent in the guide) and the authentication flow\'s stages.',
    refs: ['authentik/flows/views/executor.py (handle_exception -> ak-stage-flow-error)', 'authentik.md §8, §11 (flow executor errors)'],
  },
  'token-endpoint-error': {
    side: 'authentik',
    rank: 75,
    symptom: SILENT_BOUNCE,
    cause: 'The token endpoint refused the code exchange or answered something that is not a token response.',
    fix: `Read the error in the detail: invalid_client -> Client ID / Client Secret (osTicket's Client Id / Client Secret); invalid_grant -> the code expired (Access code validity is 60 s) or Grant types lacks Authorization Code; 404 -> osTicket's Token Endpoint must be …/application/o/token/ with the slash. Then look up the request_id in authentik's Events.`,
    distinguish: SILENT_BOUNCE_DISTINGUISH,
    refs: ['authentik/providers/oauth2/views/token.py', 'authentik/providers/oauth2/errors.py (TokenError)', 'authentik.md §6'],
  },
  'userinfo-error': {
    side: 'authentik',
    rank: 76,
    symptom: SILENT_BOUNCE,
    cause: "userinfo (osTicket's Resource Details Endpoint) refused the access token or did not answer with a JSON object.",
    fix: "Read the WWW-Authenticate header in the detail: insufficient_scope -> openid is not granted (osTicket's Scopes must be \"email openid profile\"; the provider's Scopes must include the openid mapping); invalid_token -> the token expired or was issued by another host (Access token validity, Issuer mode); 404 -> Resource Details Endpoint must be …/application/o/userinfo/.",
    distinguish: SILENT_BOUNCE_DISTINGUISH,
    refs: ['authentik/providers/oauth2/views/userinfo.py', 'authentik/providers/oauth2/utils.py (protected_resource_view)', 'authentik.md §5 Userinfo'],
  },
  'osticket-login-failed-silently': {
    side: 'osticket',
    rank: 85,
    symptom: SILENT_BOUNCE,
    cause: 'osTicket received the callback and redirected to / without logging the user in; it swallows the reason, and the harness found no more specific cause in authentik\'s answers.',
    fix: `Check, in this order, osTicket's Token Endpoint, Resource Details Endpoint, Client Secret and Scopes (${OST}) against authentik's provider; set osTicket's log level to Debug (Admin Panel -> Settings -> System) and look at authentik's Events for the Client ID.`,
    distinguish: SILENT_BOUNCE_DISTINGUISH,
    refs: ['auth-oauth2/oauth2.php (callback() catches Exception)', 'osticket.md §3 Error reporting, §10.3, §11 Outcomes'],
  },

  // ---------------------------------------------------------------- harness limits (after the findings they cut short)
  'run-deadline-exceeded': {
    side: 'harness',
    rank: 80,
    symptom: 'The run stopped at its deadline; the checks still pending were not run.',
    cause: 'The whole run took longer than its deadline (a slow or hanging server, or a deadline too short for this target).',
    fix: 'Look at the slowest exchanges in the transcript; if the target is merely slow, raise timeouts.runMs (--deadline) and timeouts.requestMs (--request-timeout) in the --config file.',
    refs: ['helpers/config-schema.ts (timeouts.runMs)', 'DESIGN.md "Bad input and secrets"'],
  },
  'server-error': {
    side: 'authentik',
    rank: 8.5,
    symptom: 'authentik (or the reverse proxy in front of it) answers an error page with status 500, 502, 503 or 504; logins stop there.',
    cause: 'The request named in the detail was answered with a server error: an exception in authentik, or a proxy that cannot reach it (502/503/504). It is not a setting of the provider or of osTicket.',
    fix: "Look at authentik's server log and at Events -> Logs in the authentik Admin interface at the time of the request named in the detail; for 502/503/504 check that the reverse proxy reaches authentik's server container and that authentik's /-/health/ready/ answers 200.",
    distinguish: 'A 4xx is a refusal with a reason (see token-endpoint-error, userinfo-error, discovery-unreachable); only 5xx is this.',
    refs: ['RFC 9110 §15.6 (5xx server errors)', 'authentik.md §9 Health'],
  },
  'authorize-redirect-loop': {
    side: 'authentik',
    rank: 10.3,
    symptom: 'Clicking "Sign in with Authentik" ends in "too many redirects" (ERR_TOO_MANY_REDIRECTS) in the browser.',
    cause: 'The Authorization Endpoint answers with redirects that never reach the login flow or osTicket\'s callback: usually a reverse proxy rule (http <-> https, a trailing-slash rewrite) or authentik\'s own URL configured with the wrong scheme.',
    fix: 'Open the Authorization Endpoint (…/application/o/authorize/) with curl -I and follow the Location headers; fix the reverse proxy rule that sends it back (X-Forwarded-Proto: https, no slash rewriting on /application/o/), then look for the request in Events -> Logs.',
    distinguish: 'A redirect to another host is authorize-off-host-redirect; a Redirect URI problem shows authentik\'s "Redirect URI Error" page, not a loop.',
    refs: ['helpers/authentik/login.ts (step limit)', 'authentik.md §1 (trailing slashes, APPEND_SLASH=False)'],
  },
  'authorize-off-host-redirect': {
    side: 'authentik',
    rank: 10.6,
    symptom: 'Clicking "Sign in with Authentik" leads to a page on another host than authentik (or an error), not to the authentik login.',
    cause: "The Authorization Endpoint (or authentik's login flow) redirected the browser off authentik to a URL that is not osTicket's Redirect URI: another host, port, scheme or path (a proxy or a captive portal in front of authentik, a flow stage that redirects elsewhere, or a compromised answer). The harness quotes it and does not follow it, even when it carries a code.",
    fix: "Check which server answers osTicket's Authorization Endpoint URL (curl -I); it must be authentik itself, whose answer stays on its own host until it redirects to osTicket's Redirect URI.",
    refs: ['helpers/authentik/login.ts (off-host redirects are not followed)', 'RFC 6749 §4.1.2'],
  },
  'signing-alg-confusion': {
    side: 'authentik',
    rank: 44.5,
    symptom: 'Libraries that trust the token header could be tricked into accepting a forged token; strict clients refuse it.',
    cause: 'The ID token says HS256 while the JWKS publishes public (RSA/EC) keys: a token "signed" with a public key as an HMAC secret is the classic key-confusion forgery. authentik signs HS256 only without a Signing Key, and then publishes no keys.',
    fix: `${AK} -> Signing Key: keep "authentik Self-signed Certificate" selected, and make sure the token endpoint that answers is authentik's (nothing in between rewrites tokens).`,
    distinguish: 'HS256 with an empty JWKS ({}) is no-signing-key; HS256 next to published RSA keys is this.',
    refs: ['RFC 8725 §2.1, §3.1 (algorithm confusion)', 'authentik/providers/oauth2/models.py (jwt_key)'],
  },
  'tls-expired': {
    side: 'network',
    rank: 3.5,
    symptom: 'The browser warns that the certificate has expired (NET::ERR_CERT_DATE_INVALID); osTicket logins fail silently.',
    cause: "authentik's TLS certificate is outside its validity period (expired, or not valid yet: check this machine's clock too).",
    fix: "Renew authentik's certificate (or the reverse proxy's) and reload it, then run again with the same --issuer / --authentik; if it should be valid, synchronise this machine's clock with NTP.",
    distinguish: 'tls-untrusted: the dates are fine but the issuing CA is not trusted.',
    refs: ['RFC 5280 §4.1.2.5 (validity)', 'osticket.md §2 (Guzzle verifies TLS)'],
  },
  'tls-plain-http': {
    side: 'network',
    rank: 2.5,
    symptom: 'The browser shows "ERR_SSL_PROTOCOL_ERROR" for the https:// URL; the same port answers http://.',
    cause: 'The URL given is https://, but the port speaks plain HTTP (no TLS): the URL has the wrong scheme or the wrong port, not a certificate problem.',
    fix: 'Use http:// for that port, or the port where authentik (or its proxy) serves HTTPS (usually 443 or 9443), in --issuer / --authentik and in osTicket\'s endpoints.',
    distinguish: 'A certificate problem (tls-untrusted, tls-hostname-mismatch, tls-expired) means TLS was spoken; here it was not.',
    refs: ['helpers/http/errors.ts (TLS_PROTOCOL: wrong version number)'],
  },
  'harness-email-mismatch': {
    side: 'harness',
    rank: 6.2,
    symptom: "The harness expected another email than the one authentik returns for the test user; nothing is wrong in authentik's Subject mode.",
    cause: "The sub authentik sends is an email and equals the user's email claim (Subject mode \"Based on the User's Email\" works), but it is not the email the harness was given to expect.",
    fix: "Give the harness the test user's real email (--email, user.email in the --config file, or TEST_EMAIL), or check in authentik (Directory -> Users) that this is the user you meant.",
    distinguish: 'sub-mode-not-email: the sub is not an email at all (a hash, an id, a UUID or the username).',
    refs: ['authentik/providers/oauth2/id_token.py (sub_mode user_email)', 'OpenID Connect Core 1.0 §5.1 (email claim)'],
  },
  'osticket-unreachable': {
    side: 'osticket',
    rank: 16.5,
    symptom: 'osTicket does not answer in the browser (connection refused, timeout or name not resolved).',
    cause: 'The osTicket URL given to the harness does not answer; the authentik checks ran without it, only the osTicket-server checks could not.',
    fix: "Check the osTicket URL given to the harness (--osticket / osticket.url): it must be the address users open, osTicket's Helpdesk URL (Admin Panel -> Settings -> System), reachable from this machine.",
    distinguish: 'authentik-unreachable: authentik itself does not answer. Here authentik answered and only osTicket did not.',
    refs: ['helpers/checks/engine.ts (osTicket-server checks)', 'osticket.md §4'],
  },
  'response-too-large': {
    side: 'authentik',
    rank: 8,
    symptom: 'A page or document that authentik serves in a few kilobytes is megabytes long (or its headers overflow): browsers and clients time out, refuse it, or run out of memory.',
    cause: "The answer at the URL named in the detail is larger than the harness reads (maxBodyBytes, 2 MB by default). authentik's discovery, JWKS, token, userinfo and flow answers are a few kilobytes, so something else answers there (a proxy error page, a file server, a loop), or a header is repeated without end.",
    fix: 'Open the URL named in the detail and see what answers it; point --issuer / --authentik at the authentik application URL, and fix the proxy in front of authentik (Events -> Logs shows whether authentik answered at all). Only if the answer is really that large and expected, raise maxBodyBytes in the --config file (or --max-body-bytes).',
    distinguish: 'discovery-malformed: a small answer that is not a discovery document. authentik-unreachable: no answer at all.',
    refs: ['helpers/http/client.ts (maxBodyBytes cap)', 'DESIGN.md "Bad input and secrets" (every body a size cap)'],
  },
  'request-budget-exhausted': {
    side: 'harness',
    rank: 81,
    symptom: 'The run stopped after its request budget; the checks still pending were not run.',
    cause: 'The harness reached its hard cap on requests for this run (live mode protects production this way).',
    fix: 'Run fewer areas (--only AREA) or raise requestBudget (--request-budget) in the --config file if the target can take it.',
    refs: ['helpers/target-types.ts (requestBudget)', 'issue 4 §2 (live mode budget)'],
  },
};

/** The catalog, each entry carrying its own id. */
export const DIAGNOSES: Readonly<Record<DiagnosisId, DiagnosisEntry>> = Object.freeze(
  Object.fromEntries(
    (Object.entries(ENTRIES) as Array<[DiagnosisId, Omit<DiagnosisEntry, 'id' | 'title'>]>).map(([id, e]) => [
      id,
      Object.freeze({ id, title: TITLES[id], ...e }),
    ]),
  ) as Record<DiagnosisId, DiagnosisEntry>,
);

export const DIAGNOSIS_IDS = Object.keys(DIAGNOSES) as DiagnosisId[];

export function isDiagnosisId(id: string): id is DiagnosisId {
  return Object.prototype.hasOwnProperty.call(DIAGNOSES, id);
}

/**
 * The Diagnosis a failing check attaches. `detail` is the concrete evidence (what the harness saw), appended to
 * the cause, e.g. "sub was 'a3f9…' (64 hex chars: hashed_user_id)". `fixHere` is the fix with this run's values
 * (the observed ones, e.g. the redirect_uri osTicket really sent), appended to the catalog's fix. Never put a
 * secret in either.
 */
export function diagnose(id: DiagnosisId, detail?: string, fixHere?: string): Diagnosis {
  const e = DIAGNOSES[id];
  if (!e) throw new TypeError(`unknown diagnosis id: ${String(id)}`);
  const d = detail?.trim();
  const f = fixHere?.trim();
  return {
    id: e.id,
    side: e.side,
    symptom: e.symptom,
    cause: d ? `${e.cause} Seen: ${d}` : e.cause,
    fix: f ? `${e.fix} Here: ${f}` : e.fix,
    rank: e.rank,
  };
}

/** A ranked cause of a run: the Diagnosis plus what points at it and how to tell it apart. */
export interface RankedCause extends Diagnosis {
  /** 'fail' if any failing check points at this cause, else 'warn'. */
  status: 'fail' | 'warn';
  /** Ids of the checks that point at this cause, in result order. */
  checks: string[];
  /** The catalog headline (absent for ids the catalog does not know). */
  title?: string;
  distinguish?: string;
}

/**
 * Distinct diagnosis ids among fail/warn results, most likely first: causes behind a failure before causes behind
 * only warnings, then by catalog rank (root causes before their echoes), then by how many checks point at it,
 * then by id (stable). The concrete cause text is the first failing (else warning) check's. An id not in the
 * catalog keeps its own `rank` (or sorts last).
 */
export function rankCauses(results: readonly CheckResult[]): RankedCause[] {
  const byId = new Map<string, { diag: Diagnosis; status: 'fail' | 'warn'; checks: string[]; first: number }>();
  results.forEach((r, index) => {
    if ((r.status !== 'fail' && r.status !== 'warn') || !r.diagnosis) return;
    const seen = byId.get(r.diagnosis.id);
    if (!seen) {
      byId.set(r.diagnosis.id, { diag: r.diagnosis, status: r.status, checks: [r.id], first: index });
      return;
    }
    if (!seen.checks.includes(r.id)) seen.checks.push(r.id);
    if (r.status === 'fail' && seen.status === 'warn') {
      seen.status = 'fail';
      seen.diag = r.diagnosis; // prefer the evidence of a failure
    }
  });
  const rankOf = (id: string, d: Diagnosis): number =>
    isDiagnosisId(id) ? DIAGNOSES[id].rank : (d.rank ?? Number.MAX_SAFE_INTEGER);
  return [...byId.entries()]
    .sort(([idA, a], [idB, b]) => {
      if (a.status !== b.status) return a.status === 'fail' ? -1 : 1;
      const byRank = rankOf(idA, a.diag) - rankOf(idB, b.diag);
      if (byRank !== 0) return byRank;
      if (a.checks.length !== b.checks.length) return b.checks.length - a.checks.length;
      return idA < idB ? -1 : idA > idB ? 1 : 0;
    })
    .map(([id, v]) => {
      const entry = isDiagnosisId(id) ? DIAGNOSES[id] : undefined;
      const out: RankedCause = {
        id,
        side: v.diag.side,
        symptom: v.diag.symptom,
        cause: v.diag.cause,
        fix: v.diag.fix,
        rank: rankOf(id, v.diag),
        status: v.status,
        checks: v.checks,
      };
      if (entry) out.title = entry.title;
      if (entry?.distinguish) out.distinguish = entry.distinguish;
      return out;
    });
}
