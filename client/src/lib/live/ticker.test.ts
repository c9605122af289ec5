import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../../shared/index.ts';
import { codePointLength, isWellFormed } from '../../../../shared/text.ts';
import { tickerEntry } from './ticker.ts';

describe('ticker lines', () => {
  it('cuts a long field report by code point, never inside an emoji', () => {
    const text = '🚒'.repeat(200);
    const e = {
      seq: 1,
      type: 'report.created',
      at: new Date(0).toISOString(),
      data: { id: 'RPT-1', incidentId: 'INC-1', text, actor: 'liaison', at: new Date(0).toISOString() },
    } as LiveEvent;
    const line = tickerEntry(e, { incidents: new Map(), resources: new Map() })!;
    expect(isWellFormed(line.title)).toBe(true);
    expect(codePointLength(line.title)).toBe(120);
    expect(line.title.endsWith('🚒…')).toBe(true);
  });
});
