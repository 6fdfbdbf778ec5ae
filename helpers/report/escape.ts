/**
 * Escaping for the HTML and XML reports. No HTML/XML library is a direct dependency of this project (escape-html
 * is only present transitively, through oidc-provider's koa), and these few lines are all the reports need:
 * every value is placed in element text or a double-quoted attribute, never in a script, style or URL context
 * without going through `safeHref`.
 */

/** Characters XML 1.0 does not allow at all (C0 controls other than TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces characters that may not appear in XML/HTML text (response bodies can contain anything) by U+FFFD. */
export function stripInvalidChars(text: string): string {
  return text.replace(XML_INVALID, '\uFFFD');
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and double- or single-quoted attribute values, in HTML and in XML. */
export function escapeMarkup(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return stripInvalidChars(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

export const escapeHtml = escapeMarkup;
export const escapeXml = escapeMarkup;

/**
 * What a terminal must never receive from the network (issue 9 §6): C0 controls (ESC starts colour, clear-screen and
 * set-title sequences; CR and LF would let a value forge lines of the summary), DEL, C1 controls (0x9b is a one-byte
 * CSI), and the Unicode bidirectional overrides and isolates that reorder what is shown.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A value made safe for a terminal line: line breaks and tabs become spaces, other controls become "?". */
export function stripControl(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => (c === '\n' || c === '\r' || c === '\t' ? ' ' : '?'));
}

/** True when `text` holds a character stripControl would replace (tests assert the console has none). */
export function hasControl(text: string): boolean {
  return new RegExp(TERMINAL_UNSAFE.source).test(text);
}

/**
 * JSON for a terminal: JSON.stringify already writes C0 controls as \\uXXXX but passes DEL, C1 and the bidi
 * controls through raw; they only occur inside strings, where the \\uXXXX form is the same JSON value.
 */
export function escapeJsonForTerminal(json: string): string {
  // eslint-disable-next-line no-control-regex
  return json.replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
