/** Public surface of the relying parties and JWT verification. */
export {
  osticketScopeParam,
  buildOsticketAuthorizeUrl,
  newOsticketState,
  osticketTokenRequest,
  osticketUserinfo,
  mapOsticketIdentity,
  parseWwwAuthenticate,
  phpBuildQuery,
  phpRawUrlEncode,
  leagueAppendQuery,
  looksLikeEmail,
  OSTICKET_USER_AGENT,
} from './osticket-profile.ts';
export { createConformantRp, toRpError } from './conformant-rp.ts';
export type { ConformantRp, ConformantRpOptions, AuthorizationRequest, TokenSet, RpResult } from './conformant-rp.ts';
export { inspectJwt, verifyJwt, checkClaims, isAsymmetricAlg } from './verify.ts';
export type * from './types.ts';
