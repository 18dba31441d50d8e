// The problems a site config is refused with, for tests that check the loader names file, path and problem.
import { ConfigError, type ConfigProblem } from '../../src/config/errors.ts';
import { parseSite } from '../../src/config/load.ts';
import type { ProfileRegistry } from '../../src/devices/profiles.ts';

export function siteProblems(text: string, profiles: ProfileRegistry): ConfigProblem[] {
  try {
    parseSite('site.yaml', text, profiles);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be refused');
}
