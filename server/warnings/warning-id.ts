import { createHash } from 'node:crypto';

/** The id of a CAP message, deterministic from `(sender, identifier)`: an Alert's is its warning's. */
export function warningId(sender: string, identifier: string): string {
  const h = createHash('sha256').update(sender).update('\0').update(identifier).digest('hex');
  return `W-${h.slice(0, 20)}`;
}
