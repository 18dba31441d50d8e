// Pure Modbus value handling: register words / bits → engineering values, the inverse for the simulator,
// and the read plan that merges the points of one unit into few requests.
// Value path (style.md, Home Assistant modbus): raw → fault sentinel → scale and offset → precision → physical range.
import type { ModbusPoint, RegisterTable } from '../../devices/profile-schema.ts';
import { registerCount } from '../../devices/profiles.ts';

export type Decoded =
  | { readonly quality: 'good'; readonly value: number | boolean }
  | { readonly quality: 'bad'; readonly value: null; readonly detail: string };

/** Words of FC03/04 (uint16 as on the wire) or bits of FC01/02, as modbus-serial returns them. */
export type RegisterData = readonly (number | boolean)[];

export interface PointCodec {
  /** Full value path: raw → sentinel → scale/offset → precision → range. */
  decode(data: RegisterData, at: number): Decoded;
  /** Engineering value without the sentinel check (bool as 1/0); for the simulator's `get`. */
  toEngineering(data: RegisterData, at: number): number;
  /** Engineering value → register words (or one 0/1 bit). Throws RangeError if it cannot be represented. */
  encode(value: number): number[];
}

const swap16 = (w: number): number => ((w & 0xff) << 8) | ((w >>> 8) & 0xff);

/**
 * Builds the decoder and encoder of one point once, so the poll loop does no per-reading set-up.
 * Byte orders name the value's bytes A (most significant) … D in wire order (Telegraf's convention,
 * devices.md §5): ABCD big-endian, CDAB word-swapped, BADC byte-swapped, DCBA little-endian.
 * 16-bit values only see the byte swap inside the word (BADC/DCBA swap, ABCD/CDAB do not).
 */
export function compileCodec(point: ModbusPoint): PointCodec {
  // Codecs are pure: one per profile point, shared by every device of that profile (2,000 pumps of one
  // model do not need 2,000 copies of the same closures).
  let codec = codecs.get(point);
  if (!codec) {
    codec = buildCodec(point);
    codecs.set(point, codec);
  }
  return codec;
}

const codecs = new WeakMap<ModbusPoint, PointCodec>();

function buildCodec(point: ModbusPoint): PointCodec {
  if (point.type === 'bool') return boolCodec;
  if (point.bit !== undefined) return bitCodec(point, point.bit);
  const order = point.byteOrder ?? 'ABCD';
  const words = registerCount(point.type);
  const swapBytes = order === 'BADC' || order === 'DCBA';
  const swapWords = order === 'CDAB' || order === 'DCBA';
  const scale = point.scale ?? 1;
  const offset = point.offset ?? 0;
  const sentinels = new Set(point.sentinels ?? []);
  const round = rounder(point);
  const type = point.type;
  const range = point.range;

  /** Unsigned bit pattern of the value (uint16 or uint32), bytes put back in ABCD order; -1 if data is short. */
  const unsigned = (data: RegisterData, at: number): number => {
    const w0 = data[at];
    if (typeof w0 !== 'number') return -1;
    if (words === 1) return swapBytes ? swap16(w0) : w0 & 0xffff;
    const w1 = data[at + 1];
    if (typeof w1 !== 'number') return -1;
    let hi = swapWords ? w1 : w0;
    let lo = swapWords ? w0 : w1;
    if (swapBytes) {
      hi = swap16(hi);
      lo = swap16(lo);
    }
    return (hi & 0xffff) * 0x10000 + (lo & 0xffff);
  };

  const typed = (u: number): number => {
    switch (type) {
      case 'int16':
        return u >= 0x8000 ? u - 0x10000 : u; // two's complement: 0xFF33 = −205 (devices.md §1a)
      case 'int32':
        return u | 0;
      case 'float32':
        scratch.setUint32(0, u);
        return shortestFloat32(scratch.getFloat32(0));
      default:
        return u;
    }
  };

  const toEngineering = (data: RegisterData, at: number): number => {
    const u = unsigned(data, at);
    return u < 0 ? Number.NaN : round(typed(u) * scale + offset);
  };

  return {
    decode(data, at) {
      const u = unsigned(data, at);
      if (u < 0) return { quality: 'bad', value: null, detail: `short response: ${words} register(s) expected at offset ${at}` };
      const raw = typed(u);
      // A sentinel may be written as the bit pattern (0x8000) or as the typed value (-32768).
      if (sentinels.has(u) || sentinels.has(raw)) {
        return { quality: 'bad', value: null, detail: `fault sentinel 0x${u.toString(16).toUpperCase().padStart(words * 4, '0')} (no sensor / not available)` };
      }
      if (!Number.isFinite(raw)) return { quality: 'bad', value: null, detail: `not a number (float32 0x${u.toString(16).toUpperCase().padStart(8, '0')})` };
      const value = round(raw * scale + offset);
      // A value the sensor cannot physically give (an open probe's 3276.7 °C, a wrong scale) is a fault, not a reading.
      if (range && (value < range.min || value > range.max)) {
        return { quality: 'bad', value: null, detail: `out of range: ${value} ${point.unit} is outside ${range.min} … ${range.max} (raw 0x${u.toString(16).toUpperCase().padStart(words * 4, '0')})` };
      }
      return { quality: 'good', value };
    },
    toEngineering,
    encode(value) {
      if (!Number.isFinite(value)) throw new RangeError(`value ${value} is not a finite number`);
      if (scale === 0) throw new RangeError('a point with scale 0 cannot be encoded');
      const exact = (value - offset) / scale;
      const u = toUnsigned(type, type === 'float32' ? exact : roundHalfAway(exact), value, point);
      if (words === 1) return [swapBytes ? swap16(u) : u];
      let hi = (u >>> 16) & 0xffff;
      let lo = u & 0xffff;
      if (swapBytes) {
        hi = swap16(hi);
        lo = swap16(lo);
      }
      return swapWords ? [lo, hi] : [hi, lo];
    },
  };
}

