// Which passwords a site outside demo mode refuses: every password of the demo config and the most common ones,
// for console users and MQTT device logins alike (issue 13 Medium 5). One check for `check-config` and start-up,
// so a config the check calls OK starts. A config holds only scrypt hashes outside demo mode, so each hash is tried
// against every refused password; a hash found clean is remembered in the data dir (by a digest of the hash and of
// this list), so a restart pays only for new hashes (a cold check costs list × hashes scrypt runs at each hash's own
// cost: ~0.6 s each at OWASP's, passwords.ts).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Site } from '../config/load.ts';
import type { ConfigProblem } from '../config/errors.ts';
import { parseYaml, problemAt, type ParsedYaml } from '../config/validate.ts';
import { verifyPassword } from './passwords.ts';

/** Every password config/demo.yaml ships with (test/security/weak-passwords.test.ts keeps the two in step). */
export const demoPasswords: readonly string[] = [
  'duty', 'duty2', 'lead', 'super', 'admin', 'password', 'roomwatch',
  'demo-fc-panel-1', 'demo-fc-panel-2', 'demo-fc-pump-relay', 'demo-z2m-bridge', 'demo-frigate',
];

/**
 * The most common passwords of leaked-password lists (NCSC's top list and the Chinese lists sites here meet),
 * vendor defaults of the devices on the same LAN, and the obvious ones for this product.
 */
export const commonPasswords: readonly string[] = [
  '123456', '123456789', '12345678', '1234567890', '1234567', '12345', '1234', '111111', '000000', '666666',
  '888888', '88888888', '123123', '654321', '112233', 'a123456', 'a123456789', 'qwerty', 'qwerty123', '1q2w3e4r',
  'abc123', 'abcd1234', 'password1', 'passw0rd', 'p@ssw0rd', 'admin123', 'admin@123', 'administrator', 'root',
  'toor', 'changeme', 'letmein', 'welcome', 'iloveyou', '5201314', 'woaini1314', 'test', 'guest', 'default',
  'mqtt', 'mosquitto', 'roomwatch123',
];

const refused: readonly string[] = [...new Set([...demoPasswords, ...commonPasswords])];
const listDigest = createHash('sha256').update(refused.join('\n')).digest('hex');

/** A plain password a site outside demo mode refuses (`npm run hash-password` asks before it hashes one). */
export const isRefusedPassword = (password: string): boolean => refused.includes(password);

/** Remembered clean hashes: `<dataDir>/password-checks.json`, a list of digests. */
export const passwordCheckFile = (dataDir: string): string => join(dataDir, 'password-checks.json');

/** `scrypt$N$r$p$salt$key` as hashPassword writes it (passwords.ts); anything else no password ever matches. */
const SCRYPT_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$[A-Za-z0-9+/]+=*\$([A-Za-z0-9+/]{22,}=*)$/;
function checkable(hash: string): boolean {
  const m = SCRYPT_HASH.exec(hash);
  if (!m) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return n > 1 && (n & (n - 1)) === 0 && r > 0 && p > 0;
}

const cacheKey = (hash: string): string => createHash('sha256').update(`${listDigest}\n${hash}`).digest('hex');

function readCache(file: string | undefined): Set<string> {
  if (file === undefined || !existsSync(file)) return new Set();
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return new Set(Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set(); // unreadable: check again, it only costs time
  }
}

export interface PasswordCheckOptions {
  /** Where clean hashes are remembered; without it every hash is tried. */
  cacheFile?: string;
  /** Write what was found clean back to cacheFile (start-up does; check-config only reads). */
  remember?: boolean;
}

/**
 * Outside demo mode: every user and MQTT login whose passwordHash is a hash of a refused password, or is no hash
 * we can check, as a config problem with its path. Demo sites: none (their passwords are the demo's, on purpose).
 */
export async function weakPasswordProblems(site: Site, options: PasswordCheckOptions = {}): Promise<ConfigProblem[]> {
  if (site.demo) return [];
  const secrets: { path: string; hash: string; who: string }[] = [];
  site.config.users.forEach((u, i) => {
    if (u.passwordHash !== undefined) secrets.push({ path: `/users/${i}/passwordHash`, hash: u.passwordHash, who: `user "${u.username}"` });
  });
  site.config.devices.forEach((d, i) => {
    const c = d.connection;
    if (c.type === 'mqtt' && c.passwordHash !== undefined) secrets.push({ path: `/devices/${i}/connection/passwordHash`, hash: c.passwordHash, who: `MQTT login "${c.username}"` });
  });
  const known = readCache(options.cacheFile);
  const verdicts = new Map<string, Promise<'clean' | 'refused' | 'invalid'>>();
  for (const { hash } of secrets) {
    if (verdicts.has(hash)) continue;
    if (!checkable(hash)) verdicts.set(hash, Promise.resolve('invalid'));
    else if (known.has(cacheKey(hash))) verdicts.set(hash, Promise.resolve('clean'));
    // All at once: scrypt runs on libuv's thread pool, so the hashes are tried in parallel.
    else verdicts.set(hash, Promise.all(refused.map((pw) => verifyPassword(pw, hash))).then((hits) => (hits.some(Boolean) ? 'refused' : 'clean'), () => 'invalid'));
  }
  const verdictOf = new Map(await Promise.all([...verdicts].map(async ([hash, v]) => [hash, await v] as const)));

  if (options.cacheFile !== undefined && options.remember === true) {
    const clean = [...verdictOf].filter(([, v]) => v === 'clean').map(([hash]) => cacheKey(hash));
    writeFileSync(options.cacheFile, JSON.stringify([...new Set(clean)]), { mode: 0o600 });
  }

  const parsed = readParsed(site.file);
  const at = (path: string, message: string): ConfigProblem => (parsed ? problemAt(parsed, path, message) : { file: site.file, path, message });
  return secrets.flatMap(({ path, hash, who }) => {
    const v = verdictOf.get(hash);
    if (v === 'refused') return [at(path, `${who}: this is a hash of a demo or common password, refused outside demo mode; choose another and hash it with \`npm run hash-password\``)];
    if (v === 'invalid') return [at(path, `${who}: not a scrypt hash this gateway can check; make one with \`npm run hash-password\``)];
    return [];
  });
}

/** The site file again, for the line numbers of the problems (none when it cannot be read, e.g. a parsed string). */
function readParsed(file: string): ParsedYaml | undefined {
  try {
    return parseYaml(file, readFileSync(file, 'utf8')).parsed;
  } catch {
    return undefined;
  }
}
