/**
 * The bench's WebSocket transport for socket.io-client: the stock Node transport, except that
 * work which depends only on a frame's bytes is done once per process, not once per client:
 * inflating a compressed frame, and decoding its UTF-8.
 *
 * Why: the server sends the same broadcast frame to every console. In a browser each console
 * inflates and decodes it once; here hundreds of consoles share two processes on the same two
 * cores as the server being measured, and that duplicated work would be what we measure. Every
 * client still receives its own bytes on its own socket, and they are compared in full (memcmp)
 * with the cached input before its result is reused: a client given different bytes does its
 * own work. Inflating is deterministic because the server declares no context takeover.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { NodeWebSocket } from 'engine.io-client';
import type { WebSocket as WsSocket } from 'ws';

/** Results keyed by the exact input bytes; the oldest length bucket goes first when full. */
class ByteCache<T> {
  private readonly byLength = new Map<number, { bytes: Buffer; value: T }[]>();
  private entries = 0;
  hits = 0;
  misses = 0;
  constructor(private readonly max: number) {}

  get(bytes: Buffer): T | undefined {
    const same = this.byLength.get(bytes.length);
    if (same)
      for (const e of same)
        if (e.bytes === bytes || e.bytes.equals(bytes)) {
          this.hits++;
          return e.value;
        }
    this.misses++;
    return undefined;
  }

  set(bytes: Buffer, value: T, copy: boolean): void {
    if (this.entries >= this.max) {
      const [oldest, list] = this.byLength.entries().next().value!;
      this.entries -= list.length;
      this.byLength.delete(oldest);
    }
    // A copy where the caller may reuse its buffer (ws may hand out a view of a read buffer).
    const entry = { bytes: copy ? Buffer.from(bytes) : bytes, value };
    const same = this.byLength.get(bytes.length);
    if (same) same.push(entry);
    else this.byLength.set(bytes.length, [entry]);
    this.entries++;
  }
}

// Small packets (pings, acks) are cheap to redo and not worth keeping.
const WORTH_SHARING = 1024;
const texts = new ByteCache<string>(256);
const inflated = new ByteCache<Buffer>(256);
/** Buffers this module made (inflated frames): never reused by ws, so kept without a copy. */
const ours = new WeakSet<Buffer>();

export const sharedStats = { texts, inflated };

export function sharedText(bytes: Buffer): string {
  if (bytes.length < WORTH_SHARING) return bytes.toString('utf8');
  let text = texts.get(bytes);
  if (text === undefined) texts.set(bytes, (text = bytes.toString('utf8')), !ours.has(bytes));
  return text;
}

// RFC 7692 §7.2.2: the receiver appends the 00 00 ff ff the sender removed.
const SYNC_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

type Inflate = (data: Buffer, fin: boolean, cb: (err: Error | null, out?: Buffer) => void) => void;

/** Wraps one socket's permessage-deflate inflater with the process-wide cache. */
function shareInflation(ext: { decompress: Inflate }): void {
  const own = ext.decompress.bind(ext);
  ext.decompress = (data, fin, cb) => {
    // Only whole messages in one frame are shared; fragments go through the socket's own zlib.
    if (!fin || data.length < 64) return own(data, fin, cb);
    let out = inflated.get(data);
    if (!out) {
      // Inflated here, at once, so that the other clients reading the same frame in this tick
      // find it (the socket's own zlib would answer only after all of them had started).
      try {
        out = inflateRawSync(Buffer.concat([data, SYNC_TAIL]), { finishFlush: constants.Z_SYNC_FLUSH });
      } catch {
        return own(data, fin, cb);
      }
      ours.add(out);
      inflated.set(data, out, true);
    }
    process.nextTick(cb, null, out);
  };
}

export class SharedTextWebSocket extends NodeWebSocket {
  override doOpen(): this {
    const self = super.doOpen();
    const ws = this.ws as (WsSocket & { _extensions?: Record<string, { decompress: Inflate }> }) | undefined;
    if (!ws) return self;
    ws.once('open', () => {
      const ext = ws._extensions?.['permessage-deflate'];
      if (ext) shareInflation(ext);
    });
    // Replace the stock handler (which decodes every text frame) with one on raw bytes.
    ws.onmessage = null;
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onData(isBinary ? data : sharedText(data)));
    return self;
  }
}
