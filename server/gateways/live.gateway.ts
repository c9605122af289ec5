import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { User } from '../../shared/identity.ts';
import {
  type FeedScope,
  LIVE_NAMESPACE,
  LiveAuth,
  PROTOCOL_VERSION,
  type LiveClientEvents,
  type LiveEvent,
  type LiveServerEvents,
} from '../../shared/protocol.ts';
import { feedScopeOf, scopeOf } from '../identity/scope.ts';
import type { Revocation } from '../infra/revocations.ts';
import { scopeKey, type ScopeTracker } from '../live/scoped-feed.ts';
import type { Broadcaster, FanOut, FeedClient } from '../services/fan-out.ts';
import { originChecker, type OriginPolicy } from './origin.ts';
import { SessionIndex } from './session-index.ts';
import { sharedFrame, type SharedFrame } from './ws-frames.ts';
import {
  allowPreEncodedFrames,
  deflateParams,
  internalsProblems,
  queuedBytes,
  takesSharedDeflate,
  terminate,
  type EngineConn,
} from './ws-internals.ts';

/** The session a socket was opened with (AuthService.liveSession). */
export type LiveSession = { user: User; sessionKey: string; expiresAt: number };
export type Authenticate = (cookieHeader: string | undefined) => Promise<LiveSession | null>;

type SocketData = { session: LiveSession; since: number | undefined; revocationMark: number };
type LiveSocket = Socket<LiveClientEvents, LiveServerEvents, Record<string, never>, SocketData>;

/** Which of the shared broadcast frames a socket can take. */
type FrameKind = 'deflated' | 'plain' | 'packet';

class SocketClient implements FeedClient {
  /** Whether this console negotiated permessage-deflate (every browser does). */
  readonly deflate: boolean;
  readonly frameKind: FrameKind;
  /** A scoped console's scope and the key of its group (consoles of one scope share a frame). */
  readonly scope: FeedScope | undefined;
  readonly scopeKey: string | null;

  constructor(
    private readonly s: LiveSocket,
    private readonly tracker: ScopeTracker,
  ) {
    this.scope = feedScopeOf(scopeOf(s.data.session.user));
    this.scopeKey = this.scope ? scopeKey(this.scope) : null;
    const params = deflateParams(s.conn);
    this.deflate = params !== null;
    if (!allowPreEncodedFrames(s.conn)) this.frameKind = 'packet';
    // A socket that asked for a smaller window (RFC 7692 §7.1.2.1) cannot inflate the shared
    // 15-bit frame; an uncompressed frame is valid on any permessage-deflate socket.
    else this.frameKind = takesSharedDeflate(params) ? 'deflated' : 'plain';
  }
  get id() {
    return this.s.id;
  }
  get scoped() {
    return this.scope !== undefined;
  }
  send(events: LiveEvent[]) {
    const out = this.scope ? this.tracker.filter(this.scope, events) : events;
    // A scoped console's seq has gaps anyway: a slice with none of its events is not sent.
    if (out.length) this.s.emit('events', out);
  }
  /** The broadcast frame, as encoded once for all (engine.io keeps it in order with the rest). */
  sendShared(frame: SharedFrame) {
    const conn = this.s.conn as unknown as EngineConn;
    if (this.frameKind === 'packet') conn.write(frame.packet, {});
    else
      conn.write(frame.packet, {
        wsPreEncodedFrame: this.frameKind === 'deflated' ? frame.deflated : frame.plain,
      });
  }
  resync(info: { reason: 'retention' | 'slow_consumer'; headSeq: number }) {
    this.s.emit('resync', info);
  }
  buffered() {
    return queuedBytes(this.s.conn);
  }
  drop() {
    // The resync just emitted is likely stuck behind the queue; the console learns it must
    // resync when it reconnects from its stale `since` (fan-out catches it up or says resync).
    this.s.disconnect(true);
    terminate(this.s.conn);
  }
}

/** Revocations kept to check sockets whose session was looked up while one arrived. */
const RECENT_REVOCATIONS = 256;
/** setTimeout's longest delay; a later expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type LiveGatewayOptions = {
  serverId: string;
  origins: OriginPolicy;
  /** Told once if engine.io/ws internals are not as ws-internals.ts expects (after an upgrade). */
  onInternalsProblem?: (problems: string[]) => void;
};

/**
 * Socket.IO `/live`: checks the Origin, authenticates by session cookie, validates `since`, hands
 * each socket to the fan-out, and cuts sockets whose session ends (revocation or expiry).
 */
