/**
 * The symptom most osTicket logins share, whatever the cause (osticket.md §3: the plugin swallows every callback
 * exception), and how the transcript tells those causes apart: used by authentik- and osTicket-side entries alike.
 */
/** What osTicket shows for nearly every OAuth2 failure (osticket.md §3 "OAuth2 failures are silent", §11). */
export const SILENT_BOUNCE =
  'osTicket silently returns to its home page / login page after the authentik login; no message is shown';

export const SILENT_BOUNCE_DISTINGUISH =
  'Every osTicket-side OAuth2 failure looks the same (auth-oauth2/oauth2.php callback() swallows the exception and ' +
  'redirects to /). The transcript tells them apart: look at the LAST failing exchange before the 302 to "/": ' +
  'an error on the callback URL itself (error=...) is authentik refusing the authorize request; a 400 invalid_client ' +
  'from the Token Endpoint is the Client Secret / Client Id; a 403 insufficient_scope from the Resource Details ' +
  'Endpoint is the Scopes; a 404 on an endpoint is a wrong or mistyped endpoint URL.';
