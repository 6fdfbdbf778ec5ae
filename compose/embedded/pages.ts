/**
 * HTML pages in authentik's server-rendered layout: the error page (authentik/lib/views.py bad_request_message ->
 * authentik/core/templates/if/error.html: document title "authentik", the card title in `h1.pf-c-title`, the
 * message, a "Go home" link), the policy denial page (authentik/policies/denied.py AccessDeniedResponse ->
 * policies/templates/policies/denied.html: "Permission denied", "Request has been denied."), both inside
 * login/base_full.html on base/skeleton.html (authentik.md §13: a 400 page of about 5.3 KB). The markup is written
 * here after those templates; the stylesheets it links are authentik's paths and are not served by the reference.
 * Also a minimal flow page at /if/flow/<slug>/ that drives the executor API like authentik's web UI
 * (web/src/flow/FlowExecutor.ts): GET the challenge, POST JSON with the same ?query=, send X-authentik-CSRF from
 * the authentik_csrf cookie, follow xak-flow-redirect.
 */
import { escapeHtml } from './http-util.ts';

/** The flow background's duotone filter (login/base_full.html). */
const BACKGROUND = `<div class="pf-c-background-image">
    <svg xmlns="http://www.w3.org/2000/svg" class="pf-c-background-image__filter" width="0" height="0">
        <filter id="image_overlay">
            <feColorMatrix in="SourceGraphic" type="matrix" values="1.3 0 0 0 0 0 1.3 0 0 0 0 0 1.3 0 0 0 0 0 1 0" />
            <feComponentTransfer color-interpolation-filters="sRGB" result="duotone">
                <feFuncR type="table" tableValues="0.086274509803922 0.43921568627451"></feFuncR>
                <feFuncG type="table" tableValues="0.086274509803922 0.43921568627451"></feFuncG>
                <feFuncB type="table" tableValues="0.086274509803922 0.43921568627451"></feFuncB>
                <feFuncA type="table" tableValues="0 1"></feFuncA>
            </feComponentTransfer>
        </filter>
    </svg>
</div>`;

/** base/skeleton.html + login/base_full.html: a document title, the card title (h1) and the card body. */
function loginPage(documentTitle: string, cardTitle: string, card: string): string {
  return `<!DOCTYPE html>
<html lang="en" data-theme="light" data-theme-choice="auto">
    <head>
        <meta charset="UTF-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="darkreader-lock">
        <title>${escapeHtml(documentTitle)}</title>
        <link rel="icon" href="/static/dist/assets/icons/icon.png">
        <link rel="shortcut icon" href="/static/dist/assets/icons/icon.png">
        <link rel="stylesheet" type="text/css" href="/static/dist/patternfly.min.css">
        <link rel="stylesheet" type="text/css" href="/static/dist/styles/interface.css" />
        <link rel="stylesheet" type="text/css" href="/static/dist/styles/base.css" />
        <meta name="color-scheme" content="light dark" />
        <meta name="theme-color" content="#ffffff" media="(prefers-color-scheme: light)">
        <meta name="theme-color" content="#18191a" media="(prefers-color-scheme: dark)">
        <link rel="stylesheet" type="text/css" href="/static/dist/styles/dark.css" />
        <style data-id="brand-css"></style>
        <script src="/static/dist/poly.js" type="module"></script>
        <style>
.pf-c-background-image::before {
    --ak-flow-background: url("/static/dist/assets/images/flow_background.jpg");
}
        </style>
    </head>
    <body>
${BACKGROUND}
<ak-message-container></ak-message-container>
<div class="pf-c-login">
    <div class="ak-login-container">
        <header class="pf-c-login__header">
            <div class="pf-c-brand ak-brand">
                <img src="/static/dist/assets/icons/icon_left_brand.svg" alt="authentik icon" />
            </div>
        </header>
        <main class="pf-c-login__main">
            <header class="pf-c-login__main-header">
                <h1 class="pf-c-title pf-m-3xl">
                    ${escapeHtml(cardTitle)}
                </h1>
            </header>
            <div class="pf-c-login__main-body">
${card}
            </div>
        </main>
        <footer class="pf-c-login__footer">
            <p></p>
            <ul class="pf-c-list pf-m-inline">
            </ul>
        </footer>
    </div>
</div>
    </body>
</html>
`;
}

/** if/error.html: the 400 page of bad_request_message (title "Redirect URI Error", "Client ID Error", ...). */
export function errorPage(title: string, message: string): string {
  return loginPage('authentik', title, `<div class="pf-c-form">
    <p>${escapeHtml(message)}</p>

    <div class="pf-c-form__group">
        <a id="ak-back-home" href="/" class="pf-c-button pf-m-primary pf-m-block">
            Go home
        </a>
    </div>
</div>`);
}

/** policies/denied.html: "Request has been denied.", and the error message when there is one. */
export function permissionDeniedPage(error?: string): string {
  return loginPage('Permission denied - authentik', 'Permission denied', `<form method="POST" class="pf-c-form">
    <div class="pf-c-form__group">
        <p>
            <i class="pf-icon pf-icon-error-circle-o"></i>
            Request has been denied.
        </p>${error ? `
        <hr>
        <p>
            ${escapeHtml(error)}
        </p>` : ''}
    </div>
</form>`);
}

export function notFoundPage(): string {
  return loginPage('authentik', 'Not Found', '<div class="pf-c-form">\n    <p>The requested resource was not found on this server.</p>\n</div>');
}

