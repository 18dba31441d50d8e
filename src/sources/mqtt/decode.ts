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
  /** The point is boolean (its values or alarm say true/false): a JSON value must be a JSON boolean, not "true" or 1. */
  boolean: boolean;
  /** Overlapping events: where each event's id is (MqttDecoder.eventId). */
  eventSteps?: PathStep[];
  /** Where the device says it is being tested (MqttDecoder.testPath). */
  testSteps?: PathStep[];
}

export interface CompiledAvailability {
  topic: string;
  format: MqttAvailability['format'];
  steps?: PathStep[];
  online: readonly string[];
  offline: readonly string[];
  scope: 'device' | 'bridge';
}

export type Outcome =
  /** `eventId`: the event this value is about, for points that track overlapping events. */
  /** `test`: the device says it is being tested (its test button), so an alarm it raises is a test. */
  | { kind: 'value'; point: string; value: PointValue; eventId?: string; test?: true }
  /** The message is fine but not about this point (another input, another camera, a retained old event). */
  | { kind: 'ignored'; why: string }
  | { kind: 'malformed'; error: string };

/** A message body parsed at most once however many decoders read it. */
export interface Payload {
  text: string;
  json(): { ok: true; doc: unknown } | { ok: false; error: string };
}

/**
 * Deepest nesting a JSON payload may have. Real payloads (Frigate's events, Shelly's RPC, Zigbee2MQTT's states) are
 * under 10 levels; 16 KiB of `[[[[…` is 8,000 levels, which JSON.parse takes but JSON.stringify and any recursive
 * reader overflow the stack on. Checked before parsing, in one pass, so such a message is one counted rejection.
 */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of a JSON text (brackets outside strings), stopping as soon as it passes `max`. */
export function jsonDepthOver(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export function payloadOf(buf: Buffer): Payload {
  const text = buf.toString('utf8');
  let parsed: { ok: true; doc: unknown } | { ok: false; error: string } | undefined;
  return {
    text,
    json() {
      if (parsed) return parsed;
      if (jsonDepthOver(text, MAX_JSON_DEPTH)) return (parsed = { ok: false, error: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
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

/** A point whose value texts or alarm say true/false reads booleans only. */
export const isBooleanPoint = (spec: MqttProfile['points'][string]): boolean =>
  typeof spec.alarm?.activeWhen === 'boolean' || Object.keys(spec.values ?? {}).some((k) => k === 'true' || k === 'false');

export function compileDecoders(profile: MqttProfile, topicId: string): CompiledDecoder[] {
  const out: CompiledDecoder[] = [];
  for (const [point, spec] of Object.entries(profile.points)) {
    const boolean = isBooleanPoint(spec);
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
        boolean,
        ...(d.eventId !== undefined ? { eventSteps: parseJsonPath(d.eventId) } : {}),
        ...(d.testPath !== undefined ? { testSteps: parseJsonPath(d.testPath) } : {}),
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
    online: typeof a.online === 'string' ? [a.online] : a.online,
    offline: typeof a.offline === 'string' ? [a.offline] : a.offline,
    scope: a.scope ?? 'device',
  }));
}

const shown = (v: unknown): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/**
 * The raw value of a message for a decoder or an availability spec: text of a plain payload, or the JSON value at the
 * path; `plain-or-json` reads a JSON object at the path and anything else as plain text.
 */
function rawValue(
  format: 'plain' | 'json' | 'plain-or-json',
  steps: PathStep[] | undefined,
  payload: Payload,
): { ok: true; raw: unknown; doc?: unknown } | { ok: false; error: string } {
  if (format === 'plain' || (format === 'plain-or-json' && !payload.text.trimStart().startsWith('{'))) return { ok: true, raw: payload.text.trim() };
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
  // A JSON string "true" is not the boolean true: a firmware or script that sends it is broken the way "yes" is,
  // and it must never become a fire alarm by accident (issue 12 §3). The same for 1/0 on a boolean point.
  if (d.format === 'json' && typeof raw === 'string' && (text === 'true' || text === 'false')) {
    return { kind: 'malformed', error: `the string ${shown(raw)} where a JSON boolean is expected` };
  }
  if (d.format === 'json' && d.boolean && !d.map && typeof raw !== 'boolean') return { kind: 'malformed', error: `expected a JSON boolean at ${pathText(d.steps)}, got ${shown(raw)}` };
  if (d.map) {
    const v = d.map.get(text);
    if (v === undefined) return { kind: 'malformed', error: `unexpected value ${shown(raw)} (expected ${[...d.map.keys()].join(', ')})` };
    return { kind: 'value', point: d.point, value: v, ...(d.eventSteps ? { eventId: eventIdOf(d, got.doc) } : {}) };
  }
  if (typeof raw === 'boolean') return { kind: 'value', point: d.point, value: raw, ...(d.testSteps && readJsonPath(got.doc, d.testSteps) === true ? { test: true as const } : {}) };
  if (typeof raw === 'number' && Number.isFinite(raw)) return { kind: 'value', point: d.point, value: raw };
  if (text === 'true' || text === 'false') return { kind: 'value', point: d.point, value: text === 'true' };
  const n = text.trim() === '' ? NaN : Number(text);
  if (Number.isFinite(n)) return { kind: 'value', point: d.point, value: n };
  return { kind: 'malformed', error: `unexpected value ${shown(raw)}` };
}

/** The id of the event a message is about; events without one share one key (they cannot overlap). */
function eventIdOf(d: CompiledDecoder, doc: unknown): string {
  const id = readJsonPath(doc, d.eventSteps!);
  return id === undefined || id === null || typeof id === 'object' ? '' : String(id);
}

/** online / offline, or a malformed-message error (an availability payload we do not know). */
export function decodeAvailability(a: CompiledAvailability, payload: Payload): { online: boolean } | { error: string } {
  const got = rawValue(a.format, a.steps, payload);
  if (!got.ok) return { error: got.error };
  const raw = got.raw;
  const text = raw === undefined || raw === null || typeof raw === 'object' ? '' : String(raw);
  if (a.online.includes(text)) return { online: true };
  if (a.offline.includes(text)) return { online: false };
  return { error: `unexpected availability ${shown(raw === undefined ? '' : raw)} (expected ${[...a.online, ...a.offline].join(', ')})` };
}

const pathText = (steps: PathStep[] | undefined): string => (steps ? steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '') : 'payload');
