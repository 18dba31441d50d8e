// Password hashing with scrypt (a slow, memory-hard KDF from node:crypto; no native module).
// Stored as `scrypt$N$r$p$salt$hash` (base64) so the cost can be raised later without breaking old hashes.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet (2025): scrypt N=2^17, r=8, p=1 (128 MiB, ~0.6 s on the 2-core test box). */
export const owaspCost: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
/**
 * For the plain passwords of a demo config only: they are printed at start-up and in the README, so a slow hash
 * protects nothing there and would only slow every demo login (a non-demo site refuses plain passwords).
 */
export const demoCost: ScryptCost = { N: 2 ** 14, r: 8, p: 1 };
const keyLength = 32;

export async function hashPassword(password: string, cost: ScryptCost = owaspCost): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = cost;
  const key = await scrypt(password, salt, keyLength, { N, r, p, maxmem: 128 * N * r * 2 });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 128 * N * r * 2 });
  return timingSafeEqual(key, expected);
}

/** A stored hash made with less than OWASP's cost is replaced at the next good login (issue 13, low). */
export function needsRehash(stored: string): boolean {
  const [kind, N, r, p] = stored.split('$');
  return kind !== 'scrypt' || Number(N) < owaspCost.N || Number(r) < owaspCost.r || Number(p) < owaspCost.p;
}

// A fixed hash at the current cost to check against when there is no user, so a refusal takes as long
// whether the user exists or not (login and the handover's incoming signature, issue 13 medium 4).
let dummyHash: Promise<string> | undefined;

/** Checks a password against a user's stored hash, or against a dummy one when there is no such user. */
export async function verifyOrDummy(password: string, stored: string | undefined): Promise<boolean> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const ok = await verifyPassword(password, stored ?? (await dummyHash));
  return ok && stored !== undefined;
}

