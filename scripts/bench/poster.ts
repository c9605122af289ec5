import http from 'node:http';
import { INCIDENT_CATEGORIES, type IncidentIntake } from '../../shared/incident.ts';
import { benchExternalId } from './feed-check.ts';
import { Histogram, nowMs } from './histogram.ts';
import { paced } from './pacer.ts';

/**
 * Benchmark incidents sit on a lattice ~430 m apart (more than the server's 300 m merge radius),
 * cycling through the categories, so none merges into another and each yields exactly one
 * `incident.created`. Rows run north from the south-west of Haidian; far rows fall outside the
 * district, which the server accepts and marks, as it would a real report from across the border.
 */
const COLS = 70;
const LNG0 = 116.05;
const LAT0 = 39.88;
const DLNG = 0.005;
const DLAT = 0.004;

export function benchIncident(n: number, tag: string, postMs: number): IncidentIntake {
  const category = INCIDENT_CATEGORIES[n % INCIDENT_CATEGORIES.length];
  const cell = Math.floor(n / INCIDENT_CATEGORIES.length);
  return {
    source: 'bench',
    externalId: benchExternalId(tag, n, postMs),
    kind: 'case',
    category,
    title: `压测事件 ${n}`,
    description: '基准测试生成的事件，用于测量受理到控制台的时延。',
    location: {
      lng: Math.round((LNG0 + (cell % COLS) * DLNG) * 1e6) / 1e6,
      lat: Math.round((LAT0 + Math.floor(cell / COLS) * DLAT) * 1e6) / 1e6,
    },
    address: '海淀区压测地址',
    severity: 4,
  };
}

export type PostResult = {
  sent: number;
  accepted: number;
  refused: Record<string, number>;
  intake: Histogram;
  seconds: number;
};

/**
 * Posts incidents at a steady rate over keep-alive connections, many requests in flight, each
 * stamped with the moment it is sent. 429/503 are counted, not retried: the figure is what the
 * server took.
 */
export class Poster {
  private n = 0;
  private readonly agent: http.Agent;

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly connections = 256,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  }

  async run(tag: string, ratePerS: number, seconds: number): Promise<PostResult> {
    const res: PostResult = { sent: 0, accepted: 0, refused: {}, intake: new Histogram(), seconds };
    const began = performance.now();
    res.sent = await paced(ratePerS, seconds, () => this.postOne(tag, res));
    res.seconds = (performance.now() - began) / 1000;
    return res;
  }

  private postOne(tag: string, res: PostResult): Promise<void> {
    const t = nowMs();
    const body = JSON.stringify(benchIncident(this.n++, tag, t));
    return new Promise<void>((resolve) => {
      const req = http.request(
        `${this.url}/api/v1/incidents`,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${this.key}`,
          },
          timeout: 30_000,
        },
        (r) => {
          r.resume();
          r.on('end', () => {
            if (r.statusCode === 202) {
              res.accepted++;
              res.intake.record(nowMs() - t);
            } else res.refused[String(r.statusCode)] = (res.refused[String(r.statusCode)] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        res.refused[e.message] = (res.refused[e.message] ?? 0) + 1;
        resolve();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
