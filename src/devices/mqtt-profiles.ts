// Cross-field checks of an MQTT profile, beyond what the schema can say (style.md: validate across fields).
import type { ConfigProblem } from '../config/errors.ts';
import { problemAt, type ParsedYaml } from '../config/validate.ts';
import type { MqttProfile } from './profile-schema.ts';
import { parseJsonPath } from '../sources/mqtt/json-path.ts';

export function checkMqttProfile(profile: MqttProfile, parsed: ParsedYaml): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (path: string, message: string): void => void problems.push(problemAt(parsed, path, message));
  const checkPath = (path: string | undefined, where: string): void => {
    if (path === undefined) return;
    try {
      parseJsonPath(path);
    } catch (err) {
      at(where, (err as Error).message);
    }
  };
  for (const [name, point] of Object.entries(profile.points)) {
    point.decoders.forEach((d, i) => {
      const where = `/points/${name}/decoders/${i}`;
      if (d.format === 'json' && d.path === undefined) at(`${where}/path`, 'a JSON decoder needs a path to its value');
      if (d.format === 'plain' && (d.path !== undefined || d.match !== undefined)) at(where, 'a plain payload has no path or match; use format: json');
      checkPath(d.path, `${where}/path`);
      for (const key of Object.keys(d.match ?? {})) checkPath(key, `${where}/match`);
    });
    if (point.unit === '' && point.quantity !== 'status' && point.quantity !== 'code') at(`/points/${name}/unit`, 'numeric point needs a unit');
  }
  (profile.availability ?? []).forEach((a, i) => {
    if (a.format === 'json' && a.path === undefined) at(`/availability/${i}/path`, 'a JSON availability message needs a path');
    checkPath(a.path, `/availability/${i}/path`);
  });
  for (const key of Object.keys(profile.simulator?.initial ?? {})) {
    if (!(key in profile.points)) at(`/simulator/initial/${key}`, `initial value for unknown point "${key}"`);
  }
  const jsonTopics = new Set(Object.values(profile.points).flatMap((p) => p.decoders.filter((d) => d.format === 'json').map((d) => d.topic)));
  for (const topic of Object.keys(profile.simulator?.documents ?? {})) {
    if (!jsonTopics.has(topic)) at(`/simulator/documents/${topic.replaceAll('~', '~0').replaceAll('/', '~1')}`, `document for "${topic}", which no JSON decoder of this profile reads`);
  }
  return problems;
}
