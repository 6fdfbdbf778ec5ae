/** Public surface of the authentik driver. */
export { loginThroughAuthentik } from './login.ts';
export { parseAuthentikErrorPage, htmlText } from './error-page.ts';
export type { LoginOutcome, LoginStep, LoginCreds, LoginOptions, ConsentKind, AuthentikErrorPage } from './types.ts';
