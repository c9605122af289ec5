import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost. OWASP's password storage guidance (2025): N=2^17, r=8, p=1. */
export type ScryptParams = { N: number; r: number; p: number };
export const SCRYPT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const KEYLEN = 32;

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses above 32 MiB unless maxmem is raised. The async form
  // runs on libuv's thread pool, so a login never blocks the event loop.
  const maxmem = 128 * N * r * p + 16 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEYLEN, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * `scrypt$N$r$p$salt$hash` (salt and hash base64): the cost travels with the hash, so raising it
 * later leaves every stored hash verifiable. The older `scrypt$N$salt$hash` (r=8, p=1) still verifies.
 */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  const { N, r, p } = params;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return null;
  const [n, r, p, salt, hash] =
    parts.length === 4 ? [parts[1], '8', '1', parts[2], parts[3]] : parts.slice(1);
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const sane =
    parts.length <= 6 &&
    Number.isInteger(Math.log2(params.N)) &&
    params.N >= 2 &&
    params.N <= 2 ** 20 &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= 32 &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= 16;
  if (!sane || !salt || !hash) return null;
  return { params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export type Verdict = { ok: boolean; needsRehash: boolean };

export async function verifyPassword(
  password: string,
  stored: string,
  current: ScryptParams = SCRYPT_PARAMS,
): Promise<Verdict> {
  const parsed = parse(stored);
  if (!parsed) return { ok: false, needsRehash: false };
  const key = await derive(password, parsed.salt, parsed.params);
  const ok = key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
  const { N, r, p } = parsed.params;
  return { ok, needsRehash: ok && (N !== current.N || r !== current.r || p !== current.p) };
}

/** What AuthService hashes and verifies with; an object so a test can count the verifications. */
export type PasswordHasher = {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<Verdict>;
};

export const scryptHasher = (params: ScryptParams = SCRYPT_PARAMS): PasswordHasher => ({
  hash: (password) => hashPassword(password, params),
  verify: (password, stored) => verifyPassword(password, stored, params),
});

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
