#!/usr/bin/env bash
# A curl-only login through authentik's flow executor, the way authentik.md §8 ("Headless login through the flow
# executor") and the §11 "Minimal harness checklist" describe it, against the reference provider
# (`oidc-harness serve-reference`) or a real authentik:
#
#   1. GET  /application/o/authorize/?...           -> 302 /if/flow/<flow>/?<query>   (authentik/policies/views.py)
#   2. GET  /api/v3/flows/executor/<flow>/?query=   -> ak-stage-identification         (flows/views/executor.py)
#   3. POST identification JSON (same ?query=)      -> 302 to self, re-GET              -> ak-stage-password
#   4. POST password JSON                           -> 302 to self, re-GET              -> xak-flow-redirect {to}
#   5. GET  <to> (authorize again, rotated session) -> 302 <redirect_uri>?code=&state= (providers/oauth2/views/authorize.py)
#      (explicit consent: 302 to the consent flow; its executor GET -> ak-stage-consent, POST the echoed token with
#       X-authentik-CSRF; once consent is stored the executor GET answers 302 to itself, then xak-flow-redirect
#       with the code: authentik.md §13 "Explicit consent once stored")
#   6. POST /application/o/token/ form body, client_secret_basic                         (providers/oauth2/views/token.py)
#   7. GET  /application/o/userinfo/ with the Bearer token                               (providers/oauth2/views/userinfo.py)
#
# Inputs (environment): BASE (e.g. http://127.0.0.1:9000), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, USERNAME,
# PASSWORD; optional SCOPE (default "openid email profile"), CURL_OPTS (e.g. "--cacert ca.pem").
# Output: the userinfo claims as JSON on stdout. Progress goes to stderr; the client secret, the password, the
# code, the tokens and cookie values are never printed, and never put on a command line (they go to curl on stdin).
# Needs: bash, curl, python3 (JSON and URL parsing only).
set -euo pipefail

: "${BASE:?set BASE, e.g. http://127.0.0.1:9000}"
: "${CLIENT_ID:?set CLIENT_ID}"
: "${CLIENT_SECRET:?set CLIENT_SECRET}"
: "${REDIRECT_URI:?set REDIRECT_URI}"
: "${USERNAME:?set USERNAME}"
: "${PASSWORD:?set PASSWORD}"
SCOPE="${SCOPE:-openid email profile}"
BASE="${BASE%/}"
export CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD SCOPE

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
jar="$work/cookies"
: >"$jar"