export class LiveGateway {
  readonly io: Server;
  private readonly nsp: Namespace<LiveClientEvents, LiveServerEvents>;
  private readonly sockets = new SessionIndex<LiveSocket>();
  private readonly expiryTimers = new Map<LiveSocket, NodeJS.Timeout>();
  private revocationCount = 0;
  private internalsChecked = false;
  private readonly recent: { n: number; r: Revocation }[] = [];
  /** Broadcast frames and their size before and after deflate (for /api/v1/status). */
  readonly wire = {
    frames: 0,
    bytes: 0,
    deflatedBytes: 0,
    deflateSockets: 0,
    plainSockets: 0,
    /** The largest broadcast frame so far (plain bytes): what one write can add to a queue. */
    maxFrameBytes: 0,
  };
  /** Sockets cut because their session ended, by reason. */
  readonly ended: Record<string, number> = {};
  /** Consoles that are up to date: they get the shared broadcast frame. */
  private readonly live = new Set<SocketClient>();
  /** Scoped consoles that are up to date, by scope: each scope's filtered frame, shared by its consoles. */
  private readonly scopedLive = new Map<string, Set<SocketClient>>();
  /** Told of each broadcast frame as it is written (metrics: feed lag, frame size). */
  onFrame: ((events: LiveEvent[], bytes: number) => void) | null = null;

