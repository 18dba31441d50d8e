// Loads every device profile in devices/, validates it against the schema and across fields
// (style.md: HA modbus validates register count vs type and duplicate addresses), and converts
// one-based manual numbers to PDU addresses so the rest of the gateway only sees wire addresses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from '../config/errors.ts';
import { checkSchema, parseYaml, problemAt, type ParsedYaml } from '../config/validate.ts';
import { ModbusProfile, MqttProfile, type DeviceProfile, type DataType, type ModbusPoint, type RegisterTable } from './profile-schema.ts';
import { checkMqttProfile } from './mqtt-profiles.ts';

export type ProfileRegistry = ReadonlyMap<string, DeviceProfile>;

export function registerCount(type: DataType): number {
  return type === 'int32' || type === 'uint32' || type === 'float32' ? 2 : 1;
}

const bitTables: readonly RegisterTable[] = ['coil', 'discrete'];

/** Turns a manual's number into the 0-based PDU address: 30002 → 1, 40001 → 0, 00205 → 204. */
export function toPduAddress(address: number, table: RegisterTable): number {
  // Manuals write input registers as 3xxxx and holding as 4xxxx; some write the plain 1-based number.
  const base = { coil: 0, discrete: 10000, input: 30000, holding: 40000 }[table];
  const n = address > base && address <= base + 9999 ? address - base : address;
  return n - 1;
}

/**
 * Loads the profiles of one folder, or of several (the built-in devices/ and a site's profilesDir): every file gets
 * the same schema and checks, and an id defined twice is refused naming both files.
 */
export function loadProfiles(dirs: string | readonly string[]): ProfileRegistry {
  const problems: ConfigProblem[] = [];
  const registry = new Map<string, DeviceProfile>();
  const fileOf = new Map<string, string>();
  const files: string[] = [];
  for (const dir of typeof dirs === 'string' ? [dirs] : dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      problems.push({ file: dir, path: '', message: `cannot read the profile folder: ${(err as Error).message}` });
      continue;
    }
    files.push(...names.filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort().map((f) => join(dir, f)));
  }
  for (const file of files) {
    const { parsed, problems: syntax } = parseYaml(file, readFileSync(file, 'utf8'));
    problems.push(...syntax);
    if (!parsed) continue;
    // The protocol picks the schema, so errors name the real field instead of "expected union value".
    const isMqtt = (parsed.data as { protocol?: unknown } | null)?.protocol === 'mqtt';
    const { value, problems: schemaProblems } = isMqtt ? checkSchema(MqttProfile, parsed) : checkSchema(ModbusProfile, parsed);
    problems.push(...schemaProblems);
    if (!value) continue;
    const crossProblems = value.protocol === 'mqtt' ? checkMqttProfile(value, parsed) : checkProfile(value, parsed);
    problems.push(...crossProblems);
    if (crossProblems.length > 0) continue;
    const other = fileOf.get(value.id);
    if (other !== undefined) {
      problems.push(problemAt(parsed, '/id', `profile id "${value.id}" is already defined by ${other}; give this profile its own id`));
      continue;
    }
    fileOf.set(value.id, file);
    registry.set(value.id, value.protocol === 'mqtt' ? value : normalise(value));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return registry;
}

