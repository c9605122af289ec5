import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Untrusted XML into a namespace-resolved element tree, or the reasons it cannot be one.
 * fast-xml-parser knows prefixes, not namespaces: the xmlns declarations are resolved here, so an
 * element is known by `{namespace}local` whatever prefix (or none) the sender chose.
 * Refused before the parser sees a byte: DTDs and entity declarations (XXE, billion laughs), any
 * entity but XML's five and character references, and inputs over `maxBytes`.
 */

export type XmlElement = {
  ns: string | undefined;
  local: string;
  /** The name as written, prefix included, for messages. */
  qname: string;
  children: XmlElement[];
  /** The element's own text (CDATA included), untrimmed; '' when it has none. */
  text: string;
};

export type XmlReadResult = { ok: true; root: XmlElement } | { ok: false; message: string };

/** A CAP message is a few KB; IPAWS's largest, with an embedded image, is ~450 KB. */
export const XML_MAX_BYTES = 1 << 20;
/** Deeper than any CAP message (alert/info/area/geocode/value is 5) by a wide margin. */
const MAX_DEPTH = 32;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // References are decoded here, in one pass (see `decodeReferences`), and CDATA is kept apart so
  // that its content is never decoded: `&amp;#65;` stays `&#65;` and `<![CDATA[&amp;]]>` `&amp;`.
  processEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
});

const COMMENTS_AND_CDATA = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;
const BAD_ENTITY = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)([^\s;<]{0,20});?/;

export function decodeXmlBytes(
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; message: string } {
  let label = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
    const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
    if (declared) label = declared[1].toLowerCase();
  }
  try {
    return { ok: true, text: new TextDecoder(label, { fatal: true }).decode(bytes) };
  } catch (e) {
    return e instanceof RangeError
      ? { ok: false, message: `unsupported encoding "${label}"` }
      : { ok: false, message: `the bytes are not valid ${label}` };
  }
}

export function readXml(input: string | Uint8Array, maxBytes = XML_MAX_BYTES): XmlReadResult {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) return { ok: false, message: `message too large: ${size} bytes, at most ${maxBytes}` };
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const decoded = decodeXmlBytes(input);
    if (!decoded.ok) return decoded;
    text = decoded.text;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const markup = text.replace(COMMENTS_AND_CDATA, '');
  if (/<!DOCTYPE/i.test(markup) || /<!ENTITY/i.test(markup))
    return { ok: false, message: 'DTDs and entity declarations are refused' };
  if (markup.includes('<!')) return { ok: false, message: 'markup declarations are refused' };
  const bad = BAD_ENTITY.exec(markup);
  if (bad) return { ok: false, message: `undefined entity or bare "&": "&${bad[1]}"` };

  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    return { ok: false, message: `not well-formed XML: ${msg} (line ${line}, column ${col})` };
  }
  let nodes: unknown[];
  try {
    nodes = parser.parse(text) as unknown[];
  } catch (e) {
    const message = (e as Error).message;
    if (/nested tags/i.test(message))
      return { ok: false, message: `elements nested deeper than ${MAX_DEPTH}` };
    return { ok: false, message: `not well-formed XML: ${message}` };
  }
  const roots: XmlElement[] = [];
  const problems: string[] = [];
  for (const node of nodes) {
    const n = node as Record<string, unknown>;
    if ('#text' in n) {
      if (String(n['#text']).trim() !== '') problems.push('text outside the root element');
      continue;
    }
    roots.push(toElement(n, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), problems));
  }
  if (roots.length !== 1) problems.push(`a document has one root element, not ${roots.length}`);
  if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  return { ok: true, root: roots[0] };
}

function toElement(
  node: Record<string, unknown>,
  scope: Map<string, string>,
  problems: string[],
): XmlElement {
  const qname = Object.keys(node).find((k) => k !== ':@')!;
  const attrs = (node[':@'] ?? {}) as Record<string, string>;
  let inner = scope;
  for (const [name, value] of Object.entries(attrs)) {
    if (name === '@_xmlns' || name.startsWith('@_xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      inner.set(
        name === '@_xmlns' ? '' : name.slice('@_xmlns:'.length),
        decodeReferences(value, problems).trim(),
      );
    }
  }
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const local = colon < 0 ? qname : qname.slice(colon + 1);
  const ns = inner.get(prefix) || undefined;
  if (prefix !== '' && ns === undefined) problems.push(`namespace prefix "${prefix}" is not declared`);
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[qname] ?? []) as Record<string, unknown>[]) {
    if ('#text' in child) text += decodeReferences(String(child['#text']), problems);
    else if ('#cdata' in child)
      text += ((child['#cdata'] ?? []) as Record<string, unknown>[])
        .map((c) => String(c['#text'] ?? ''))
        .join('');
    else children.push(toElement(child, inner, problems));
  }
  return { ns, local, qname, children, text };
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML's five named entities and character references; a reference to a non-character is refused. */
function decodeReferences(s: string, problems: string[]): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, (ref, name: string) => {
    if (name[0] !== '#') return NAMED[name];
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    const isChar =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!isChar) {
      problems.push(`character reference ${ref} is not an XML character`);
      return '';
    }
    return String.fromCodePoint(code);
  });
}
