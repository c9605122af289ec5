import { describe, expect, it } from 'vitest';
import type { KpiReport, KpiRow } from '../../shared/kpi.ts';
import { departments } from '../data/departments.ts';
import { BOM, csvText, renderKpiReportCsv } from './kpi-report-csv.ts';
import { renderKpiReportHtml } from './kpi-report-html.ts';
import { COLUMNS, ReportNames } from './kpi-report-locale.ts';

/** A test-side RFC 4180 parser: quoted fields, doubled quotes, CRLF; what Excel would read. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const HOSTILE = `<script>alert("x")</script>&'"=cmd|' /C calc'!A0,`;

const row = (key: string, name: string, n = 100): KpiRow => ({
  key,
  name,
  accepted: n,
  voided: 2,
  dispatched: n - 5,
  handled: n - 8,
  handledOnTime: n - 10,
  reworks: 3,
  extended: 4,
  deferred: 1,
  closed: n - 9,
  closedOnTime: n - 12,
  overdueOpen: 1,
  timelinessRate: (n - 10) / (n - 8),
  closureRate: (n - 9) / (n - 2),
  onTimeClosureRate: (n - 12) / (n - 9),
  reworkRate: 3 / (n - 8),
  score: 95.4321,
});

/** A category with no case at all: every rate without a denominator. */
const zero = (key: string): KpiRow => ({
  ...row(key, key),
  ...Object.fromEntries(COLUMNS.map((c) => [c, 0])),
  timelinessRate: null,
  closureRate: null,
  onTimeClosureRate: null,
  reworkRate: null,
  score: null,
});

const report: KpiReport = {
  id: 'KPR-daily-2026-11-30',
  kind: 'daily',
  from: '2026-11-29T16:00:00.000Z',
  to: '2026-11-30T16:00:00.000Z',
  createdAt: '2026-12-01T00:00:03.000Z',
  createdBy: HOSTILE,
  weights: { timeliness: 60, closure: 30, rework: 10 },
  total: row('total', '合计', 38490),
  byStreet: [row('110108011', '中关村街道'), row('S-x', HOSTILE)],
  byDepartment: [row('dept-swj', '海淀区水务局'), row('dept-street-110108011', '中关村街道办事处')],
  byCategory: [row('environment', 'environment'), zero('other')],
};
const street = {
  type: 'Feature' as const,
  properties: { id: '110108011', level: 'street' as const, parentId: '110108', name: '中关村街道' },
  geometry: { type: 'Polygon' as const, coordinates: [] },
};
const names = new ReportNames(departments({ type: 'FeatureCollection', features: [street] }), '海淀区');

describe('the report as CSV', () => {
  it('starts with a BOM and parses back to the figures, in both languages', () => {
    for (const lang of ['zh', 'en'] as const) {
      const csv = renderKpiReportCsv(report, lang, names);
      expect(csv.startsWith(BOM)).toBe(true);
      const rows = parseCsv(csv.slice(1));
      const h = rows.findIndex((r) => r.length === COLUMNS.length + 3);
      const header = rows[h];
      expect(header[3]).toBe(lang === 'zh' ? '受理' : 'Accepted');
      const body = rows.slice(h + 1);
      expect(body).toHaveLength(1 + 2 + 2 + 2);
      const total = body[0];
      expect(total[2]).toBe(lang === 'zh' ? '海淀区' : 'Haidian District');
      expect(Number(total[3])).toBe(38490); // no grouping separator: a number for Excel
      expect(Number(total[3 + COLUMNS.indexOf('timelinessRate')])).toBeCloseTo(
        (report.total.timelinessRate ?? 0) * 100,
        2,
      );
      const hostile = body.find((r) => r[1] === 'S-x')!;
      // The field comes back whole (commas and quotes survive), defused as a formula.
      expect(hostile[2]).toBe(HOSTILE);
      const none = body.find((r) => r[1] === 'other')!;
      expect(none[3 + COLUMNS.indexOf('timelinessRate')]).toBe('');
      const zgc = body.find((r) => r[1] === '110108011')!;
      expect(zgc[2]).toBe(lang === 'zh' ? '中关村街道' : 'Zhongguancun Subdistrict');
      // Times in Asia/Shanghai with the offset, never raw UTC.
      expect(csv).not.toContain('2026-11-29T16:00');
      expect(csv).toContain('GMT+8');
      expect(csv).toContain(lang === 'zh' ? '2026年11月30日 00:00' : '30 Nov 2026, 00:00');
    }
  });

  it('defuses what a spreadsheet would run as a formula', () => {
    expect(csvText('=1+1')).toBe("'=1+1");
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvText('a,"b"')).toBe('"a,""b"""');
    expect(csvText('普通')).toBe('普通');
  });
});

describe('the report as a printable page', () => {
  it('escapes every string it shows', () => {
    for (const lang of ['zh', 'en'] as const) {
      const html = renderKpiReportHtml(report, lang, names);
      expect(html).not.toContain('<script>');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    }
  });

  it('renders in Chinese and English: A4, the district, the window, the tables, the weights', () => {
    const zh = renderKpiReportHtml(report, 'zh', names);
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('@page{size:A4');
    expect(zh).toContain('海淀区 · 日报');
    expect(zh).toContain('2026年11月30日 00:00 GMT+8 – 2026年12月1日 00:00 GMT+8');
    expect(zh).toContain('按街道（地区）');
    expect(zh).toContain('海淀区水务局');
    expect(zh).toContain('综合指标值 = 60 × 及时率 + 30 × 结案率 + 10 × (1 − 返工率)');
    expect(zh).toContain('38,490');
    expect(zh).toContain('<td>97.83%</td>'); // a street's 90 of 92 handled on time
    const en = renderKpiReportHtml(report, 'en', names);
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Haidian District · Daily report');
    expect(en).toContain('30 Nov 2026, 00:00 GMT+8 – 1 Dec 2026, 00:00 GMT+8');
    expect(en).toContain('Haidian Water Authority');
    expect(en).toContain('Zhongguancun Subdistrict Office');
    expect(en).toContain('Environment');
    expect(en).toContain('score = 60 × timeliness');
    expect(en).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/); // never raw UTC
  });
});

describe("the report's footage figures (调取录像)", () => {
  const withFootage: KpiReport = { ...report, footage: { count: 3222, hours: 3218.53 } };

  it('are two CSV lines whose figure is a number cell of its own, in both languages', () => {
    const zh = parseCsv(renderKpiReportCsv(withFootage, 'zh', names).slice(1));
    expect(zh).toContainEqual(['调取录像: 调取次数', '3222']);
    expect(zh).toContainEqual(['调取录像: 录像时长（小时）', '3218.53']);
    const en = parseCsv(renderKpiReportCsv(withFootage, 'en', names).slice(1));
    expect(en).toContainEqual(['Footage retrieved for the police: Retrievals', '3222']);
    expect(en).toContainEqual(['Footage retrieved for the police: Hours of video', '3218.53']);
  });

  it('are on the printable page, grouped for the locale', () => {
    expect(renderKpiReportHtml(withFootage, 'zh', names)).toContain(
      '调取次数 3,222 · 录像时长（小时） 3,218.53',
    );
    expect(renderKpiReportHtml(withFootage, 'en', names)).toContain(
      'Retrievals 3,222 · Hours of video 3,218.53',
    );
  });

  it('are left out of a report made before they were counted', () => {
    expect(renderKpiReportCsv(report, 'en', names)).not.toContain('Footage');
    expect(renderKpiReportHtml(report, 'en', names)).not.toContain('Footage');
  });
});
