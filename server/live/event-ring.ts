import type { LiveEvent } from '../../shared/protocol.ts';

/** The most recent events in memory, contiguous by seq, so live consoles never touch Redis. */
export class EventRing {
  private buf: LiveEvent[] = [];
  private start = 0;
  /** Seq of the last event held (or the head when the ring was opened). */
  head: number;

  constructor(
    private readonly capacity: number,
    startSeq: number,
  ) {
    this.head = startSeq;
  }

  get size(): number {
    return this.buf.length - this.start;
  }
  /** The lowest seq a cursor may have and still be served from memory. */
  get floor(): number {
    return this.head - this.size;
  }

  push(e: LiveEvent): void {
    if (e.seq <= this.head) return;
    if (e.seq !== this.head + 1) {
      // Cannot happen with one ordered stream; if it does, drop memory and let cursors read Redis.
      this.buf = [];
      this.start = 0;
    }
    this.buf.push(e);
    this.head = e.seq;
    if (this.size > this.capacity) this.start += this.size - this.capacity;
    if (this.start > this.capacity) {
      this.buf = this.buf.slice(this.start);
      this.start = 0;
    }
  }

  /** Events with after < seq <= upTo; null when `after` is below what memory holds. */
  slice(after: number, upTo = this.head): LiveEvent[] | null {
    if (after < this.floor) return null;
    const from = this.start + (after - this.floor);
    const to = this.start + (Math.min(upTo, this.head) - this.floor);
    return to > from ? this.buf.slice(from, to) : [];
  }
}