say() { printf 'curl-login: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# curl with the cookie jar, manual redirects and a timeout on every request. Extra curl config (headers holding
# secrets) is read from stdin with -K - so it never shows in the process list. Writes the body to $work/body and
# the headers to $work/headers; prints the status code.
req() {
  # shellcheck disable=SC2086
  curl --silent --show-error --max-time 10 --cookie "$jar" --cookie-jar "$jar" \
    --dump-header "$work/headers" --output "$work/body" --write-out '%{http_code}' ${CURL_OPTS:-} "$@"
}
location() { tr -d '\r' <"$work/headers" | sed -n 's/^[Ll]ocation: *//p' | tail -n 1; }
json_field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' "$work/body" "$1"; }
urlenc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# A relative Location or `to` is relative to BASE (authentik answers with paths: FlowPlan.to_redirect).
absolute() { case "$1" in http://* | https://*) printf '%s' "$1" ;; *) printf '%s%s' "$BASE" "$1" ;; esac; }

state="$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))')"
authorize="$BASE/application/o/authorize/?$(python3 -c '
import os, sys, urllib.parse
print(urllib.parse.urlencode({"client_id": os.environ["CLIENT_ID"], "redirect_uri": os.environ["REDIRECT_URI"],
  "response_type": "code", "scope": os.environ["SCOPE"], "state": sys.argv[1]}, quote_via=urllib.parse.quote))' "$state")"

# 1. authorize: not logged in -> 302 to the SPA shell /if/flow/<flow>/?<params>&next=... (do not GET it; take its query).
say "authorize"
status="$(req -H 'Accept: text/html' "$authorize")"
[ "$status" = 302 ] || die "authorize answered $status, not 302 (wrong client id or redirect URI? see the error page)"
loc="$(location)"
flow_path="${loc%%\?*}"
flow_path="${flow_path#"$BASE"}"
flow_query="${loc#*\?}"
case "$flow_path" in /if/flow/*/) flow="${flow_path#/if/flow/}"; flow="${flow%/}" ;; *) die "authorize redirected to $flow_path, not /if/flow/<flow>/" ;; esac
executor="$BASE/api/v3/flows/executor/$flow/?query=$(urlenc "$flow_query")"

# Runs the executor until a challenge other than a self-redirect arrives; leaves it in $work/body and prints its component.
# A stage POST answers 302 to the same URL with an empty body, or 200 xak-flow-redirect to the executor (authentik.md §8 step 4).
executor_get() {
  local url="$1" hops=0 st component to
  while :; do
    hops=$((hops + 1)); [ "$hops" -le 10 ] || die "too many executor redirects"
    st="$(req -H 'Accept: application/json' "$url")"
    if [ "$st" = 302 ]; then url="$(absolute "$(location)")"; continue; fi
    [ "$st" = 200 ] || die "executor GET answered $st"
    component="$(json_field component)"
    to="$(json_field to)"
    if [ "$component" = xak-flow-redirect ] && [[ "$to" == /api/v3/flows/executor/* ]]; then url="$(absolute "$to")"; continue; fi
    printf '%s' "$component"
    return 0
  done
}
# POSTs a JSON body (read from stdin) with the same ?query= (authentik.md §8: send query on every call), then follows.
executor_post() {
  local url="$1" st
  st="$(req -H 'Accept: application/json' -H 'Content-Type: application/json' "${@:2}" --data-binary @- "$url")"
  case "$st" in
    302) executor_get "$(absolute "$(location)")" ;;
    200)
      if [ "$(json_field component)" = xak-flow-redirect ] && [[ "$(json_field to)" == /api/v3/flows/executor/* ]]; then
        executor_get "$(absolute "$(json_field to)")"
      else json_field component; fi ;;
    *) die "executor POST answered $st" ;;
  esac
}
stage_errors() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])).get("response_errors", {})))' "$work/body"; }

# 2. identification
say "flow $flow: identification"
component="$(executor_get "$executor")"
[ "$component" = ak-stage-identification ] || die "expected ak-stage-identification, got $component"
component="$(python3 -c 'import json,os; print(json.dumps({"component":"ak-stage-identification","uid_field":os.environ["USERNAME"]}))' | executor_post "$executor")"

# 3. password (JSON body built from the environment, piped on stdin)
[ "$component" = ak-stage-password ] || die "expected ak-stage-password, got $component $(stage_errors)"
say "flow $flow: password"
component="$(python3 -c 'import json,os; print(json.dumps({"component":"ak-stage-password","password":os.environ["PASSWORD"]}))' | executor_post "$executor")"
case "$component" in
  xak-flow-redirect) ;;
  ak-stage-password) die "the password stage refused the password: $(stage_errors)" ;;
  ak-stage-access-denied) die "access denied: $(json_field error_message)" ;;
  *) die "expected xak-flow-redirect after the password, got $component" ;;
esac
to="$(json_field to)"

# 4. authorize again with the rotated session cookie -> 302 to the redirect URI with code and state.
say "authorize (logged in)"
status="$(req -H 'Accept: text/html' "$(absolute "$to")")"
code_url=""
if [ "$status" = 302 ] && [[ "$(location)" == "$REDIRECT_URI"* ]]; then
  code_url="$(location)"
elif [ "$status" = 302 ] && [[ "$(location)" == */if/flow/* ]]; then
  # Explicit consent: the authorization flow runs in the executor. Consent not stored yet: ak-stage-consent; POST the
  # echoed token with the CSRF header (authentik.md §8 step 6, "Cookies and CSRF": authenticated executor POSTs need
  # X-authentik-CSRF = the authentik_csrf cookie). Consent already stored: the stage passes by itself (302 to the
  # executor, followed by executor_get) and the flow ends in xak-flow-redirect with the code (authentik.md §13).
  loc="$(location)"; cflow="${loc%%\?*}"; cflow="${cflow#"$BASE"}"; cflow="${cflow#/if/flow/}"; cflow="${cflow%/}"
  cexec="$BASE/api/v3/flows/executor/$cflow/?query=$(urlenc "${loc#*\?}")"
  component="$(executor_get "$cexec")"
  if [ "$component" = ak-stage-consent ]; then
    say "flow $cflow: consent"
    token="$(json_field token)"
    csrf="$(awk '$6 == "authentik_csrf" { v = $7 } END { print v }' "$jar")"
    [ -n "$csrf" ] || die "no authentik_csrf cookie after login"
    component="$(python3 -c 'import json,sys; print(json.dumps({"component":"ak-stage-consent","token":sys.argv[1]}))' "$token" |
      executor_post "$cexec" -H "X-authentik-CSRF: $csrf")"
  else
    say "flow $cflow: consent already given"
  fi
  [ "$component" = xak-flow-redirect ] || die "expected ak-stage-consent or xak-flow-redirect in flow $cflow, got $component"
  code_url="$(json_field to)"
else
  die "the second authorize answered $status $(location | sed 's/[?].*//') instead of a redirect to the Redirect URI"
fi
code="$(python3 -c 'import sys,urllib.parse; q=urllib.parse.parse_qs(urllib.parse.urlsplit(sys.argv[1]).query); print(q.get("code",[""])[0])' "$code_url")"
returned_state="$(python3 -c 'import sys,urllib.parse; q=urllib.parse.parse_qs(urllib.parse.urlsplit(sys.argv[1]).query, keep_blank_values=True); print(q.get("state",[""])[0])' "$code_url")"
[ -n "$code" ] || die "no code in the redirect to the Redirect URI"
[ "$returned_state" = "$state" ] || die "state did not round-trip"

# 5. token: form body, client_secret_basic; the Authorization header and the code reach curl on stdin (-K -).
say "token"
export CODE="$code"
status="$(python3 -c '
import base64, os, urllib.parse
q = lambda s: urllib.parse.quote(s, safe="")
basic = base64.b64encode((os.environ["CLIENT_ID"] + ":" + os.environ["CLIENT_SECRET"]).encode()).decode()
body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": os.environ["CODE"], "redirect_uri": os.environ["REDIRECT_URI"]})
print("header = \"Authorization: Basic " + basic + "\"")
print("data = \"" + body + "\"")' | req -K - -H 'Accept: application/json' "$BASE/application/o/token/")"
unset CODE
[ "$status" = 200 ] || die "token endpoint answered $status: $(json_field error) $(json_field error_description)"
access_token="$(json_field access_token)"
[ -n "$access_token" ] || die "no access_token in the token response"

# 6. userinfo with the Bearer token; print only the claims.
say "userinfo"
status="$(printf 'header = "Authorization: Bearer %s"\n' "$access_token" | req -K - -H 'Accept: application/json' "$BASE/application/o/userinfo/")"
[ "$status" = 200 ] || die "userinfo answered $status (it needs the openid scope)"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=2, sort_keys=True))' "$work/body"
