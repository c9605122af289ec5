import { describe, expect, it } from 'vitest';
import type { Severity } from '../../../shared/index.ts';
import { buildList, type ListFilter } from './console-filter.ts';
import { incident, videoAlert } from './testing/fixtures.ts';

const all: ListFilter = { text: '', severities: new Set<Severity>([1, 2, 3, 4]), show: 'all', category: '' };

describe('buildList', () => {
  const incidents = [
    incident('a', {
      createdAt: '2024-06-01T08:00:00Z',
      severity: 1,
      title: '燃气泄漏',
      category: 'gas_leak',
    }),
    incident('b', {
      createdAt: '2024-06-01T09:00:00Z',
      severity: 4,
      title: 'Pothole',
      category: 'infrastructure',
    }),
    incident('c', { createdAt: '2024-06-01T10:00:00Z', status: 'closed' }),
  ];
  const alerts = [
    videoAlert('x', { createdAt: '2024-06-01T08:30:00Z' }),
    videoAlert('y', { status: 'dismissed' }),
  ];

  it('lists open items newest first', () => {
    expect(buildList(incidents, alerts, all).map((i) => i.id)).toEqual(['b', 'x', 'a']);
  });
  it('filters by severity, kind, category and text', () => {
    expect(
      buildList(incidents, alerts, { ...all, severities: new Set<Severity>([1]) }).map((i) => i.id),
    ).toEqual(['x', 'a']);
    expect(buildList(incidents, alerts, { ...all, show: 'incidents' }).map((i) => i.id)).toEqual(['b', 'a']);
    expect(buildList(incidents, alerts, { ...all, show: 'alerts' }).map((i) => i.id)).toEqual(['x']);
    expect(buildList(incidents, alerts, { ...all, category: 'gas_leak' }).map((i) => i.id)).toEqual(['a']);
    expect(buildList(incidents, alerts, { ...all, text: '燃气' }).map((i) => i.id)).toEqual(['a']);
    expect(buildList(incidents, alerts, { ...all, text: 'POTHOLE' }).map((i) => i.id)).toEqual(['b']);
  });
});
