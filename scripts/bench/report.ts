import type { ClientSummary } from './feed-check.ts';
import type { Histogram } from './histogram.ts';

export type Latency = ReturnType<Histogram['summary']>;

export type ScenarioResult = {
  system: 'pingzhan' | 'socket.io baseline' | 'bullmq baseline';
  clients: number;
  rate: number;
  seconds: number;
  /** Events the source produced (posted / emitted / added) and took (202 / emitted / completed). */
  sent: number;
  accepted: number;
  refused?: Record<string, number>;
  latency: Latency;
  intake?: Latency;
  /** Post → committed by the worker (ms resolution: createdAt is an ISO time). */
  pipeline?: Latency;
  delivery?: DeliveryCheck;
  memoryMb?: { before: number; peak: number; after: number; what: string };
  /** CPU used during the scenario, % of one core, per process group (2 cores = 200 %). */
  cpuPct?: Record<string, number>;
  /** CPU milliseconds per accepted event over posting and drain, per process group. */
  cpuMsPerEvent?: Record<string, number>;
  note?: string;
};

export type DeliveryCheck = {
  expected: number;
  clientsComplete: number;
  minDelivered: number;
  maxDelivered: number;
  duplicates: number;
  gaps: number;
  missing: number;
  resyncs: number;
  dropped: number;
};

/** Every client must have every expected event, none twice, no seq gap, and still be connected. */
export function checkDelivery(clients: ClientSummary[], expected: number): DeliveryCheck {
  const tagged = clients.map((c) => c.tagged);
  return {
    expected,
    clientsComplete: clients.filter(
      (c) => c.tagged === expected && c.duplicates === 0 && c.gaps === 0 && !c.disconnected,
    ).length,
    minDelivered: tagged.length ? Math.min(...tagged) : 0,
    maxDelivered: tagged.length ? Math.max(...tagged) : 0,
    duplicates: sum(clients.map((c) => c.duplicates)),
    gaps: sum(clients.map((c) => c.gaps)),
    missing: sum(clients.map((c) => c.missing)),
    resyncs: sum(clients.map((c) => c.resyncs)),
    dropped: clients.filter((c) => c.disconnected).length,
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const ms = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : x < 10 ? x.toFixed(1) : String(Math.round(x));

/** A plain-text table, one row per system and scenario. */
export function table(rows: ScenarioResult[]): string {
  const head = [
    'scenario',
    'system',
    'sent',
    'took',
    'p50 ms',
    'p99 ms',
    'max ms',
    'clients ok',
    'delivered/client',
    'dup',
    'gaps',
    'dropped',
    'intake p50/p99',
    'to commit p50/p99',
    'RSS MB before/peak/after',
    'CPU % (of one core)',
  ];
  const body = rows.map((r) => [
    `${r.clients}×${r.rate}/s`,
    r.system + (r.note ? ' (collapsed)' : ''),
    String(r.sent),
    String(r.accepted),
    ms(r.latency.p50),
    ms(r.latency.p99),
    ms(r.latency.max),
    r.delivery ? `${r.delivery.clientsComplete}/${r.clients}` : '–',
    r.delivery ? `${r.delivery.minDelivered}..${r.delivery.maxDelivered} of ${r.delivery.expected}` : '–',
    r.delivery ? String(r.delivery.duplicates) : '–',
    r.delivery ? String(r.delivery.gaps) : '–',
    r.delivery ? String(r.delivery.dropped) : '–',
    r.intake ? `${ms(r.intake.p50)}/${ms(r.intake.p99)}` : '–',
    r.pipeline ? `${ms(r.pipeline.p50)}/${ms(r.pipeline.p99)}` : '–',
    r.memoryMb ? `${r.memoryMb.before}/${r.memoryMb.peak}/${r.memoryMb.after} (${r.memoryMb.what})` : '–',
    r.cpuPct
      ? Object.entries(r.cpuPct)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : '–',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export type Ratio = {
  scenario: string;
  vs: string;
  p50: number | null;
  p99: number | null;
  throughput: number | null;
};

/** Ours ÷ baseline: latency ratios above 1 mean slower than the bare part; throughput is events/s taken. */
export function ratios(rows: ScenarioResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const ours of rows.filter((r) => r.system === 'pingzhan')) {
    for (const base of rows.filter(
      (r) =>
        r.system !== 'pingzhan' && r.rate === ours.rate && (r.clients === ours.clients || r.clients === 0),
    )) {
      const div = (a: number | null, b: number | null) =>
        a === null || b === null || b === 0 ? null : round2(a / b);
      out.push({
        scenario: `${ours.clients}×${ours.rate}/s`,
        vs: base.system,
        p50: div(ours.latency.p50, base.latency.p50),
        p99: div(ours.latency.p99, base.latency.p99),
        throughput: div(ours.accepted / ours.seconds, base.accepted / base.seconds),
      });
    }
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
