/**
 * PHP's own messages at the start of a page. With `display_errors` on, PHP prints notices, deprecations and
 * warnings into the response body; once a byte of body is out, no header can follow, so osTicket's redirects
 * (Location) are lost and the page answers 200 (osTicket 1.18.1 on PHP 8.2 prints "Deprecated: Return type of …"
 * lines before its bootstrap turns display off: issue 10, osTicket issue #6590). PHP formats them as
 * `<br />\n<b>Deprecated</b>:  message in <b>file</b> on line <b>n</b><br />` with html_errors on, and as
 * `\nDeprecated: message in file on line n` with it off.
 */
const PHP_MESSAGE_AT_START = /^\s*(?:<br\s*\/?>\s*)?(?:<b>)?(Deprecated|Notice|Warning|Fatal error|Parse error|Strict Standards|Recoverable fatal error)(?:<\/b>)?:\s/;

/** The first line of PHP output at the start of a body (tags stripped, at most 300 characters), or undefined. */
export function phpMessageAtStart(body: string): string | undefined {
  if (!PHP_MESSAGE_AT_START.test(body)) return undefined;
  const first = body.replace(/^\s*(?:<br\s*\/?>\s*)?/, '').split(/<br\s*\/?>|\r?\n/)[0] ?? '';
  return first.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim().slice(0, 300);
}
