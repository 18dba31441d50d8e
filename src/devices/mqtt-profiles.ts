// Cross-field checks of an MQTT profile, beyond what the schema can say (style.md: validate across fields).
import type { ConfigProblem } from '../config/errors.ts';
import { problemAt, type ParsedYaml } from '../config/validate.ts';
import type { MqttProfile } from './profile-schema.ts';
import { parseJsonPath } from '../sources/mqtt/json-path.ts';
import { filterCovers } from '../broker/topic-filter.ts';

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
    if (a.format !== 'plain' && a.path === undefined) at(`/availability/${i}/path`, 'a JSON availability message needs a path');
    if (a.format === 'plain' && a.path !== undefined) at(`/availability/${i}/path`, 'a plain availability payload has no path; use format: json or plain-or-json');
    checkPath(a.path, `/availability/${i}/path`);
    const words = (w: string | string[]): string[] => (typeof w === 'string' ? [w] : w);
    const both = words(a.online).filter((w) => words(a.offline).includes(w));
    if (both.length > 0) at(`/availability/${i}`, `"${both.join('", "')}" cannot mean both online and offline`);
  });
  // Every profile says how a silent device is noticed (issue 12 §3): its own will/availability topic, or a heartbeat.
  // A bridge's availability alone is not enough: one device behind a live bridge can die (flat battery).
  const hasWill = (profile.availability ?? []).some((a) => (a.scope ?? 'device') === 'device');
  if (!hasWill && profile.heartbeatSeconds === undefined) {
    at('', 'no way to notice a silent device: give an availability topic (its will) or heartbeatSeconds');
  }
  for (const [filter, bytes] of Object.entries(profile.payloadLimits ?? {})) {
    const key = `/payloadLimits/${filter.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const own = profile.acl?.publish ?? [...(profile.availability ?? []).map((a) => a.topic), ...Object.values(profile.points).flatMap((p) => p.decoders.map((d) => d.topic))];
    if (!own.some((f) => f === filter || filterCovers(f, filter))) at(key, `"${filter}" is not a topic this device may publish (acl.publish)`);
    if (bytes > 4 * 1024 * 1024) at(key, `${bytes} bytes is more than any real device publishes; at most 4 MiB`);
  }
  for (const [name, point] of Object.entries(profile.points)) {
    point.decoders.forEach((d, i) => {
      if (d.eventId === undefined) return;
      const where = `/points/${name}/decoders/${i}/eventId`;
      checkPath(d.eventId, where);
      if (d.format !== 'json' || !d.map) at(where, 'events are tracked on JSON decoders with a map (new/update → true, end → false)');
    });
  }
  for (const key of Object.keys(profile.simulator?.initial ?? {})) {
    if (!(key in profile.points)) at(`/simulator/initial/${key}`, `initial value for unknown point "${key}"`);
  }
  const jsonTopics = new Set(Object.values(profile.points).flatMap((p) => p.decoders.filter((d) => d.format === 'json').map((d) => d.topic)));
  for (const topic of Object.keys(profile.simulator?.documents ?? {})) {
    if (!jsonTopics.has(topic)) at(`/simulator/documents/${topic.replaceAll('~', '~0').replaceAll('/', '~1')}`, `document for "${topic}", which no JSON decoder of this profile reads`);
  }
  return problems;
}
