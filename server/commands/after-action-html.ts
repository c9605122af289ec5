import type { AfterActionRecord } from '../../shared/after-action.ts';

/** Every string that reaches the page goes through here: reports and notes are user text. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const LEVELS = ['', 'Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ'];
const OUTCOME_ZH = { on_time: '按时完成', late: '超时完成', not_done: '未完成' } as const;
const time = (iso: string) => escapeHtml(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

/** The printable after-action record: one self-contained page, no scripts, print-friendly. */
export function renderAfterActionHtml(r: AfterActionRecord): string {
  const e = escapeHtml;
  const taskRows = r.tasks.items
    .map(
      (t) =>
        `<tr><td>${e(t.title)}<br><small>${e(t.titleEn)}</small></td><td>${e(t.unit)}</td><td>${time(t.dueAt)}</td>` +
        `<td>${t.doneAt ? time(t.doneAt) : '—'}</td><td class="${e(t.outcome)}">${e(OUTCOME_ZH[t.outcome])}</td></tr>`,
    )
    .join('\n');
  const resourceRows = r.resources.items
    .map(
      (u) =>
        `<tr><td>${e(u.name)}</td><td>${e(u.type)}</td><td>${time(u.dispatchedAt)}</td><td>${time(u.releasedAt)}</td>` +
        `<td>${e(u.releasedAs)}</td><td>${e(u.durationMin)}</td></tr>`,
    )
    .join('\n');
  const timelineRows = r.timeline
    .map(
      (t) =>
        `<tr><td>${e(t.seq)}</td><td>${time(t.at)}</td><td>${e(t.actorName ?? t.actor ?? '')}</td><td>${e(t.type)}</td><td>${e(t.summary)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>行动总结 · ${e(r.name)}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #bbb;padding:.25em .4em;text-align:left;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:600}
.late{color:#b35c00}.not_done{color:#b00}small{color:#555}
@media print{body{margin:0}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
</style>
</head>
<body>
<h1>行动总结（After-action record）· ${e(r.name)}</h1>
<dl>
<dt>预案</dt><dd>${e(r.planName)} / ${e(r.planNameEn)}（${e(LEVELS[r.level] ?? r.level)} 级响应）</dd>
<dt>事件</dt><dd>${e(r.incident.title)} · ${e(r.incident.locationLabel)}</dd>
<dt>启动</dt><dd>${time(r.activatedAt)} · ${e(r.activatedByName ?? r.activatedBy)}</dd>
<dt>结束</dt><dd>${time(r.stoodDownAt)} · ${e(r.stoodDownByName ?? r.stoodDownBy)}</dd>
<dt>持续</dt><dd>${e(r.durationMin)} 分钟</dd>
<dt>任务</dt><dd>共 ${e(r.tasks.total)} 项：按时 ${e(r.tasks.onTime)}，超时 ${e(r.tasks.late)}，未完成 ${e(r.tasks.notDone)}</dd>
<dt>资源</dt><dd>${e(r.resources.count)} 个，合计 ${e(r.resources.totalMin)} 分钟</dd>
<dt>现场报告</dt><dd>${e(r.reportCount)} 条</dd>
${r.summary ? `<dt>总结</dt><dd>${e(r.summary)}</dd>` : ''}
</dl>
<h2>任务</h2>
<table><thead><tr><th>任务</th><th>责任单位</th><th>时限</th><th>完成</th><th>结果</th></tr></thead>
<tbody>
${taskRows}
</tbody></table>
<h2>资源</h2>
<table><thead><tr><th>资源</th><th>类型</th><th>调派</th><th>释放</th><th>释放方式</th><th>分钟</th></tr></thead>
<tbody>
${resourceRows}
</tbody></table>
<h2>时间线（${e(r.timeline.length)} 条事件）</h2>
<table><thead><tr><th>seq</th><th>时间</th><th>操作人</th><th>类型</th><th>内容</th></tr></thead>
<tbody>
${timelineRows}
</tbody></table>
<p><small>生成于 ${time(r.generatedAt)}</small></p>
</body>
</html>
`;
}