const scratch = new DataView(new ArrayBuffer(4));

const boolCodec: PointCodec = {
  decode(data, at) {
    const v = data[at];
    if (v === undefined) return { quality: 'bad', value: null, detail: `short response: no bit at offset ${at}` };
    return { quality: 'good', value: typeof v === 'boolean' ? v : v !== 0 };
  },
  toEngineering(data, at) {
    const v = data[at];
    return v === undefined ? Number.NaN : v === true || (typeof v === 'number' && v !== 0) ? 1 : 0;
  },
  encode(value) {
    if (!Number.isFinite(value)) throw new RangeError(`value ${value} is not a finite number`);
    return [value !== 0 ? 1 : 0];
  },
};

/**
 * One bit of a 16-bit status word (e.g. ABB drives' status word: bit 3 TRIPPED, devices.md §2c). A sentinel
 * on the whole word still makes the point bad. `encode` gives the word with only this bit set or clear;
 * the simulator merges it into the other bits.
 */
function bitCodec(point: ModbusPoint, bit: number): PointCodec {
  const swapBytes = point.byteOrder === 'BADC' || point.byteOrder === 'DCBA';
  const sentinels = new Set((point.sentinels ?? []).map((v) => v & 0xffff));
  const word = (data: RegisterData, at: number): number => {
    const w = data[at];
    return typeof w !== 'number' ? -1 : swapBytes ? swap16(w) : w & 0xffff;
  };
  return {
    decode(data, at) {
      const w = word(data, at);
      if (w < 0) return { quality: 'bad', value: null, detail: `short response: 1 register expected at offset ${at}` };
      if (sentinels.has(w)) return { quality: 'bad', value: null, detail: `fault sentinel 0x${w.toString(16).toUpperCase().padStart(4, '0')} (no sensor / not available)` };
      return { quality: 'good', value: ((w >> bit) & 1) === 1 };
    },
    toEngineering(data, at) {
      const w = word(data, at);
      return w < 0 ? Number.NaN : (w >> bit) & 1;
    },
    encode(value) {
      if (!Number.isFinite(value)) throw new RangeError(`value ${value} is not a finite number`);
      const w = value !== 0 ? 1 << bit : 0;
      return [swapBytes ? swap16(w) : w];
    },
  };
}

const ranges = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
} as const;

function toUnsigned(type: ModbusPoint['type'], raw: number, value: number, point: ModbusPoint): number {
  if (type === 'float32') {
    scratch.setFloat32(0, raw);
    if (!Number.isFinite(scratch.getFloat32(0))) throw new RangeError(`value ${value} does not fit a float32`);
    return scratch.getUint32(0);
  }
  if (type === 'bool') return raw !== 0 ? 1 : 0;
  const [min, max] = ranges[type];
  if (raw < min || raw > max) {
    const lo = min * (point.scale ?? 1) + (point.offset ?? 0);
    const hi = max * (point.scale ?? 1) + (point.offset ?? 0);
    throw new RangeError(`value ${value} is outside what ${type} × ${point.scale ?? 1} can hold (${Math.min(lo, hi)} … ${Math.max(lo, hi)})`);
  }
  return raw < 0 ? raw + (type === 'int16' ? 0x10000 : 0x100000000) : raw;
}

