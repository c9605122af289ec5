import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { User } from '../../shared/identity.ts';
import {
  LIVE_NAMESPACE,
  LiveAuth,
  PROTOCOL_VERSION,
  type LiveClientEvents,
  type LiveEvent,
  type LiveServerEvents,
} from '../../shared/protocol.ts';
import type { Broadcaster, FanOut, FeedClient } from '../services/fan-out.ts';
import { sharedFrame, type SharedFrame } from './ws-frames.ts';

type LiveSocket = Socket<LiveClientEvents, LiveServerEvents, Record<string, never>, { user: User }>;

/** Bytes queued for one socket: engine.io's own buffer plus the TCP socket's. */
function bufferedBytes(s: LiveSocket): number {
  const conn = s.conn as unknown as {
    writeBuffer?: unknown[];
    transport?: { socket?: { bufferedAmount?: number } };
  };
  const ws = conn.transport?.socket?.bufferedAmount ?? 0;
  // Packets not yet handed to the transport; count them at a nominal size.
  return ws + (conn.writeBuffer?.length ?? 0) * 1024;
}

/** engine.io's websocket transport and the ws socket under it, as far as we use them. */
type WsTransport = {
  socket?: { _extensions?: Record<string, unknown>; _sender?: { sendFrame?: unknown } };
  _canSendPreEncodedFrame?: (packet: { options?: { wsPreEncodedFrame?: unknown } }) => boolean;
};
type EngineConn = { transport?: WsTransport; write(data: string, opts: object): void };

class SocketClient implements FeedClient {
  /** Whether this console negotiated permessage-deflate (every browser does). */
  readonly deflate: boolean;

  constructor(private readonly s: LiveSocket) {
    const transport = (s.conn as unknown as EngineConn).transport;
    this.deflate = transport?.socket?._extensions?.['permessage-deflate'] !== undefined;
    if (transport && typeof transport.socket?._sender?.sendFrame === 'function') {
      // engine.io takes ready-made frames only when deflate is off, because ws may be compressing
      // another message meanwhile. Here ws never compresses (see the threshold below), so a ready
      // frame keeps its place in the order; the shared broadcast frame is such a frame.
      transport._canSendPreEncodedFrame = (packet) => packet.options?.wsPreEncodedFrame !== undefined;
    }
  }
  get id() {
    return this.s.id;
  }
  send(events: LiveEvent[]) {
    this.s.emit('events', events);
  }
  /** The broadcast frame, as encoded once for all (engine.io keeps it in order with the rest). */
  sendShared(frame: SharedFrame) {
    (this.s.conn as unknown as EngineConn).write(frame.packet, {
      wsPreEncodedFrame: this.deflate ? frame.deflated : frame.plain,
    });
  }
  resync(info: { reason: 'retention' | 'slow_consumer'; headSeq: number }) {
    this.s.emit('resync', info);
  }
  buffered() {
    return bufferedBytes(this.s);
  }
  drop() {
    this.s.disconnect(true);
  }
}

export type Authenticate = (cookieHeader: string | undefined) => Promise<User | null>;

/** Socket.IO `/live`: authenticates by session cookie and hands each socket to the fan-out. */
export class LiveGateway {
  readonly io: Server;
  private readonly nsp: Namespace<LiveClientEvents, LiveServerEvents>;
  private readonly clients = new Map<string, SocketClient>();
  /** Broadcast frames and their size before and after deflate (for /api/v1/status). */
  readonly wire = { frames: 0, bytes: 0, deflatedBytes: 0, deflateSockets: 0, plainSockets: 0 };
  /** Consoles that are up to date: they get the shared broadcast frame. */
  private readonly live = new Set<SocketClient>();

  constructor(
    http: HttpServer,
    private readonly authenticate: Authenticate,
    private readonly serverId: string,
  ) {
    this.io = new Server(http, {
      transports: ['websocket'],
      serveClient: false,
      // Broadcast frames are deflated once for all consoles (ws-frames.ts); ws itself must never
      // compress per socket, so its threshold is out of reach. No context takeover keeps every
      // frame decodable on its own, which is what lets one compressed frame serve every socket.
      perMessageDeflate: {
        threshold: Number.MAX_SAFE_INTEGER,
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
      },
      maxHttpBufferSize: 64 * 1024,
    });
    this.nsp = this.io.of(LIVE_NAMESPACE);
  }

  get broadcaster(): Broadcaster {
    const live = this.live;
    return {
      join: (c) => void live.add(c as SocketClient),
      leave: (c) => void live.delete(c as SocketClient),
      broadcast: (events) => {
        if (live.size === 0) return;
        const frame = sharedFrame(this.nsp.name, 'events', events);
        const w = this.wire;
        w.frames++;
        w.bytes += frame.bytes;
        w.deflatedBytes += frame.deflatedBytes;
        for (const c of live) {
          c.sendShared(frame);
          if (c.deflate) w.deflateSockets++;
          else w.plainSockets++;
        }
      },
    };
  }

  attach(fanOut: FanOut): void {
    this.nsp.use((socket, next) => {
      this.authenticate(socket.request.headers.cookie)
        .then((user) => {
          if (!user) return next(new Error('unauthorized'));
          (socket as LiveSocket).data.user = user;
          next();
        })
        .catch(() => next(new Error('unavailable')));
    });
    this.nsp.on('connection', (raw) => {
      const socket = raw as LiveSocket;
      const auth = LiveAuth.safeParse(socket.handshake.auth ?? {});
      const since = auth.success ? auth.data.since : undefined;
      const client = new SocketClient(socket);
      this.clients.set(socket.id, client);
      socket.emit('hello', { protocol: PROTOCOL_VERSION, headSeq: fanOut.headSeq, serverId: this.serverId });
      socket.on('disconnect', () => {
        this.clients.delete(socket.id);
        fanOut.disconnect(client);
      });
      void fanOut.connect(client, since).catch(() => socket.disconnect(true));
    });
  }

  async close(): Promise<void> {
    // Fastify closes the HTTP server itself; here only the sockets and engine go.
    this.io.of(LIVE_NAMESPACE).disconnectSockets(true);
    this.io.engine.close();
  }
}
