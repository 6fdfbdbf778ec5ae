/**
 * Python `re` patterns in JavaScript, as far as redirect URI matching needs them (authentik matches regex redirect
 * URIs with `re.fullmatch`, providers/oauth2/views/authorize.py; the API refuses one that `re.compile` refuses,
 * providers/oauth2/api/providers.py: "Invalid Regex Pattern: <url>"). Python's named groups `(?P<name>...)`,
 * back-references `(?P=name)` and `\Z` are rewritten to JavaScript's; the rest of the common syntax is the same.
 */

/** A pattern Python compiles but JavaScript cannot run the same way (possessive quantifiers, Python 3.11+). */
export class UnsupportedPattern extends Error {}

export function compilePythonRegex(pattern: string): RegExp {
  if (/(?<!\\)[*+?}]\+/.test(pattern)) throw new UnsupportedPattern('possessive quantifiers are not reproduced');
  const js = pattern
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\Z/g, '(?![\\s\\S])');
  return new RegExp(`^(?:${js})$`);
}

/** re.fullmatch; a pattern that does not compile never matches. */
export function pythonFullmatch(pattern: string, value: string): boolean {
  try {
    return compilePythonRegex(pattern).test(value);
  } catch {
    return false;
  }
}
