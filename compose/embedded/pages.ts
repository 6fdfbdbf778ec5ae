/**
 * HTML pages: the error page (authentik/lib/views.py bad_request_message -> templates if/error.html), the policy
 * denial page (authentik/policies/denied.py AccessDeniedResponse), and a minimal flow page at /if/flow/<slug>/ that
 * drives the executor API like authentik's web UI (web/src/flow/FlowExecutor.ts): GET the challenge, POST JSON
 * with the same ?query=, send X-authentik-CSRF from the authentik_csrf cookie, follow xak-flow-redirect.
 */
import { escapeHtml } from './http-util.ts';

function shell(title: string, body: string, script = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - authentik</title>
<style>body{font-family:sans-serif;background:#18191a;color:#e8e8e8;display:flex;justify-content:center;padding-top:8vh}
main{background:#1c1e21;padding:2rem;border-radius:6px;min-width:22rem;max-width:32rem}h1{font-size:1.5rem}
input,button{display:block;width:100%;margin:.5rem 0;padding:.5rem;box-sizing:border-box}.err{color:#f88}</style>
</head>
<body><main>${body}</main>${script ? `<script>${script}</script>` : ''}</body>
</html>`;
}

export function errorPage(title: string, message: string): string {
  return shell(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

export function permissionDeniedPage(message: string): string {
  return shell('Permission denied', `<h1>Permission denied</h1><p>Request has been denied.</p><p class="err">${escapeHtml(message)}</p>`);
}

export function notFoundPage(): string {
  return shell('Not Found', '<h1>Not Found</h1><p>The requested resource was not found on this server.</p>');
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
    var e = errors(c, 'non_field_errors') || errors(c, 'password') || errors(c, 'uid_field');
    if (e) f.appendChild(el('p', { 'class': 'err', id: 'errors' }, e));
    f.appendChild(el('button', { type: 'submit', id: 'submit' }, submit));
    f.addEventListener('submit', function (ev) { ev.preventDefault(); call('POST', build(f)); });
    root.appendChild(f);
  }
  function render(c) {
    switch (c.component) {
      case 'ak-stage-identification':
        return form(c, [el('label', { 'for': 'uid_field' }, 'Email or Username'), el('input', { id: 'uid_field', name: 'uidField', autocomplete: 'username' })],
          c.primary_action || 'Log in', function (f) { return { component: c.component, uid_field: f.uidField.value }; });
      case 'ak-stage-password':
        return form(c, [el('p', {}, c.pending_user || ''), el('label', { 'for': 'password' }, 'Password'), el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password' })],
          'Continue', function (f) { return { component: c.component, password: f.password.value }; });
      case 'ak-stage-consent':
        return form(c, (c.permissions || []).map(function (p) { return el('p', { 'class': 'permission' }, p.name); }),
          'Continue', function () { return { component: c.component, token: c.token }; });
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
  return shell(slug, '<div id="flow" data-flow="' + escapeHtml(slug) + '"><p>Loading...</p></div>', FLOW_SCRIPT);
}
