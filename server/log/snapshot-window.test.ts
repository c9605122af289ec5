import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incident.ts';
import { FINISHED_KEPT_MS, inSnapshot } from './snapshot-window.ts';

const now = Date.parse('2026-11-29T12:00:00Z');
const at = (msAgo: number) => new Date(now - msAgo).toISOString();
const item = (status: string, msAgo: number) => ({ status, updatedAt: at(msAgo) }) as unknown as Incident;

describe('the snapshot window', () => {
  it('keeps everything open, however old', () => {
    expect(inSnapshot(item('accepted', 30 * FINISHED_KEPT_MS), now)).toBe(true);
    expect(inSnapshot(item('new', 30 * FINISHED_KEPT_MS), now)).toBe(true);
    expect(inSnapshot(item('confirmed', 30 * FINISHED_KEPT_MS), now)).toBe(true);
  });
  it('keeps closed cases and dismissed alerts for a day, then leaves them out', () => {
    expect(inSnapshot(item('closed', FINISHED_KEPT_MS - 1000), now)).toBe(true);
    expect(inSnapshot(item('voided', FINISHED_KEPT_MS - 1000), now)).toBe(true);
    expect(inSnapshot(item('voided', FINISHED_KEPT_MS + 1000), now)).toBe(false);
    expect(inSnapshot(item('closed', FINISHED_KEPT_MS + 1000), now)).toBe(false);
    expect(inSnapshot(item('dismissed', FINISHED_KEPT_MS + 1000), now)).toBe(false);
  });
});
