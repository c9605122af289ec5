import { constants, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Decoder, type Packet } from 'socket.io-parser';
import { sharedFrame, wsFrameHeader } from './ws-frames.ts';

function payloadLength(h: Buffer): number {
  const n = h[1] & 0x7f;
  if (n < 126) return n;
  return n === 126 ? h.readUInt16BE(2) : Number(h.readBigUInt64BE(2));
}

describe('shared broadcast frames', () => {
  it('writes RFC 6455 headers for each length class: final text frame, unmasked, RSV1 when deflated', () => {
    for (const len of [0, 125, 126, 65535, 65536, 200_000]) {
      for (const compressed of [false, true]) {
        const h = wsFrameHeader(len, compressed);
        expect(h[0]).toBe(0x80 | (compressed ? 0x40 : 0) | 0x1);
        expect(h[1] & 0x80).toBe(0);
        expect(h.length).toBe(len < 126 ? 2 : len < 65536 ? 4 : 10);
        expect(payloadLength(h)).toBe(len);
      }
    }
  });

  it('carries the same Socket.IO packet plain and deflated; the deflated one inflates on its own', () => {
    const events = Array.from({ length: 40 }, (_, i) => ({
      seq: i + 1,
      type: 'incident.created',
      data: { title: `燃气泄漏 ${i}` },
    }));
    const f = sharedFrame('/live', 'events', events);
    const [ph, plain] = f.plain;
    const [dh, deflated] = f.deflated;
    expect(payloadLength(ph)).toBe(plain.length);
    expect(payloadLength(dh)).toBe(deflated.length);
    expect(f.deflatedBytes).toBeLessThan(f.bytes / 3);

    // A receiver appends the 00 00 ff ff the sender removed (RFC 7692 §7.2.2), with no prior context.
    const inflated = inflateRawSync(Buffer.concat([deflated, Buffer.from([0, 0, 0xff, 0xff])]), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    expect(inflated.equals(plain)).toBe(true);

    const text = plain.toString();
    expect(text[0]).toBe('4'); // engine.io message
    expect(text.slice(1)).toBe(f.packet);
    let decoded: Packet | undefined;
    const d = new Decoder();
    d.on('decoded', (p: Packet) => (decoded = p));
    d.add(f.packet);
    expect(decoded).toMatchObject({ nsp: '/live', data: ['events', events] });
  });
});
