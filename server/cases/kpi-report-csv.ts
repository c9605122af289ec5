import type { KpiReport, KpiRow } from '../../shared/kpi.ts';
import {
  COLUMNS,
  RATE_COLUMNS,
  ReportFormat,
  WORDS,
  type ReportLang,
  type ReportNames,
} from './kpi-report-locale.ts';

/** Excel reads a UTF-8 file as the machine's code page unless it starts with a byte order mark. */
export const BOM = '\uFEFF';

/**
 * A text field as CSV (RFC 4180): quoted when it holds a comma, a quote or a line break. A field
 * a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, a tab or CR first) gets a leading
 * apostrophe: names are data, never something Excel runs.
 */
export function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The report as one CSV (`GET /api/v1/reports/:id.csv`): a few lines naming the district, the
 * window and the weights, an empty line, then one table: group, code, name and the figures, the
 * rates in percent with two decimals. Numbers carry no grouping separator, so a spreadsheet
 * reads them as numbers; times are Asia/Shanghai with the offset.
 */
export function renderKpiReportCsv(r: KpiReport, lang: ReportLang, names: ReportNames): string {
  const w = WORDS[lang];
  const f = new ReportFormat(lang);
  const num = new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    useGrouping: false,
    maximumFractionDigits: 2,
  });
  const cell = (row: KpiRow, c: (typeof COLUMNS)[number]) => {
    const v = row[c];
    if (v === null) return '';
    return num.format(RATE_COLUMNS.has(c) ? v * 100 : v);
  };
  const lines: string[][] = [
    [w.district, names.district(lang)],
    [w.title, w.kinds[r.kind]],
    [w.window, f.at(r.from), f.at(r.to)],
    [w.createdAt, f.at(r.createdAt)],
    [w.createdBy, r.createdBy],
    [w.weights, w.weightsFormula(r.weights)],
    // The footage figures as numbers of their own cells, so a spreadsheet reads them as numbers.
    ...(r.footage
      ? [
          [`${w.footage}: ${w.footageCount}`, num.format(r.footage.count)],
          [`${w.footage}: ${w.footageHours}`, num.format(r.footage.hours)],
        ]
      : []),
    [],
  ];
  const header = [
    w.section,
    w.key,
    w.name,
    ...COLUMNS.map((c) => (RATE_COLUMNS.has(c) ? `${w.columns[c]} (%)` : w.columns[c])),
  ];
  const out = [...lines.map((l) => l.map(csvText).join(',')), header.map(csvText).join(',')];
  const row = (section: string, key: string, name: string, r0: KpiRow) =>
    [csvText(section), csvText(key), csvText(name), ...COLUMNS.map((c) => cell(r0, c))].join(',');
  out.push(row(w.total, '', names.district(lang), r.total));
  for (const x of r.byStreet) out.push(row(w.byStreet, x.key, names.street(x, lang), x));
  for (const x of r.byDepartment) out.push(row(w.byDepartment, x.key, names.department(x, lang), x));
  for (const x of r.byCategory) out.push(row(w.byCategory, x.key, names.category(x, lang), x));
  return BOM + out.join('\r\n') + '\r\n';
}
