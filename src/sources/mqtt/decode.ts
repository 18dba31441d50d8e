// Compiles an MQTT profile for one device (its topicId substituted into every template) into decoders, and
// decodes one message for one decoder. Pure functions: the golden cases in test/unit/mqtt-decode.test.ts run
// them on payloads recorded from the real device families (shared/reference/devices.md §4).
import type { MqttProfile } from '../../devices/profile-schema.ts';
import type { MqttAvailability, MqttDecoder } from '../../devices/mqtt-profile-schema.ts';
import { parseJsonPath, readJsonPath, type PathStep } from './json-path.ts';

export type PointValue = boolean | number;

export interface CompiledDecoder {
  point: string;
  topic: string;
  format: MqttDecoder['format'];
  steps?: PathStep[];
  /** The value at `steps` must be one of `anyOf` (a profile's single value is a list of one). */
  match: { steps: PathStep[]; anyOf: (string | number | boolean)[] }[];
  map?: ReadonlyMap<string, PointValue>;
  ifMissing: 'ignore' | 'malformed';
  retained: 'state' | 'ignore';
  /** A7: name → where the message refers to its recording. */
  evidence: { name: string; steps: PathStep[] }[];
}

export interface CompiledAvailability {
  topic: string;
  format: MqttAvailability['format'];
  steps?: PathStep[];
  online: string;
  offline: string;
  scope: 'device' | 'bridge';
}

export type Outcome =
  | { kind: 'value'; point: string; value: PointValue; evidence?: string }
  /** The message is fine but not about this point (another input, another camera, a retained old event). */
  | { kind: 'ignored'; why: string }
  | { kind: 'malformed'; error: string };

/** A message body parsed at most once however many decoders read it. */
export interface Payload {
  text: string;
  json(): { ok: true; doc: unknown } | { ok: false; error: string };
}

export function payloadOf(buf: Buffer): Payload {
  const text = buf.toString('utf8');
  let parsed: { ok: true; doc: unknown } | { ok: false; error: string } | undefined;
  return {
    text,
    json() {
      if (parsed) return parsed;
      try {
        parsed = { ok: true, doc: JSON.parse(text) };
      } catch (err) {
        parsed = { ok: false, error: `not JSON: ${(err as Error).message}` };
      }
      return parsed;
    },
  };
}

export const expandTopic = (template: string, topicId: string): string => template.replaceAll('{id}', topicId);

export function compileDecoders(profile: MqttProfile, topicId: string): CompiledDecoder[] {
  const out: CompiledDecoder[] = [];
  for (const [point, spec] of Object.entries(profile.points)) {
    for (const d of spec.decoders) {
      out.push({
        point,
        topic: expandTopic(d.topic, topicId),
        format: d.format,
        ...(d.path !== undefined ? { steps: parseJsonPath(d.path) } : {}),
        match: Object.entries(d.match ?? {}).map(([path, expected]) => ({
          steps: parseJsonPath(path),
          anyOf: (Array.isArray(expected) ? expected : [expected]).map((v) => (typeof v === 'string' ? expandTopic(v, topicId) : v)),
        })),
        ...(d.map ? { map: new Map(Object.entries(d.map)) } : {}),
        ifMissing: d.ifMissing ?? 'malformed',
        retained: d.retained ?? 'state',
        evidence: Object.entries(d.evidence ?? {}).map(([name, path]) => ({ name, steps: parseJsonPath(path) })),
      });
    }
  }
  return out;
}

export function compileAvailability(profile: MqttProfile, topicId: string): CompiledAvailability[] {
  return (profile.availability ?? []).map((a) => ({
    topic: expandTopic(a.topic, topicId),
    format: a.format,
    ...(a.path !== undefined ? { steps: parseJsonPath(a.path) } : {}),
    online: a.online,
    offline: a.offline,
    scope: a.scope ?? 'device',
  }));
}

const shown = (v: unknown): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** The raw value of a message for a decoder or an availability spec: text of a plain payload, or the JSON value at the path. */
function rawValue(
  format: 'plain' | 'json',
  steps: PathStep[] | undefined,
  payload: Payload,
): { ok: true; raw: unknown; doc?: unknown } | { ok: false; error: string } {
  if (format === 'plain') return { ok: true, raw: payload.text.trim() };
  const parsed = payload.json();
  if (!parsed.ok) return parsed;
  return { ok: true, raw: steps ? readJsonPath(parsed.doc, steps) : parsed.doc, doc: parsed.doc };
}

export function decode(d: CompiledDecoder, payload: Payload, retained: boolean): Outcome {
  if (retained && d.retained === 'ignore') return { kind: 'ignored', why: 'retained event' };
  const got = rawValue(d.format, d.steps, payload);
  if (!got.ok) return { kind: 'malformed', error: got.error };
  for (const m of d.match) {
    const at = readJsonPath(got.doc, m.steps);
    if (!m.anyOf.some((v) => v === at)) return { kind: 'ignored', why: 'does not match' };
  }
  const { raw } = got;
  if (raw === undefined) {
    return d.ifMissing === 'ignore' ? { kind: 'ignored', why: 'path absent' } : { kind: 'malformed', error: `no value at ${pathText(d.steps)}` };
  }
  if (raw !== null && typeof raw === 'object') return { kind: 'malformed', error: `expected a value at ${pathText(d.steps)}, got ${shown(raw)}` };
  const text = String(raw);
  if (d.map) {
    const v = d.map.get(text);
    if (v === undefined) return { kind: 'malformed', error: `unexpected value ${shown(raw)} (expected ${[...d.map.keys()].join(', ')})` };
    const evidence = evidenceOf(d, got.doc);
    return { kind: 'value', point: d.point, value: v, ...(evidence ? { evidence } : {}) };
  }
  if (typeof raw === 'boolean') return { kind: 'value', point: d.point, value: raw };
  if (typeof raw === 'number' && Number.isFinite(raw)) return { kind: 'value', point: d.point, value: raw };
  if (text === 'true' || text === 'false') return { kind: 'value', point: d.point, value: text === 'true' };
  const n = text.trim() === '' ? NaN : Number(text);
  if (Number.isFinite(n)) return { kind: 'value', point: d.point, value: n };
  return { kind: 'malformed', error: `unexpected value ${shown(raw)}` };
}

/** A7: "event 1718987129.308396-fqk5ka · snapshot /media/…", from the decoder's evidence paths; absent values are left out. */
function evidenceOf(d: CompiledDecoder, doc: unknown): string | undefined {
  const parts = d.evidence.flatMap(({ name, steps }) => {
    const v = readJsonPath(doc, steps);
    return typeof v === 'string' || typeof v === 'number' ? [`${name} ${String(v).slice(0, 200)}`] : [];
  });
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** online / offline, or a malformed-message error (an availability payload we do not know). */
export function decodeAvailability(a: CompiledAvailability, payload: Payload): { online: boolean } | { error: string } {
  const got = rawValue(a.format, a.steps, payload);
  if (!got.ok) return { error: got.error };
  const text = got.raw === undefined || got.raw === null ? '' : typeof got.raw === 'object' ? JSON.stringify(got.raw) : String(got.raw);
  if (text === a.online) return { online: true };
  if (text === a.offline) return { online: false };
  return { error: `unexpected availability ${shown(text)} (expected ${a.online} or ${a.offline})` };
}

const pathText = (steps: PathStep[] | undefined): string => (steps ? steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '') : 'payload');
