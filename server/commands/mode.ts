import type { Mode, ModeState } from '../../shared/common.ts';
import type { PendingEvent } from '../../shared/protocol.ts';

export type StoredMode = Mode & { version: number };

/**
 * The next mode after a change. `since` moves only when the state does, so a wall's "wartime for
 * 42 min" keeps counting while further operations join or leave.
 */
export function nextMode(
  cur: StoredMode,
  change: { state: ModeState; operationIds: string[]; reason: string; actor: string; now: Date },
): StoredMode {
  return {
    state: change.state,
    since: change.state === cur.state ? cur.since : change.now.toISOString(),
    reason: change.reason,
    actor: change.actor,
    operationIds: change.operationIds,
    version: cur.version + 1,
  };
}

export function modeEvent(m: StoredMode, actor: string): PendingEvent {
  const { version: _v, ...mode } = m;
  return { type: 'mode.changed', actor, data: { ...mode, id: 'mode' } };
}
