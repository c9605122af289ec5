import type { Redis } from 'ioredis';

/**
 * Sessions that just ended (logout, expiry noticed, user removed, role changed), announced to
 * every server process so each can cut the live sockets that belong to them. `sessionKeys` are the
 * opaque ids sessions are stored under (never the cookie's token); `userIds` cut every session of
 * a user.
 */
export type Revocation = { sessionKeys?: string[]; userIds?: string[]; reason: string };

export type RevocationListener = (r: Revocation) => void;

/** Redis pub/sub: a publish reaches every process subscribed at that moment, this one included. */
export class RevocationBus {
  private readonly listeners = new Set<RevocationListener>();
  private subscribed: Promise<unknown> | null = null;

  constructor(
    private readonly pub: Redis,
    /** A connection of its own: a subscribed connection can run no other command. */
    private readonly makeSubscriber: () => Redis,
    private readonly channel: string,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  private sub: Redis | null = null;

  async publish(r: Revocation): Promise<void> {
    if (!r.sessionKeys?.length && !r.userIds?.length) return;
    await this.pub.publish(this.channel, JSON.stringify(r));
  }

  /** Resolves once the subscription is active, so a publish after it is never missed. */
  async subscribe(listener: RevocationListener): Promise<() => void> {
    this.listeners.add(listener);
    if (!this.sub) {
      const sub = (this.sub = this.makeSubscriber());
      sub.on('message', (_ch: string, msg: string) => {
        let r: Revocation;
        try {
          r = JSON.parse(msg) as Revocation;
        } catch (err) {
          this.onError(err);
          return;
        }
        for (const l of this.listeners) l(r);
      });
      this.subscribed = sub.subscribe(this.channel);
    }
    await this.subscribed;
    return () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const sub = this.sub;
    this.sub = null;
    if (sub) sub.disconnect();
  }
}
