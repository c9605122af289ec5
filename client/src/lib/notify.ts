/**
 * Browser notifications for alarms (issue 13 item 2): raised only while the tab is in the
 * background (the banner and the tone cover a visible one); permission is asked on a user gesture
 * (the ack button, the sound button), never on load, as browsers require and operators expect.
 * Clicking one brings the tab forward and opens the incident.
 */

/** Whether this browser can show notifications at all. */
export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function notificationsGranted(): boolean {
  return notificationsSupported() && Notification.permission === 'granted';
}

/** Ask once, from a click handler; a decided permission (granted or denied) is not asked again. */
export async function askNotificationPermission(): Promise<boolean> {
  if (!notificationsSupported()) return false;
  if (Notification.permission !== 'default') return Notification.permission === 'granted';
  try {
    return (await Notification.requestPermission()) === 'granted';
  } catch {
    return false;
  }
}

export interface AlarmNotice {
  /** The incident's id: one notification per incident (a repeat replaces it). */
  id: string;
  title: string;
  body: string;
}

/** Notifications shown and not yet closed, by incident id. */
const open = new Map<string, Notification>();

declare global {
  interface Window {
    /** Alarm notifications raised, for the browser tests (never in a production build). */
    __pzNotified?: (AlarmNotice & { note: Notification; closed: boolean })[];
  }
}

/**
 * Raise a notification when the page is hidden and permission was granted; `onOpen` runs when
 * the operator clicks it (the tab is focused first). False when nothing was shown.
 */
export function notifyAlarm(n: AlarmNotice, onOpen: (id: string) => void): boolean {
  if (typeof document === 'undefined' || document.visibilityState !== 'hidden') return false;
  if (!notificationsGranted()) return false;
  let note: Notification;
  try {
    // `tag`: the same incident again replaces its notification instead of stacking a second one
    note = new Notification(n.title, { body: n.body, tag: `pz-alarm-${n.id}`, requireInteraction: true });
  } catch {
    return false;
  }
  open.get(n.id)?.close();
  open.set(n.id, note);
  note.onclick = () => {
    window.focus();
    note.close();
    onOpen(n.id);
  };
  note.onclose = () => {
    if (open.get(n.id) === note) open.delete(n.id);
  };
  if (import.meta.env.MODE !== 'production') {
    const seen = { ...n, note, closed: false };
    note.addEventListener('close', () => (seen.closed = true));
    (window.__pzNotified ??= []).push(seen);
  }
  return true;
}

/** The alarm was acknowledged (here or on another console): its notification goes too. */
export function closeAlarmNotice(id: string): void {
  const note = open.get(id);
  open.delete(id);
  if (!note) return;
  note.close();
  if (import.meta.env.MODE !== 'production')
    for (const s of window.__pzNotified ?? []) if (s.note === note) s.closed = true;
}