/** Symmetric rounding, so −20.55 and 20.55 round alike (Math.round rounds halves towards +∞). */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Rounding to `precision` decimals. Without one, integer types round to the resolution of scale and
 * offset (×0.1 → 1 decimal; 0.01 K − 273.15 → 2), which removes float noise like 30.500000000000004;
 * float32 values are read as the shortest decimal of that float (21.7, not 21.700000762939453) before
 * scale and offset, and the double noise of those is trimmed at 15 digits.
 */
function rounder(point: ModbusPoint): (x: number) => number {
  const decimals = point.precision ?? (point.type === 'float32' ? undefined : Math.max(decimalsOf(point.scale ?? 1), decimalsOf(point.offset ?? 0)));
  if (decimals === undefined) return (x) => Number(x.toPrecision(15)) || 0;
  const f = 10 ** decimals;
  return (x) => roundHalfAway(x * f) / f || 0; // `|| 0` turns −0 into 0
}

/** The shortest decimal that is the same float32 (at most 9 significant digits are ever needed). */
function shortestFloat32(f: number): number {
  for (let p = 1; p < 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

function decimalsOf(n: number): number {
  for (let d = 0; d < 6; d++) {
    const scaled = n * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, Math.abs(scaled))) return d;
  }
  return 6;
}

/** Decodes one point from the data of a read that starts `at` words (or bits) before it. */
export function decode(point: ModbusPoint, data: RegisterData, at = 0): Decoded {
  return compileCodec(point).decode(data, at);
}

/** The inverse of `decode` for the simulator: engineering value → register words (or one bit). */
export function encode(point: ModbusPoint, value: number): number[] {
  return compileCodec(point).encode(value);
}

// ---- read planning -------------------------------------------------------------------------------

export interface PlanOptions {
  /** Unused registers (or bits) a request may span to join two points; Telegraf `max_insert` style. */
  maxGap?: number;
  /** Modbus limits per request: 125 registers (FC03/04), 2000 bits (FC01/02); devices.md §5. */
  maxRegisters?: number;
  maxBits?: number;
}

export interface ReadBlock<P extends { spec: ModbusPoint }> {
  table: RegisterTable;
  /** PDU address of the first register/bit of the request. */
  address: number;
  count: number;
  /** The points in this request, each with its offset (in words or bits) from `address`. */
  items: { point: P; offset: number }[];
}

const tableOrder: readonly RegisterTable[] = ['coil', 'discrete', 'holding', 'input'];

/**
 * Groups the points of one unit by table into contiguous requests: a point joins the current request
 * when the gap of unused registers before it is at most `maxGap` and the request stays within the
 * per-request cap (devices.md §5 implication 3). Each point keeps its own decoder; only reads are shared.
 */
export function planReads<P extends { spec: ModbusPoint }>(points: readonly P[], options: PlanOptions = {}): ReadBlock<P>[] {
  const maxGap = options.maxGap ?? 10;
  const blocks: ReadBlock<P>[] = [];
  for (const table of tableOrder) {
    const cap = table === 'coil' || table === 'discrete' ? (options.maxBits ?? 2000) : (options.maxRegisters ?? 125);
    const inTable = points.filter((p) => p.spec.table === table).sort((a, b) => a.spec.address - b.spec.address);
    let block: ReadBlock<P> | undefined;
    for (const point of inTable) {
      const start = point.spec.address;
      const end = start + registerCount(point.spec.type);
      if (block && start - (block.address + block.count) <= maxGap && end - block.address <= cap) {
        block.count = Math.max(block.count, end - block.address);
        block.items.push({ point, offset: start - block.address });
      } else {
        block = { table, address: start, count: end - start, items: [{ point, offset: 0 }] };
        blocks.push(block);
      }
    }
  }
  return blocks;
}

/** One request per point: the fallback when a device rejects a merged read (devices.md §5 implication 3). */
export function splitBlock<P extends { spec: ModbusPoint }>(block: ReadBlock<P>): ReadBlock<P>[] {
  return block.items.map(({ point }) => ({
    table: block.table,
    address: point.spec.address,
    count: registerCount(point.spec.type),
    items: [{ point, offset: 0 }],
  }));
}