/** The flow page's own shell (authentik serves its web UI here; this is the reference's stand-in). */
function flowShell(title: string, body: string, script: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - authentik</title>
<style>body{font-family:sans-serif;background:#18191a;color:#e8e8e8;display:flex;justify-content:center;padding-top:8vh}
main{background:#1c1e21;padding:2rem;border-radius:6px;min-width:22rem;max-width:32rem}h1{font-size:1.5rem}
input,button{display:block;width:100%;margin:.5rem 0;padding:.5rem;box-sizing:border-box}.err{color:#f88}</style>
</head>
<body><main>${body}</main><script>${script}</script></body>
</html>`;
}

const FLOW_SCRIPT = String.raw`
(function () {
  var slug = location.pathname.split('/')[3];
  var api = '/api/v3/flows/executor/' + slug + '/?query=' + encodeURIComponent(location.search.replace(/^\?/, ''));
  var root = document.getElementById('flow');
  function csrf() { var m = document.cookie.match(/(?:^|; )authentik_csrf=([^;]*)/); return m ? decodeURIComponent(m[1]) : ''; }
  function call(method, body) {
    var headers = { 'Accept': 'application/json' };
    if (body) { headers['Content-Type'] = 'application/json'; headers['X-authentik-CSRF'] = csrf(); }
    return fetch(api, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin' })
      .then(function (r) { return r.json(); }).then(render);
  }
  function el(tag, attrs, text) { var e = document.createElement(tag); for (var k in attrs) e.setAttribute(k, attrs[k]); if (text) e.textContent = text; return e; }
  function errors(c, field) { var list = (c.response_errors || {})[field] || []; return list.map(function (x) { return x.string; }).join(' '); }
  function form(c, fields, submit, build) {
    root.innerHTML = '';
    root.appendChild(el('h1', {}, (c.flow_info && c.flow_info.title) || 'authentik'));
    var f = el('form', { id: 'stage-form', 'data-component': c.component });
    fields.forEach(function (x) { f.appendChild(x); });
    var e = ['non_field_errors', 'password', 'uid_field', 'code', 'token', 'remember_me'].map(function (k) { return errors(c, k); }).filter(Boolean).join(' ');
    if (e) f.appendChild(el('p', { 'class': 'err', id: 'errors' }, e));
    f.appendChild(el('button', { type: 'submit', id: 'submit' }, submit));
    f.addEventListener('submit', function (ev) { ev.preventDefault(); call('POST', build(f)); });
    root.appendChild(f);
  }
  function render(c) {
    switch (c.component) {
      case 'ak-stage-identification': {
        var idFields = [el('label', { 'for': 'uid_field' }, 'Email or Username'), el('input', { id: 'uid_field', name: 'uidField', autocomplete: 'username' })];
        if (c.password_fields) idFields.push(el('label', { 'for': 'password' }, 'Password'), el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password' }));
        return form(c, idFields, c.primary_action || 'Log in', function (f) {
          var b = { component: c.component, uid_field: f.uidField.value }; if (c.password_fields) b.password = f.password.value; return b;
        });
      }
      case 'ak-stage-password':
        return form(c, [el('p', {}, c.pending_user || ''), el('label', { 'for': 'password' }, 'Password'), el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password' })],
          'Continue', function (f) { return { component: c.component, password: f.password.value }; });
      case 'ak-stage-consent':
        return form(c, (c.permissions || []).map(function (p) { return el('p', { 'class': 'permission' }, p.name); }),
          'Continue', function () { return { component: c.component, token: c.token }; });
      case 'ak-stage-authenticator-validate':
        return form(c, [el('p', {}, c.pending_user || ''), el('label', { 'for': 'code' }, 'Code'), el('input', { id: 'code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code' })],
          'Continue', function (f) { return { component: c.component, code: f.code.value }; });
      case 'ak-stage-user-login':
        return form(c, [el('label', { 'for': 'remember_me' }, 'Stay signed in'), el('input', { id: 'remember_me', name: 'rememberMe', type: 'checkbox' })],
          'Continue', function (f) { return { component: c.component, remember_me: f.rememberMe.checked }; });
      case 'ak-stage-dummy':
        return form(c, [], 'Continue', function () { return { component: c.component }; });
      case 'ak-stage-session-end':
        root.innerHTML = ''; root.appendChild(el('h1', {}, (c.flow_info && c.flow_info.title) || '')); root.appendChild(el('p', { id: 'session-end' }, c.application_name || '')); return;
      case 'xak-flow-redirect':
        location.assign(c.to); return;
      case 'ak-stage-access-denied':
        root.innerHTML = ''; root.appendChild(el('h1', {}, 'Request has been denied.')); root.appendChild(el('p', { 'class': 'err', id: 'errors' }, c.error_message || '')); return;
      default:
        root.innerHTML = ''; root.appendChild(el('h1', {}, 'Whoops!')); root.appendChild(el('p', { 'class': 'err', id: 'errors' }, 'Something went wrong! Please try again later. (' + (c.request_id || c.component) + ')'));
    }
  }
  call('GET');
})();`;

export function flowPage(slug: string): string {
  return flowShell(slug, '<div id="flow" data-flow="' + escapeHtml(slug) + '"><p>Loading...</p></div>', FLOW_SCRIPT);
}