function checkProfile(profile: ModbusProfile, parsed: ParsedYaml): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const used = new Map<string, string>(); // `${table}:${pduAddress}` -> point name
  for (const [name, point] of Object.entries(profile.points)) {
    const at = `/points/${name}`;
    const isBitTable = bitTables.includes(point.table);
    if (isBitTable !== (point.type === 'bool')) {
      problems.push(problemAt(parsed, `${at}/type`, `type ${point.type} does not fit table ${point.table} (coils and discrete inputs are bool, registers are not)`));
    }
    if (profile.addressing === 'one-based' && point.address === 0) {
      problems.push(problemAt(parsed, `${at}/address`, 'address 0 is not a one-based register number'));
    }
    const pdu = profile.addressing === 'one-based' ? toPduAddress(point.address, point.table) : point.address;
    if (point.bit !== undefined) {
      // Several bit points share one status word; a bit is used once, and the word by bit points only.
      if (point.type !== 'uint16' && point.type !== 'int16') problems.push(problemAt(parsed, `${at}/bit`, `a bit field needs a 16-bit register type, not ${point.type}`));
      const word = used.get(`${point.table}:${pdu}`);
      const bitOwner = used.get(`${point.table}:${pdu}:bit${point.bit}`);
      if (word && !word.startsWith('bits:')) problems.push(problemAt(parsed, `${at}/address`, `overlaps point "${word}" at ${point.table} register ${pdu} (PDU)`));
      else if (bitOwner) problems.push(problemAt(parsed, `${at}/bit`, `bit ${point.bit} of ${point.table} register ${pdu} is point "${bitOwner}" already`));
      used.set(`${point.table}:${pdu}`, `bits:${name}`);
      used.set(`${point.table}:${pdu}:bit${point.bit}`, name);
    } else {
      for (let i = 0; i < registerCount(point.type); i++) {
        const slot = `${point.table}:${pdu + i}`;
        const other = used.get(slot);
        if (other) problems.push(problemAt(parsed, `${at}/address`, `overlaps point "${other.replace(/^bits:/, '')}" at ${point.table} register ${pdu + i} (PDU)`));
        else used.set(slot, name);
      }
    }
    problems.push(...checkPointMeaning(point, at, parsed));
    const measurement = !isBoolean(point) && point.quantity !== 'status' && point.quantity !== 'code';
    if (measurement && point.unit === '') problems.push(problemAt(parsed, `${at}/unit`, 'numeric point needs a unit'));
    if (measurement && !point.range) problems.push(problemAt(parsed, `${at}/range`, 'a measurement needs its physical range from the datasheet (range: { min, max })'));
    if (point.range && !(point.range.min < point.range.max)) problems.push(problemAt(parsed, `${at}/range`, `min ${point.range.min} must be below max ${point.range.max}`));
  }
  for (const key of Object.keys(profile.defaultLimits ?? {})) {
    const point = Object.hasOwn(profile.points, key) ? profile.points[key] : undefined;
    if (!point) problems.push(problemAt(parsed, `/defaultLimits/${key}`, `limit for unknown point "${key}"`));
    else if (isBoolean(point)) problems.push(problemAt(parsed, `/defaultLimits/${key}`, `point "${key}" is a boolean; limits need a number (use its alarm instead)`));
  }
  for (const key of Object.keys(profile.simulator?.initial ?? {})) {
    if (!(key in profile.points)) problems.push(problemAt(parsed, `/simulator/initial/${key}`, `initial value for unknown point "${key}"`));
  }
  return problems;
}

/** A coil, a discrete input or one bit of a word: the point reads true/false. */
export const isBoolean = (p: ModbusPoint): boolean => p.type === 'bool' || p.bit !== undefined;

/** The point's alarm, run status and value texts must fit what it reads (boolean or number). */
function checkPointMeaning(point: ModbusPoint, at: string, parsed: ParsedYaml): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const bool = isBoolean(point);
  const when = point.alarm?.activeWhen;
  if (when !== undefined && bool !== (typeof when === 'boolean')) {
    problems.push(problemAt(parsed, `${at}/alarm/activeWhen`, bool ? 'a boolean point is in alarm when true or false' : 'a numeric point is in alarm when "nonzero" or at listed values'));
  }
  if (point.running) {
    const r = point.running;
    if ('above' in r ? bool : bool !== (typeof r.when === 'boolean')) {
      problems.push(problemAt(parsed, `${at}/running`, bool ? 'a boolean run status is running when true or false' : 'a numeric run status is running at listed values or above a threshold'));
    }
  }
  for (const key of Object.keys(point.values ?? {})) {
    if (bool !== (key === 'true' || key === 'false')) problems.push(problemAt(parsed, `${at}/values/${key}`, `value text "${key}" does not fit a ${bool ? 'boolean' : 'numeric'} point`));
  }
  if (point.scale === 0) problems.push(problemAt(parsed, `${at}/scale`, 'scale 0 turns every reading into 0'));
  return problems;
}

/** The "not available" raw value of a map-wide word for a point of this type (two words for 32-bit points). */
export function notAvailableRaw(word: number, type: DataType): number {
  return registerCount(type) === 2 ? word * 0x10000 + word : word;
}

/**
 * Returns the profile with every address as a PDU address, so callers never convert again, and the map's
 * not-available word in the sentinels of every register point it applies to (one place decides, the codec checks).
 */
function normalise(profile: ModbusProfile): ModbusProfile {
  const points: Record<string, ModbusPoint> = {};
  for (const [name, p] of Object.entries(profile.points)) {
    const address = profile.addressing === 'one-based' ? toPduAddress(p.address, p.table) : p.address;
    const na = profile.notAvailable !== undefined && p.type !== 'bool' ? notAvailableRaw(profile.notAvailable, p.type) : undefined;
    const sentinels = na === undefined || p.sentinels?.includes(na) ? p.sentinels : [...(p.sentinels ?? []), na];
    points[name] = { ...p, address, ...(sentinels ? { sentinels } : {}) };
  }
  return { ...profile, addressing: 'pdu', points };
}

/** The named profile, which must be a Modbus one (simulators and tests of the Modbus path). */
export function modbusProfile(registry: ProfileRegistry, id: string): ModbusProfile {
  const p = registry.get(id);
  if (p?.protocol !== 'modbus') throw new Error(`no Modbus profile "${id}"`);
  return p;
}
