import type { KpiReport, KpiRow } from '../../shared/kpi.ts';
import { escapeHtml as e } from '../commands/after-action-html.ts';
import { COLUMNS, ReportFormat, WORDS, type ReportLang, type ReportNames } from './kpi-report-locale.ts';

/**
 * The printable report (`GET /api/v1/reports/:id.html`): one self-contained page, no script, an
 * A4 print stylesheet (landscape: sixteen figures a row), the district, the window, the tables
 * and the weights of the score. Every string on it goes through `escapeHtml`: names and the
 * author are data, whatever they hold.
 */
export function renderKpiReportHtml(r: KpiReport, lang: ReportLang, names: ReportNames): string {
  const w = WORDS[lang];
  const f = new ReportFormat(lang);
  const head = `<tr><th>${e(w.name)}</th>${COLUMNS.map((c) => `<th>${e(w.columns[c])}</th>`).join('')}</tr>`;
  const line = (name: string, row: KpiRow, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}><th scope="row">${e(name)}</th>${COLUMNS.map((c) => `<td>${e(f.cell(row, c))}</td>`).join('')}</tr>`;
  const table = (title: string, rows: KpiRow[], name: (row: KpiRow) => string) => `
<section>
<h2>${e(title)}</h2>
<table>
<thead>${head}</thead>
<tbody>
${rows.length ? rows.map((row) => line(name(row), row)).join('\n') : `<tr><td colspan="${COLUMNS.length + 1}">${e(w.noRows)}</td></tr>`}
${line(w.total, r.total, 'total')}
</tbody>
</table>
</section>`;
  const district = names.district(lang);
  const title = `${district} · ${w.kinds[r.kind]}`;
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<title>${e(title)} · ${e(f.at(r.from))}</title>
<style>
@page{size:A4 landscape;margin:12mm}
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em;color:#111;font-size:10pt}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.4em 0 .4em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;font-size:.85em}th,td{border:1px solid #bbb;padding:.2em .35em}
td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th{text-align:left}
thead th{background:#eef1f5;text-align:center}tr.total th,tr.total td{font-weight:700;background:#f7f7f7}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.6em 0}dt{font-weight:600}
.note{color:#444;font-size:.9em}
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}thead{display:table-header-group}section{break-inside:auto}}
</style>
</head>
<body>
<h1>${e(title)}</h1>
<p class="note">${e(w.title)}</p>
<dl>
<dt>${e(w.district)}</dt><dd>${e(district)}</dd>
<dt>${e(w.window)}</dt><dd>${e(f.at(r.from))} – ${e(f.at(r.to))}</dd>
<dt>${e(w.createdAt)}</dt><dd>${e(f.at(r.createdAt))}</dd>
<dt>${e(w.createdBy)}</dt><dd>${e(r.createdBy)}</dd>
<dt>${e(w.weights)}</dt><dd>${e(w.weightsFormula(r.weights))}</dd>
${r.footage ? `<dt>${e(w.footage)}</dt><dd class="footage">${e(w.footageCount)} ${e(f.number(r.footage.count))} · ${e(w.footageHours)} ${e(f.number(r.footage.hours))}</dd>` : ''}
</dl>
<p class="note">${e(w.definitions)}</p>
${table(w.byStreet, r.byStreet, (row) => names.street(row, lang))}
${table(w.byDepartment, r.byDepartment, (row) => names.department(row, lang))}
${table(w.byCategory, r.byCategory, (row) => names.category(row, lang))}
<p class="note">${e(r.id)}</p>
</body>
</html>
`;
}
