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

const LIVE_ROOM = 'live';

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

class SocketClient implements FeedClient {
  constructor(private readonly s: LiveSocket) {}
  get id() {
    return this.s.id;
  }
  send(events: LiveEvent[]) {
    this.s.emit('events', events);
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
  get socket() {
    return this.s;
  }
}

export type Authenticate = (cookieHeader: string | undefined) => Promise<User | null>;

/** Socket.IO `/live`: authenticates by session cookie and hands each socket to the fan-out. */
export class LiveGateway {
  readonly io: Server;
  private readonly nsp: Namespace<LiveClientEvents, LiveServerEvents>;
  private readonly clients = new Map<string, SocketClient>();

  constructor(
    http: HttpServer,
    private readonly authenticate: Authenticate,
    private readonly serverId: string,
  ) {
    this.io = new Server(http, {
      transports: ['websocket'],
      serveClient: false,
      // Per-message deflate costs CPU on every frame for every client; frames are small.
      perMessageDeflate: false,
      maxHttpBufferSize: 64 * 1024,
    });
    this.nsp = this.io.of(LIVE_NAMESPACE);
  }

  get broadcaster(): Broadcaster {
    return {
      join: (c) => void (c as SocketClient).socket.join(LIVE_ROOM),
      leave: (c) => void (c as SocketClient).socket.leave(LIVE_ROOM),
      broadcast: (events) => void this.nsp.to(LIVE_ROOM).emit('events', events),
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
