import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';
import { pickLocale, translate } from './core.ts';
import {
  INCIDENT_CATEGORIES,
  RESOURCE_STATUSES,
  RESOURCE_TYPES,
  VIDEO_ALERT_TYPES,
  EVENT_TYPES,
  IncidentStatus,
  TaskOutcome,
  TaskStatus,
  Operation,
} from '../../../../shared/index.ts';
import { TASK_COLUMNS } from '../war.ts';
import { CASE_STEPS, LimitUnit } from '../../../../shared/case-rules.ts';
import { CaseAction, CaseLevel } from '../../../../shared/case.ts';
import { KpiReportKind } from '../../../../shared/kpi.ts';

describe('i18n', () => {
  it('has the same keys in both catalogues, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [k, v] of Object.entries(en)) expect(v, k).not.toBe('');
  });

  it('names every enum value of the shared schemas', () => {
    const keys = new Set(Object.keys(zhCN));
    for (const c of INCIDENT_CATEGORIES) expect(keys.has(`category.${c}`), c).toBe(true);
    for (const c of VIDEO_ALERT_TYPES) expect(keys.has(`alertType.${c}`), c).toBe(true);
    for (const c of RESOURCE_TYPES) expect(keys.has(`resourceType.${c}`), c).toBe(true);
    for (const c of RESOURCE_STATUSES) expect(keys.has(`resourceStatus.${c}`), c).toBe(true);
    for (const c of EVENT_TYPES) expect(keys.has(`event.${c}`), c).toBe(true);
    for (const c of IncidentStatus.options) expect(keys.has(`status.${c}`), c).toBe(true);
    for (const c of TaskStatus.options) expect(keys.has(`taskStatus.${c}`), c).toBe(true);
    for (const c of TASK_COLUMNS) expect(keys.has(`taskStatus.${c}`), c).toBe(true);
    for (const c of TaskStatus.options) expect(keys.has(`taskAction.${c}`), c).toBe(true);
    for (const c of TaskOutcome.options) expect(keys.has(`outcome.${c}`), c).toBe(true);
    for (const c of Operation.shape.status.options) expect(keys.has(`opStatus.${c}`), c).toBe(true);
    for (const c of CASE_STEPS) expect(keys.has(`caseStep.${c}`), c).toBe(true);
    for (const o of CaseAction.options) expect(keys.has(`caseAction.${o.shape.action.value}`)).toBe(true);
    for (const c of CaseLevel.options) expect(keys.has(`caseLevel.${c}`), c).toBe(true);
    for (const c of LimitUnit.options) expect(keys.has(`unit.${c}`), c).toBe(true);
    for (const c of KpiReportKind.options) expect(keys.has(`reportKind.${c}`), c).toBe(true);
  });

  it('uses the same parameters in both languages', () => {
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(zhCN) as (keyof typeof zhCN)[])
      expect(params(en[k]), k).toEqual(params(zhCN[k]));
  });

  it('picks zh-CN for Chinese browsers and English for English ones', () => {
    expect(pickLocale(['zh-TW', 'en'])).toBe('zh-CN');
    expect(pickLocale(['en-US', 'zh-CN'])).toBe('en');
    expect(pickLocale(['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLocale(['fr-FR'])).toBe('zh-CN');
    expect(pickLocale(['zh-CN'], 'en')).toBe('en');
  });

  it('fills parameters', () => {
    expect(translate('en', 'conn.behind', { count: 3 })).toBe('3 behind');
    expect(translate('zh-CN', 'conn.behind', { count: 3 })).toBe('落后 3 条');
  });
});
