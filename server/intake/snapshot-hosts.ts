/**
 * Which `snapshotUrl`s a video alert may carry. Every operator's browser loads the picture, so a
 * URL is a request made from inside the command centre on the sender's behalf: only hosts the
 * deployment names (SNAPSHOT_HOSTS) are accepted, and never loopback or link-local addresses
 * (the console's own machine, cloud metadata at 169.254.169.254) unless listed by address.
 */

/** `host`, `host:port`, or `*.domain` (any subdomain of it, not the domain itself). */
type Rule = { host: string; port: string | null; wildcard: boolean };

function parseRule(entry: string): Rule {
  const e = entry.trim().toLowerCase();
  const wildcard = e.startsWith('*.');
  const rest = wildcard ? e.slice(2) : e;
  // Let the URL parser normalise it the way it normalises what senders post (IDN, IPv6, 0x7f…).
  try {
    const u = new URL(`http://${rest}`);
    return { host: u.hostname, port: u.port || null, wildcard };
  } catch {
    return { host: rest, port: null, wildcard };
  }
}

function ipv4(host: string): number[] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  return m ? m.slice(1).map(Number) : null;
}

/** Loopback, link-local, unspecified: addresses that mean "this machine" or "this link". */
export function isLocalAddress(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const v4 = ipv4(host);
  if (v4) return v4[0] === 127 || v4[0] === 0 || (v4[0] === 169 && v4[1] === 254);
  if (!host.startsWith('[')) return false;
  const v6 = host.slice(1, -1);
  if (v6 === '::1' || v6 === '::') return true;
  if (/^fe[89ab][0-9a-f]:/.test(v6)) return true;
  // IPv4-mapped (::ffff:7f00:1 is 127.0.0.1, as the URL parser writes it).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mapped) {
    const hi = parseInt(mapped[1], 16);
    return isLocalAddress(`${hi >> 8}.${hi & 255}.0.0`);
  }
  return false;
}

const isIpLiteral = (host: string) => ipv4(host) !== null || host.startsWith('[');

export class SnapshotHosts {
  private readonly rules: Rule[];

  constructor(entries: readonly string[]) {
    this.rules = entries.filter((e) => e.trim() !== '').map(parseRule);
  }

  /** Why `url` is refused, or null when it may be stored. */
  problem(url: string): string | null {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return 'must be an absolute http or https URL';
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
    if (u.username || u.password) return 'must not carry a user name or password';
    if (this.rules.length === 0)
      return 'snapshot URLs are not accepted here: no snapshot hosts are configured (SNAPSHOT_HOSTS)';
    const host = u.hostname;
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    const listed = this.rules.some((r) => {
      if (r.port !== null && r.port !== port) return false;
      if (!r.wildcard) return r.host === host;
      return !isIpLiteral(host) && host.endsWith(`.${r.host}`);
    });
    if (listed) return null;
    if (isLocalAddress(host)) return `host ${host} is a loopback or link-local address`;
    return `host ${host} is not one of the configured snapshot hosts (SNAPSHOT_HOSTS)`;
  }
}