  constructor(
    http: HttpServer,
    private readonly authenticate: Authenticate,
    private readonly opts: LiveGatewayOptions,
    /** Where each incident stood before each event: what scoped consoles are filtered by. */
    private readonly tracker: ScopeTracker,
  ) {
    const checkOrigin = originChecker(opts.origins);
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
      allowRequest: (req, cb) => {
        const refused = checkOrigin(req);
        cb(refused, refused === null);
      },
    });
    this.nsp = this.io.of(LIVE_NAMESPACE);
  }

  get serverId(): string {
    return this.opts.serverId;
  }
  /** Revocations received so far (any process's). */
  get revocationsSeen(): number {
    return this.revocationCount;
  }
  /** Sockets indexed by session (connected, authenticated). */
  get sessionSockets(): number {
    return this.sockets.size;
  }

  /** Authenticated sockets of this process by their user's role (metrics). */
  consolesByRole(): Record<string, number> {
    const byRole: Record<string, number> = {};
    for (const s of this.nsp.sockets.values()) {
      const role = (s as LiveSocket).data.session?.user.role;
      if (role) byRole[role] = (byRole[role] ?? 0) + 1;
    }
    return byRole;
  }

  get broadcaster(): Broadcaster {
    const live = this.live;
    const scoped = this.scopedLive;
    return {
      join: (raw) => {
        const c = raw as SocketClient;
        if (c.scopeKey === null) return void live.add(c);
        let group = scoped.get(c.scopeKey);
        if (!group) scoped.set(c.scopeKey, (group = new Set()));
        group.add(c);
      },
      leave: (raw) => {
        const c = raw as SocketClient;
        if (c.scopeKey === null) return void live.delete(c);
        const group = scoped.get(c.scopeKey);
        if (group?.delete(c) && group.size === 0) scoped.delete(c.scopeKey);
      },
      broadcast: (events) => {
        // Scoped consoles after the others, so the common path is not slowed by them.
        if (live.size > 0) this.broadcastAll(events);
        if (scoped.size > 0) this.broadcastScoped(events);
      },
    };
  }

  /** Each scope's events of the frame, encoded once per scope; a scope with none gets nothing. */
  private broadcastScoped(events: LiveEvent[]): void {
    for (const group of this.scopedLive.values()) {
      const first = group.values().next().value!;
      const mine = this.tracker.filter(first.scope!, events);
      if (mine.length === 0) continue;
      const frame = sharedFrame(this.nsp.name, 'events', mine);
      for (const c of group) c.sendShared(frame);
    }
  }

  private broadcastAll(events: LiveEvent[]): void {
    const live = this.live;
    const frame = sharedFrame(this.nsp.name, 'events', events);
    const w = this.wire;
    w.frames++;
    w.bytes += frame.bytes;
    w.deflatedBytes += frame.deflatedBytes;
    w.maxFrameBytes = Math.max(w.maxFrameBytes, frame.plain[0].length + frame.bytes);
    for (const c of live) {
      c.sendShared(frame);
      if (c.frameKind === 'deflated') w.deflateSockets++;
      else w.plainSockets++;
    }
    this.onFrame?.(events, frame.bytes);
  }

  /** A session ended somewhere (this process or another): cut its sockets. */
  revoke(r: Revocation): void {
    const n = ++this.revocationCount;
    this.recent.push({ n, r });
    if (this.recent.length > RECENT_REVOCATIONS) this.recent.shift();
    for (const s of this.sockets.matching(r)) this.end(s, r.reason);
  }

  attach(fanOut: FanOut): void {
    this.nsp.use((raw, next) => {
      const socket = raw as LiveSocket;
      const auth = LiveAuth.safeParse(socket.handshake.auth ?? {});
      if (!auth.success) {
        const issue = auth.error.issues[0];
        const err = new Error(`invalid since: ${issue?.message ?? 'not a valid seq'}`) as Error & {
          data?: unknown;
        };
        err.data = { error: 'invalid_since', message: err.message };
        return next(err);
      }
      // Noted before the lookup: a revocation that lands while it runs is checked on connection.
      const revocationMark = this.revocationCount;
      this.authenticate(socket.request.headers.cookie)
        .then((session) => {
          if (!session) return next(new Error('unauthorized'));
          socket.data = { session, since: auth.data.since, revocationMark };
          next();
        })
        .catch(() => next(new Error('unavailable')));
    });
    this.nsp.on('connection', (raw) => {
      const socket = raw as LiveSocket;
      const { session, since } = socket.data;
      if (!this.internalsChecked) {
        this.internalsChecked = true;
        const problems = internalsProblems(socket.conn);
        if (problems.length) this.opts.onInternalsProblem?.(problems);
      }
      const client = new SocketClient(socket, this.tracker);
      socket.on('disconnect', () => {
        this.sockets.remove(socket);
        const t = this.expiryTimers.get(socket);
        if (t) clearTimeout(t);
        this.expiryTimers.delete(socket);
        fanOut.disconnect(client);
      });
      this.sockets.add(socket, session.sessionKey, session.user.id);
      if (this.revokedMeanwhile(socket)) return;
      if (!this.armExpiry(socket)) return;
      socket.emit('hello', {
        protocol: PROTOCOL_VERSION,
        headSeq: fanOut.headSeq,
        serverId: this.opts.serverId,
        ...(client.scope && { scope: client.scope }),
      });
      void fanOut.connect(client, since).then(
        // Gone while the log was asked where `since` stands: do not leave it in the fan-out.
        () => void (socket.connected || fanOut.disconnect(client)),
        () => socket.disconnect(true),
      );
    });
  }

  private revokedMeanwhile(socket: LiveSocket): boolean {
    const { session, revocationMark } = socket.data;
    if (this.recent.length && this.recent[0].n > revocationMark + 1) {
      // More revocations than we keep passed during the lookup: cannot tell, so cut to be safe;
      // the console checks its session and reconnects if it still has one.
      this.end(socket, 'revalidate');
      return true;
    }
    for (const { n, r } of this.recent) {
      if (n <= revocationMark) continue;
      if (r.sessionKeys?.includes(session.sessionKey) || r.userIds?.includes(session.user.id)) {
        this.end(socket, r.reason);
        return true;
      }
    }
    return false;
  }

  /** One timer per socket at its session's expiry (no polling); false if already expired. */
  private armExpiry(socket: LiveSocket): boolean {
    const left = socket.data.session.expiresAt - Date.now();
    if (left <= 0) {
      this.end(socket, 'expired');
      return false;
    }
    const t = setTimeout(
      () => {
        if (left > MAX_TIMER_MS) this.armExpiry(socket);
        else this.end(socket, 'expired');
      },
      Math.min(left, MAX_TIMER_MS),
    );
    t.unref();
    this.expiryTimers.set(socket, t);
    return true;
  }

  /** Tell the console why (so it goes to the login page instead of reconnecting), then cut. */
  private end(socket: LiveSocket, reason: string): void {
    if (!socket.connected) return;
    this.ended[reason] = (this.ended[reason] ?? 0) + 1;
    socket.emit('session_ended', { reason });
    socket.disconnect(true);
  }

  async close(): Promise<void> {
    for (const t of this.expiryTimers.values()) clearTimeout(t);
    this.expiryTimers.clear();
    // Fastify closes the HTTP server itself; here only the sockets and engine go.
    this.io.of(LIVE_NAMESPACE).disconnectSockets(true);
    this.io.engine.close();
  }
}
