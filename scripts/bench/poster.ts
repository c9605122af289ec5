import http from 'node:http';
import { INCIDENT_CATEGORIES, type IncidentIntake } from '../../shared/incident.ts';
import { CASE_TEMPLATES, EMERGENCY_TEMPLATES, fill, type Template } from '../sim/catalog.ts';
import { Rng } from '../sim/prng.ts';
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

/** Streets and places of Haidian, for text that varies as real reports do. */
const PLACES = [
  '中关村大街',
  '学院路',
  '海淀南路',
  '苏州街',
  '万泉河路',
  '知春路',
  '北四环西路',
  '西三旗',
  '清河中街',
  '上地十街',
  '永定路',
  '田村路',
  '香山路',
  '颐和园路',
  '花园路',
  '北太平庄',
  '紫竹院路',
  '万寿路',
  '羊坊店',
  '甘家口',
  '八里庄',
  '四季青',
  '温泉镇',
  '苏家坨镇',
];
const TEMPLATES = new Map<string, Template[]>();
for (const t of [...CASE_TEMPLATES, ...EMERGENCY_TEMPLATES])
  TEMPLATES.set(t.category, [...(TEMPLATES.get(t.category) ?? []), t]);

/**
 * Title and description the way the simulator writes them (its catalog of real report types),
 * with a place and house number, so that the feed compresses as a real one would, not as one
 * repeated sentence would.
 */
function benchText(n: number, category: string): { title: string; description: string } {
  const rng = new Rng(n * 2654435761);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];
  const place = `${pick(PLACES)}${1 + Math.floor(rng.next() * 300)}号`;
  const templates = TEMPLATES.get(category);
  if (!templates)
    return { title: `${place}其他事项`, description: `来电人反映${place}附近情况，编号 ${n}。` };
  const t = pick(templates);
  return {
    title: fill(pick(t.titles), place),
    description: `${pick(t.details)}来电时间约${Math.floor(rng.next() * 24)}时${Math.floor(rng.next() * 60)}分，联系人尾号${1000 + Math.floor(rng.next() * 9000)}。`,
  };
}

export function benchIncident(n: number, tag: string, postMs: number): IncidentIntake {
  const category = INCIDENT_CATEGORIES[n % INCIDENT_CATEGORIES.length];
  const cell = Math.floor(n / INCIDENT_CATEGORIES.length);
  return {
    source: 'bench',
    externalId: benchExternalId(tag, n, postMs),
    kind: 'case',
    category,
    ...benchText(n, category),
    location: {
      lng: Math.round((LNG0 + (cell % COLS) * DLNG) * 1e6) / 1e6,
      lat: Math.round((LAT0 + Math.floor(cell / COLS) * DLAT) * 1e6) / 1e6,
    },
    address: `海淀区${PLACES[n % PLACES.length]}`,
    severity: 4,
  };
}

export type PostResult = {
  sent: number;
  accepted: number;
  refused: Record<string, number>;
  intake: Histogram;
  seconds: number;
  /** Slowest intake answer (ms) for the posts sent in each second of the run. */
  slowestBySecond: number[];
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
    const res: PostResult = {
      sent: 0,
      accepted: 0,
      refused: {},
      intake: new Histogram(),
      seconds,
      slowestBySecond: [],
    };
    const began = performance.now();
    res.sent = await paced(ratePerS, seconds, () => this.postOne(tag, res, began));
    res.seconds = (performance.now() - began) / 1000;
    return res;
  }

  private postOne(tag: string, res: PostResult, began: number): Promise<void> {
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
              const ms = nowMs() - t;
              res.intake.record(ms);
              const sec = Math.floor((t - performance.timeOrigin - began) / 1000);
              res.slowestBySecond[sec] = Math.max(res.slowestBySecond[sec] ?? 0, Math.round(ms));
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
