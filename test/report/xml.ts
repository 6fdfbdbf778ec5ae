/**
 * A small STRICT XML reader for the self-tests (no XML parser is installed): it rejects what a real parser
 * rejects in our output (unescaped "<" or "&" in text or attributes, unknown entities, mismatched or unclosed
 * tags, forbidden control characters), so "it parses" means "it is well-formed" for the JUnit file.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_][\w.-]*/y;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`unescaped "<" in ${where}`);
  if (FORBIDDEN.test(raw)) throw new Error(`forbidden control character in ${where}`);
  return raw.replace(/&([^;]*);?/g, (whole, ent: string) => {
    if (!whole.endsWith(';')) throw new Error(`bare "&" in ${where}`);
    switch (ent) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
      default: {
        const m = /^#(x[0-9a-fA-F]+|\d+)$/.exec(ent);
        if (!m) throw new Error(`unknown entity &${ent}; in ${where}`);
        return String.fromCodePoint(m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10));
      }
    }
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}`);
  };
  const ws = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (!m) fail('expected a name');
    i += m![0].length;
    return m![0];
  };
  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) fail('unclosed XML declaration');
    i = end + 2;
  }
  ws();
  const element = (): XmlElement => {
    if (src[i] !== '<') fail('expected "<"');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      ws();
      if (src.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      const an = name();
      ws();
      if (src[i] !== '=') fail('expected "="');
      i++;
      ws();
      const q = src[i];
      if (q !== '"' && q !== "'") fail('expected a quoted attribute value');
      const end = src.indexOf(q!, i + 1);
      if (end < 0) fail('unclosed attribute value');
      if (an in el.attrs) fail(`duplicate attribute ${an}`);
      el.attrs[an] = decode(src.slice(i + 1, end), `attribute ${an} of <${el.name}>`);
      i = end + 1;
    }
    for (;;) {
      const lt = src.indexOf('<', i);
      if (lt < 0) fail(`unclosed <${el.name}>`);
      el.text += decode(src.slice(i, lt), `text of <${el.name}>`);
      i = lt;
      if (src.startsWith('</', i)) {
        i += 2;
        const close = name();
        if (close !== el.name) fail(`</${close}> closes <${el.name}>`);
        ws();
        if (src[i] !== '>') fail('expected ">"');
        i++;
        return el;
      }
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end < 0) fail('unclosed comment');
        i = end + 3;
        continue;
      }
      el.children.push(element());
    }
  };
  const root = element();
  ws();
  if (i !== src.length) fail('content after the root element');
  return root;
}

export function all(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}
