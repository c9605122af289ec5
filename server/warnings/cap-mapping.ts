import type { CapAlert } from './cap-model.ts';

/**
 * What a CAP alert means for Pingzhan, per the contract ("Early warnings (预警), CAP 1.2"): its
 * colour (China's four warning colours, 蓝黄橙红) and whether consoles show it.
 */

export const WARNING_COLOURS = ['blue', 'yellow', 'orange', 'red'] as const;
export type WarningColour = (typeof WARNING_COLOURS)[number];

/**
 * Minor → blue, Moderate → yellow, Severe → orange, Extreme → red (the contract), and
 * Unknown → blue: the colour is a claim about severity, and the sender made none, so it gets the
 * least claim that still shows it as a warning; it raises no wall banner (orange and red do). The
 * CAP severity stays on the warning for anyone who needs to tell "Minor" from "Unknown".
 */
export const SEVERITY_COLOUR = {
  Minor: 'blue',
  Moderate: 'yellow',
  Severe: 'orange',
  Extreme: 'red',
  Unknown: 'blue',
} as const satisfies Record<CapAlert['infos'][number]['severity'], WarningColour>;

export function colourOfSeverity(severity: keyof typeof SEVERITY_COLOUR): WarningColour {
  return SEVERITY_COLOUR[severity];
}

/**
 * An alert's colour: its most severe info's (infos are often the same warning in several
 * languages; when they differ, the worst one is what a commander must see). Without an info
 * (a bare Cancel) there is no colour.
 */
export function alertColour(alert: Pick<CapAlert, 'infos'>): WarningColour | null {
  let best = -1;
  for (const info of alert.infos)
    best = Math.max(best, WARNING_COLOURS.indexOf(SEVERITY_COLOUR[info.severity]));
  return best < 0 ? null : WARNING_COLOURS[best];
}

/**
 * Status routing. `live`: shown on every console; `drill`: shown only as a drill (Exercise);
 * `stored`: kept with the raw message, never shown (Test, System); `refused`: answered 400, not
 * stored (Draft: CAP says a draft is "not for actual use").
 */
export type WarningRouting = 'live' | 'drill' | 'stored' | 'refused';

export const STATUS_ROUTING = {
  Actual: 'live',
  Exercise: 'drill',
  Test: 'stored',
  System: 'stored',
  Draft: 'refused',
} as const satisfies Record<CapAlert['status'], WarningRouting>;

export function routeStatus(status: CapAlert['status']): WarningRouting {
  return STATUS_ROUTING[status];
}

/**
 * What a message does to the warnings it names: Alert issues one; Update and Cancel act on the
 * alerts in `references`; Ack and Error answer a message and change no warning (stored only).
 */
export type WarningAction = 'issue' | 'update' | 'cancel' | 'none';

export const MSG_TYPE_ACTION = {
  Alert: 'issue',
  Update: 'update',
  Cancel: 'cancel',
  Ack: 'none',
  Error: 'none',
} as const satisfies Record<CapAlert['msgType'], WarningAction>;

export function actionOf(msgType: CapAlert['msgType']): WarningAction {
  return MSG_TYPE_ACTION[msgType];
}
