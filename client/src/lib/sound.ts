/** A short, loud, unmistakable alert tone made with WebAudio (no audio files to ship). */
let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor =
    window.AudioContext ??
    (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  ctx = new Ctor();
  return ctx;
}

/** Whether the browser lets us play sound now (autoplay rules need one user gesture first). */
export function soundReady(): boolean {
  return context()?.state === 'running';
}

/** Call from a click handler to unlock audio. */
export async function enableSound(): Promise<boolean> {
  const c = context();
  if (!c) return false;
  try {
    await c.resume();
  } catch {
    return false;
  }
  return c.state === 'running';
}

/** Three rising beeps; severity I beeps twice as many times. */
export function alarm(severity: number): void {
  const c = context();
  if (!c || c.state !== 'running') return;
  const count = severity === 1 ? 6 : 3;
  const t0 = c.currentTime + 0.02;
  for (let i = 0; i < count; i++) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'square';
    osc.frequency.value = i % 2 ? 1320 : 880;
    const t = t0 + i * 0.28;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.3, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.22);
    osc.connect(gain).connect(c.destination);
    osc.start(t);
    osc.stop(t + 0.25);
  }
}
