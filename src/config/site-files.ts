// Files a site config names (TLS certificates and keys, a CA): read at start-up, relative to the site file, and a
// file that cannot be read is a config error naming the site file, the path in it and the reason.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Site } from './load.ts';
import { ConfigError } from './errors.ts';

export function readSiteFile(site: Site, file: string, path: string): Buffer {
  const full = resolve(dirname(site.file), file);
  try {
    return readFileSync(full);
  } catch (err) {
    throw new ConfigError([{ file: site.file, path, message: `cannot read ${full}: ${(err as Error).message}` }]);
  }
}
