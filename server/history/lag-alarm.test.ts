import { describe, expect, it } from 'vitest';
import { LagAlarm } from './lag-alarm.ts';
import type { Projector, ProjectorStatus } from './projector.ts';

describe('the history lag alarm', () => {
  it('warns once when the lag reaches the threshold, says so once when it is back under', async () => {
    let lag = 0;
    const fake = {
      status: async (): Promise<ProjectorStatus> => ({
        active: true,
        healthy: true,
        projectedSeq: 100,
        headSeq: 100 + lag,
        lag,
        lastError: null,
        missing: [],
      }),
    } as unknown as Projector;
    const warn: string[] = [];
    const info: string[] = [];
    const alarm = new LagAlarm(fake, 50, { warn: (m) => warn.push(m), info: (m) => info.push(m) });
    expect(await alarm.check()).toBe(false);
    lag = 50;
    expect(await alarm.check()).toBe(true);
    lag = 80;
    expect(await alarm.check()).toBe(true);
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatch(/50 events not yet in the database/);
    lag = 10;
    expect(await alarm.check()).toBe(false);
    expect(await alarm.check()).toBe(false);
    expect(info).toHaveLength(1);
    // A new episode warns again.
    lag = 60;
    await alarm.check();
    expect(warn).toHaveLength(2);
  });
});
