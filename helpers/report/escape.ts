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
