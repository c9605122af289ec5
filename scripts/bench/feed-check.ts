import { Histogram } from './histogram.ts';

/** The parts of a live event the benchmark looks at. */
export type WireEvent = { seq: number; type: string; data?: { externalId?: string; createdAt?: string } };

/**
 * What one frame means to any client: its seq range and the post times of the benchmark's own
 * incidents in it. Every client receives the same frame object (see caching-parser.ts), so this is
 * computed once per frame, not once per client.
 */
export type FrameInfo = {
  first: number;
  last: number;
  contiguous: boolean;
  posted: number[];
  /** Post → commit (the incident's createdAt, set by the worker): the pipeline's share of the latency. */
  pipelineMs: number[];
};

export function frameInfo(events: readonly WireEvent[], tag: string): FrameInfo {
  const posted: number[] = [];
  const pipelineMs: number[] = [];
  let contiguous = true;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (i > 0 && e.seq !== events[i - 1].seq + 1) contiguous = false;
    const x = e.type === 'incident.created' ? e.data?.externalId : undefined;
    if (x && x.startsWith(tag)) {
      const t = postTimeOf(x);
      posted.push(t);
      const created = e.data?.createdAt ? Date.parse(e.data.createdAt) : NaN;
      if (Number.isFinite(created)) pipelineMs.push(created - t);
    }
  }
  return { first: events[0]?.seq ?? 0, last: events.at(-1)?.seq ?? 0, contiguous, posted, pipelineMs };
}

/** Benchmark externalIds end in the post time: "<tag><n>-<epoch ms>". */
export function benchExternalId(tag: string, n: number, postMs: number): string {
  return `${tag}${n}-${postMs.toFixed(3)}`;
}

export function postTimeOf(externalId: string): number {
  return Number(externalId.slice(externalId.lastIndexOf('-') + 1));
}

export type ClientSummary = {
  received: number;
  tagged: number;
  duplicates: number;
  gaps: number;
  missing: number;
  resyncs: number;
  disconnected: boolean;
};

/** One client's view of the feed: every seq once, in order, no gap. */
export class FeedCheck {
  lastSeq = 0;
  received = 0;
  tagged = 0;
  duplicates = 0;
  gaps = 0;
  missing = 0;
  resyncs = 0;
  disconnected = false;

  onFrame(events: readonly WireEvent[], info: FrameInfo, receivedAt: number, latency: Histogram): void {
    if (events.length === 0) return;
    if (info.contiguous && info.first > this.lastSeq) {
      // The common case: one check for the whole frame.
      if (this.lastSeq && info.first !== this.lastSeq + 1) {
        this.gaps++;
        this.missing += info.first - this.lastSeq - 1;
      }
      this.received += events.length;
      this.lastSeq = info.last;
    } else {
      for (const e of events) {
        if (e.seq <= this.lastSeq) {
          this.duplicates++;
          continue;
        }
        if (this.lastSeq && e.seq !== this.lastSeq + 1) {
          this.gaps++;
          this.missing += e.seq - this.lastSeq - 1;
        }
        this.lastSeq = e.seq;
        this.received++;
      }
    }
    this.tagged += info.posted.length;
    for (const t of info.posted) latency.record(receivedAt - t);
  }

  /** A new scenario: same connection, fresh counts. */
  reset(): void {
    this.received = this.tagged = this.duplicates = this.gaps = this.missing = this.resyncs = 0;
  }

  summary(): ClientSummary {
    const { received, tagged, duplicates, gaps, missing, resyncs, disconnected } = this;
    return { received, tagged, duplicates, gaps, missing, resyncs, disconnected };
  }
}
