import { XMLParser } from 'fast-xml-parser';
import { decodeXmlBytes, readXml, type XmlElement } from '../../warnings/xml-read.ts';

/**
 * `readXml` (server/warnings) is the gate: size, DTD/entity refusal, well-formedness, namespaces.
 * It keeps no attributes, and ONVIF carries its data in them (`SimpleItem Name= Value=`,
 * `PropertyOperation`, `UtcTime`), so once the gate has passed the same text is parsed a second
 * time with the same parser settings and walked in step with the gate's tree to attach each
 * element's attributes and in-scope prefixes (a topic like `tns1:RuleEngine/…` names its
 * namespace by a prefix declared on some ancestor).
 */

export type XmlNode = Omit<XmlElement, 'children'> & {
  children: XmlNode[];
  /** Attribute values by name as written (prefix included), references decoded. */
  attrs: Record<string, string>;
  /** Prefix → namespace in scope here ('' = the default namespace). */
  scope: ReadonlyMap<string, string>;
};

export type XmlTreeResult = { ok: true; root: XmlNode } | { ok: false; message: string };

const attrParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 32,
});

export function readXmlTree(input: string | Uint8Array, maxBytes: number): XmlTreeResult {
  const gate = readXml(input, maxBytes);
  if (!gate.ok) return gate;
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const decoded = decodeXmlBytes(input);
    if (!decoded.ok) return decoded;
    text = decoded.text;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let nodes: unknown[];
  try {
    nodes = attrParser.parse(text) as unknown[];
  } catch (e) {
    return { ok: false, message: `not well-formed XML: ${(e as Error).message}` };
  }
  const rootNode = (nodes as Record<string, unknown>[]).find((n) => !('#text' in n));
  if (!rootNode) return { ok: false, message: 'no root element' };
  const problems: string[] = [];
  const root = attach(
    gate.root,
    rootNode,
    new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]),
    problems,
  );
  if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  return { ok: true, root };
}

function attach(
  element: XmlElement,
  node: Record<string, unknown>,
  outer: ReadonlyMap<string, string>,
  problems: string[],
): XmlNode {
  const raw = (node[':@'] ?? {}) as Record<string, string>;
  const attrs: Record<string, string> = {};
  let scope = outer;
  for (const [key, value] of Object.entries(raw)) {
    const name = key.slice(2);
    const decoded = decodeReferences(String(value), problems);
    attrs[name] = decoded;
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === outer) scope = new Map(outer);
      (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), decoded.trim());
    }
  }
  const qname = Object.keys(node).find((k) => k !== ':@')!;
  const childNodes = ((node[qname] ?? []) as Record<string, unknown>[]).filter(
    (c) => !('#text' in c) && !('#cdata' in c),
  );
  // The gate's tree and this one come from the same parser settings, so children pair up.
  const children = element.children.map((child, i) =>
    childNodes[i] ? attach(child, childNodes[i], scope, problems) : bare(child, scope),
  );
  return { ...element, children, attrs, scope };
}

function bare(element: XmlElement, scope: ReadonlyMap<string, string>): XmlNode {
  return { ...element, attrs: {}, scope, children: element.children.map((c) => bare(c, scope)) };
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

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

/** Direct children with this local name, whatever their namespace. */
export function childrenNamed(node: XmlNode, local: string): XmlNode[] {
  return node.children.filter((c) => c.local === local);
}

export function childNamed(node: XmlNode, local: string): XmlNode | undefined {
  return node.children.find((c) => c.local === local);
}

/** Every descendant (depth first) with this local name. */
export function descendantsNamed(node: XmlNode, local: string, out: XmlNode[] = []): XmlNode[] {
  for (const c of node.children) {
    if (c.local === local) out.push(c);
    descendantsNamed(c, local, out);
  }
  return out;
}
