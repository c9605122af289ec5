import { constants, deflateRawSync } from 'node:zlib';
import { Encoder, PacketType } from 'socket.io-parser';

/**
 * One broadcast frame, encoded and compressed once for every console.
 *
 * At 500 consoles × 1,000 events/s the feed is ~400 MB/s of JSON. Per-message deflate cuts that
 * ~6×, but ws would compress it again for each socket (500 deflates per frame). Instead the frame
 * is deflated once (no context takeover, so any client can inflate it on its own) and the same
 * bytes are written to every socket that negotiated permessage-deflate; others get the plain
 * frame. Both are complete WebSocket frames (RFC 6455 §5.2, RFC 7692 §7.2.1), built here.
 */
export type SharedFrame = {
  /** The Socket.IO packet, for a transport that cannot take a ready frame. */
  packet: string;
  plain: Buffer[];
  deflated: Buffer[];
  bytes: number;
  deflatedBytes: number;
};

const encoder = new Encoder();
// Engine.IO message packets are prefixed "4" (see engine.io-parser).
const ENGINE_MESSAGE = '4';
const OPCODE_TEXT = 0x1;
// RFC 7692 §7.2.1: a sync-flushed deflate block ends in 00 00 ff ff, which the sender removes.
const SYNC_TAIL = 4;

export function wsFrameHeader(length: number, compressed: boolean): Buffer {
  const first = 0x80 | (compressed ? 0x40 : 0) | OPCODE_TEXT;
  if (length < 126) return Buffer.from([first, length]);
  if (length < 65536) {
    const h = Buffer.alloc(4);
    h[0] = first;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.alloc(10);
  h[0] = first;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
}

/** The Socket.IO packet for `emit(event, data)` on namespace `nsp`. */
export function socketIoPacket(nsp: string, event: string, data: unknown): string {
  return (encoder.encode({ type: PacketType.EVENT, nsp, data: [event, data] }) as string[])[0];
}

export function sharedFrame(nsp: string, event: string, data: unknown, level = 6): SharedFrame {
  const packet = socketIoPacket(nsp, event, data);
  const raw = Buffer.from(ENGINE_MESSAGE + packet);
  const z = deflateRawSync(raw, { level, finishFlush: constants.Z_SYNC_FLUSH });
  const body = z.subarray(0, z.length - SYNC_TAIL);
  return {
    packet,
    plain: [wsFrameHeader(raw.length, false), raw],
    deflated: [wsFrameHeader(body.length, true), body],
    bytes: raw.length,
    deflatedBytes: body.length,
  };
}
