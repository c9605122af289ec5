import { describe, expect, it } from 'vitest';
import { readXmlTree } from './xml-tree.ts';
import { fixture } from './fixtures/variants.ts';

describe('readXmlTree', () => {
  it('attaches attributes (references decoded) and in-scope prefixes to the gate tree', () => {
    const r = readXmlTree(fixture('axis-pir-change.xml'), 1 << 20);
    if (!r.ok) throw new Error(r.message);
    const message = r.root.children[0].children[0];
    expect(message.local).toBe('NotificationMessage');
    expect(message.scope.get('tns1')).toBe('http://www.onvif.org/ver10/topics');
    expect(r.root.scope.get('tns1')).toBeUndefined();
    const t = readXmlTree('<a x="1 &amp; 2" y="&#x4e2d;"><b z="&lt;"/></a>', 1000);
    expect(t.ok && [t.root.attrs, t.root.children[0].attrs]).toEqual([{ x: '1 & 2', y: '中' }, { z: '<' }]);
  });

  it('refuses what the gate refuses, and character references to non-characters in attributes', () => {
    expect(readXmlTree('<a x="&#0;"/>', 1000)).toMatchObject({ ok: false, message: /not an XML character/ });
    expect(readXmlTree('<!DOCTYPE a><a/>', 1000)).toMatchObject({ ok: false, message: /DTD/ });
    expect(readXmlTree('<a/>', 2)).toMatchObject({ ok: false, message: /too large/ });
    expect(readXmlTree(new Uint8Array([0x3c, 0x61, 0xff, 0x2f, 0x3e]), 100)).toMatchObject({ ok: false });
  });
});
