/**
 * Everything the live gateway reads or patches inside engine.io and ws that is not public API,
 * in one place. These are private members: engine.io 6.6.13 and ws 8.23.0 are pinned exactly in
 * package.json, and ws-internals.int.test.ts fails loudly (naming the member) if an upgrade moves
 * any of them. At run time a socket whose internals are not as expected is served the slow, public
 * way (per-socket emit, nominal byte counts) rather than crashing the feed.
 */

/** ws's permessage-deflate parameters as negotiated (RFC 7692 §7.1), server side. */
export type DeflateParams = {
  server_no_context_takeover?: boolean;
  client_no_context_takeover?: boolean;
  server_max_window_bits?: number;
  client_max_window_bits?: number;
};

type NodeSocket = { writableLength?: number; destroy?: () => void };
type WsSocket = {
  _extensions?: Record<string, { params?: DeflateParams | null } | undefined>;
  _sender?: { sendFrame?: unknown; _bufferedBytes?: number };
  _socket?: NodeSocket;
  bufferedAmount?: number;
  terminate?: () => void;
};
type Packet = { data?: unknown; options?: { wsPreEncodedFrame?: Buffer[] } };
type WsTransport = {
  name?: string;
  socket?: WsSocket;
  _canSendPreEncodedFrame?: (packet: Packet) => boolean;
};
/** engine.io's Socket (`socket.conn` in Socket.IO). */
export type EngineConn = {
  transport?: WsTransport;
  writeBuffer?: Packet[];
  write(data: string, opts: object): void;
};

/** What is wrong with one connection's internals; empty when all is as this module expects. */
export function internalsProblems(conn: unknown): string[] {
  const c = conn as EngineConn;
  const p: string[] = [];
  if (!Array.isArray(c.writeBuffer)) p.push('engine.io Socket.writeBuffer is not an array');
  const t = c.transport;
  if (!t) return [...p, 'engine.io Socket.transport is missing'];
  if (typeof t._canSendPreEncodedFrame !== 'function')
    p.push('engine.io WebSocket transport has no _canSendPreEncodedFrame(packet)');
  const ws = t.socket;
  if (!ws) return [...p, 'engine.io WebSocket transport has no .socket (the ws WebSocket)'];
  if (typeof ws._sender?.sendFrame !== 'function') p.push('ws WebSocket._sender.sendFrame is not a function');
  if (typeof ws._sender?._bufferedBytes !== 'number') p.push('ws Sender._bufferedBytes is not a number');
  if (!ws._extensions || typeof ws._extensions !== 'object') p.push('ws WebSocket._extensions is missing');
  const pmd = ws._extensions?.['permessage-deflate'];
  if (pmd !== undefined && (typeof pmd.params !== 'object' || pmd.params === null))
    p.push('ws PerMessageDeflate.params is not the negotiated parameters object');
  if (typeof ws._socket?.writableLength !== 'number')
    p.push('ws WebSocket._socket.writableLength is not a number');
  if (typeof ws.terminate !== 'function') p.push('ws WebSocket.terminate is not a function');
  return p;
}

/**
 * Lets engine.io write ready-made frames on a deflate-negotiated socket. engine.io refuses them
 * when deflate is on because ws may be compressing another message meanwhile; our ws never
 * compresses (threshold out of reach), so a ready frame keeps its place in the order.
 */
export function allowPreEncodedFrames(conn: unknown): boolean {
  const t = (conn as EngineConn).transport;
  if (!t || typeof t.socket?._sender?.sendFrame !== 'function') return false;
  if (typeof t._canSendPreEncodedFrame !== 'function') return false;
  t._canSendPreEncodedFrame = (packet) => packet.options?.wsPreEncodedFrame !== undefined;
  return true;
}

/** The permessage-deflate parameters this socket negotiated, or null when it did not. */
export function deflateParams(conn: unknown): DeflateParams | null {
  const pmd = (conn as EngineConn).transport?.socket?._extensions?.['permessage-deflate'];
  return pmd?.params ?? null;
}

/**
 * Whether the one shared deflated frame can be inflated by this socket: it was compressed with a
 * 15-bit window and no context, so the socket must have agreed to exactly that (RFC 7692 §7.1.1.1,
 * §7.1.2.1; an absent server_max_window_bits means 15).
 */
export function takesSharedDeflate(params: DeflateParams | null): boolean {
  if (!params) return false;
  return (params.server_max_window_bits ?? 15) === 15 && params.server_no_context_takeover === true;
}

// Strings are measured once per packet: a stalled socket's queue is summed on every frame.
const packetSizes = new WeakMap<object, number>();
/** Nominal size of a packet whose shape is unknown (what the gateway used to count for all). */
const UNKNOWN_PACKET_BYTES = 1024;

function packetBytes(p: Packet): number {
  if (typeof p !== 'object' || p === null) return UNKNOWN_PACKET_BYTES;
  const cached = packetSizes.get(p);
  if (cached !== undefined) return cached;
  const frame = p.options?.wsPreEncodedFrame;
  let n: number;
  if (Array.isArray(frame)) n = frame.reduce((s, b) => s + (b?.length ?? 0), 0);
  else if (typeof p.data === 'string') n = Buffer.byteLength(p.data) + 1;
  else if (Buffer.isBuffer(p.data)) n = p.data.length + 1;
  else n = typeof p.data === 'undefined' ? 1 : UNKNOWN_PACKET_BYTES;
  packetSizes.set(p, n);
  return n;
}

/**
 * Bytes written to this console and not yet taken by the kernel: the packets engine.io still
 * holds (real lengths, ready frames included), what ws holds while it compresses, and the Node
 * socket's write queue. (The kernel's own send buffer is not observable from here.)
 */
export function queuedBytes(conn: unknown): number {
  const c = conn as EngineConn;
  let n = 0;
  for (const p of c.writeBuffer ?? []) n += packetBytes(p);
  const ws = c.transport?.socket;
  if (ws) {
    n += ws._sender?._bufferedBytes ?? 0;
    n += ws._socket?.writableLength ?? 0;
  }
  return n;
}

/**
 * Closes the connection now, discarding what is queued. A graceful close would wait for the queue
 * to drain, which a stalled console never does: memory stayed held until the ping timeout.
 */
export function terminate(conn: unknown): void {
  const ws = (conn as EngineConn).transport?.socket;
  if (typeof ws?.terminate === 'function') ws.terminate();
}
