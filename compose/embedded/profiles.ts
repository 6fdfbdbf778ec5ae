/**
 * Version profiles: the authentik behaviours that changed between the releases the harness cares about
 * (authentik.md "Sources and versions" and the per-section version notes).
 */
export type Profile = '2025.8' | '2025.10' | '2026.5' | '2026.8';
export const PROFILES: readonly Profile[] = ['2025.8', '2025.10', '2026.5', '2026.8'];
export const DEFAULT_PROFILE: Profile = '2026.8';

export interface ProfileFeatures {
  /** email scope mapping: email_verified True up to 2025.8.x, False since 2025.10.0 (PR #16206, authentik.md §5). */
  emailVerified: boolean;
  /** provider.grant_types enforced since 2026.5 (PR #20363, authentik.md §6). */
  enforceGrantTypes: boolean;
  /** kid: MD5 hex before 2026.2.0, base64url(SHA-512(PEM)) since (authentik/crypto/models.py, authentik.md §4). */
  kidStyle: 'md5-hex' | 'sha512-b64url';
  /** redirect_uri_type (authorization|logout) exists since 2026.5; logout entries are ignored for login (authentik.md §3). */
  redirectUriTypes: boolean;
  /** Basic credentials percent-decoded since 2026.2.2 (utils.py extract_client_auth, authentik.md §6). */
  percentDecodeBasic: boolean;
  /** login_hint skips a simple identification stage since 2026.2 (stages/identification/stage.py, authentik.md §8). */
  loginHintSkipsIdentification: boolean;
  /** frontchannel_logout_* discovery fields since main/2026.5 (views/provider.py, authentik.md §1). */
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

export const PROFILE_FEATURES: Readonly<Record<Profile, ProfileFeatures>> = {
  '2025.8': {
    emailVerified: true, enforceGrantTypes: false, kidStyle: 'md5-hex', redirectUriTypes: false,
    percentDecodeBasic: false, loginHintSkipsIdentification: false, frontchannelDiscovery: false,
    flowInfo2025_12: false, challengeFields2026_2: false,
  },
  '2025.10': {
    emailVerified: false, enforceGrantTypes: false, kidStyle: 'md5-hex', redirectUriTypes: false,
    percentDecodeBasic: false, loginHintSkipsIdentification: false, frontchannelDiscovery: false,
    flowInfo2025_12: false, challengeFields2026_2: false,
  },
  '2026.5': {
    emailVerified: false, enforceGrantTypes: true, kidStyle: 'sha512-b64url', redirectUriTypes: true,
    percentDecodeBasic: true, loginHintSkipsIdentification: true, frontchannelDiscovery: true,
    flowInfo2025_12: true, challengeFields2026_2: true,
  },
  '2026.8': {
    emailVerified: false, enforceGrantTypes: true, kidStyle: 'sha512-b64url', redirectUriTypes: true,
    percentDecodeBasic: true, loginHintSkipsIdentification: true, frontchannelDiscovery: true,
    flowInfo2025_12: true, challengeFields2026_2: true,
  },
};

export function isProfile(value: unknown): value is Profile {
  return typeof value === 'string' && (PROFILES as readonly string[]).includes(value);
}
