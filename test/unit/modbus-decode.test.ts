// Golden cases for the Modbus value path (raw → sentinel → scale/offset → precision) and the read plan.
// Register values come from the sources collected in shared/reference/devices.md.
import { describe, it, expect } from 'vitest';
import { compileCodec, decode, encode, planReads, splitBlock } from '../../src/sources/modbus/decode.ts';
import type { ModbusPoint } from '../../src/devices/profile-schema.ts';

const label = { en: 'x', 'zh-CN': 'x' };
const point = (p: Partial<ModbusPoint> & Pick<ModbusPoint, 'type'>): ModbusPoint => ({
  label,
  quantity: 'temperature',
  table: 'input',
  address: 0,
  unit: '°C',
  ...p,
});

/** XY-MD02 temperature: FC04, int16 two's complement, ×0.1 (devices.md §1a; devices/xy-md02.yaml). */
const xyTemperature = point({ type: 'int16', scale: 0.1, precision: 1 });
/** Grundfos CIM liquid temperature: uint16, 0.01 K, −273.15, 0xFFFF = not available (devices.md §2a). */
const grundfosTemperature = point({ type: 'uint16', table: 'holding', scale: 0.01, offset: -273.15, sentinels: [0xffff] });
/** R4DCB08 channel: int16 ×0.1, 0x8000 = no sensor (devices.md §1c). */
const r4dcb08Channel = point({ type: 'int16', table: 'holding', scale: 0.1, sentinels: [0x8000] });

const good = (value: number | boolean) => ({ quality: 'good', value });

describe('decode: 16-bit registers', () => {
  it('reads the XY-MD02 frame of devices.md §1a: 0x0131 is 30.5 °C', () => {
    expect(decode(xyTemperature, [0x0131])).toEqual(good(30.5));
  });

  it('reads negative temperatures as two\'s complement: 0xFF33 is −20.5 °C, not 6533.1', () => {
    expect(decode(xyTemperature, [0xff33])).toEqual(good(-20.5));
    expect(decode(xyTemperature, [0xffff])).toEqual(good(-0.1));
    expect(decode(xyTemperature, [0x8001])).toEqual(good(-3276.7));
  });

  it('reads uint16 without a sign', () => {
    expect(decode(point({ type: 'uint16' }), [0xff33])).toEqual(good(65331));
    expect(decode(point({ type: 'uint16', scale: 0.1 }), [0xff33])).toEqual(good(6533.1));
    expect(decode(point({ type: 'uint16' }), [0])).toEqual(good(0));
  });

  it('takes the value at the point\'s offset inside a longer read', () => {
    expect(decode(xyTemperature, [0x0131, 0x0222], 1)).toEqual(good(54.6)); // humidity word of the §1a frame
  });

  it('swaps the bytes of a 16-bit word for BADC/DCBA, not for ABCD/CDAB', () => {
    expect(decode(point({ type: 'uint16', byteOrder: 'BADC' }), [0x3412])).toEqual(good(0x1234));
    expect(decode(point({ type: 'uint16', byteOrder: 'DCBA' }), [0x3412])).toEqual(good(0x1234));
    expect(decode(point({ type: 'uint16', byteOrder: 'CDAB' }), [0x1234])).toEqual(good(0x1234));
  });
});

describe('decode: 32-bit values in all four byte orders', () => {
  // 0x12345678 as the wire carries it in each order (Telegraf's byte_order names; devices.md §5).
  const orders = {
    ABCD: [0x1234, 0x5678],
    CDAB: [0x5678, 0x1234],
    BADC: [0x3412, 0x7856],
    DCBA: [0x7856, 0x3412],
  } as const;
  // 0xFFFFFF85 = −123 as int32, 4294967173 as uint32.
  const negative = {
    ABCD: [0xffff, 0xff85],
    CDAB: [0xff85, 0xffff],
    BADC: [0xffff, 0x85ff],
    DCBA: [0x85ff, 0xffff],
  } as const;
  // float32 21.5 = 0x41AC0000, −12.25 = 0xC1440000.
  const float215 = {
    ABCD: [0x41ac, 0x0000],
    CDAB: [0x0000, 0x41ac],
    BADC: [0xac41, 0x0000],
    DCBA: [0x0000, 0xac41],
  } as const;

  for (const order of ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const) {
    it(`${order}: uint32, int32, float32`, () => {
      expect(decode(point({ type: 'uint32', byteOrder: order }), [...orders[order]])).toEqual(good(0x12345678));
      expect(decode(point({ type: 'int32', byteOrder: order }), [...orders[order]])).toEqual(good(0x12345678));
      expect(decode(point({ type: 'int32', byteOrder: order }), [...negative[order]])).toEqual(good(-123));
      expect(decode(point({ type: 'uint32', byteOrder: order }), [...negative[order]])).toEqual(good(4294967173));
      expect(decode(point({ type: 'float32', byteOrder: order }), [...float215[order]])).toEqual(good(21.5));
    });
  }

  it('defaults to ABCD (big-endian, high word first, as Grundfos documents its uint32 values)', () => {
    expect(decode(point({ type: 'uint32' }), [0x0001, 0x0000])).toEqual(good(65536));
  });

  it('reads float32 without float noise and with scale', () => {
    expect(decode(point({ type: 'float32' }), [0xc144, 0x0000])).toEqual(good(-12.25));
    expect(decode(point({ type: 'float32' }), [0x41ad, 0x999a])).toEqual(good(21.7)); // not 21.700000762939453
    expect(decode(point({ type: 'float32', scale: 10 }), [0x41ac, 0x0000])).toEqual(good(215));
    expect(decode(point({ type: 'float32', scale: 0.1 }), [0x41ad, 0x999a])).toEqual(good(2.17)); // not 2.1700000000000004
    expect(decode(point({ type: 'float32' }), [0x4b7f, 0xffff])).toEqual(good(16777215)); // all 24 mantissa bits kept
  });

  it('marks NaN and infinite floats bad', () => {
    const nan = decode(point({ type: 'float32' }), [0x7fc0, 0x0000]);
    expect(nan.quality).toBe('bad');
    expect(nan.value).toBeNull();
    expect(decode(point({ type: 'float32' }), [0x7f80, 0x0000]).quality).toBe('bad');
  });
});

describe('decode: sentinels, scale, offset, precision', () => {
  it('marks the R4DCB08 "no sensor" value 0x8000 bad, with the raw value in the detail', () => {
    const d = decode(r4dcb08Channel, [0x8000]);
    expect(d).toEqual({ quality: 'bad', value: null, detail: expect.stringContaining('0x8000') });
    expect(decode(r4dcb08Channel, [0x00fa])).toEqual(good(25));
  });

  it('accepts a sentinel written as the signed value too', () => {
    expect(decode(point({ type: 'int16', sentinels: [-32768] }), [0x8000]).quality).toBe('bad');
    expect(decode(point({ type: 'int16', sentinels: [32767] }), [0x7fff]).quality).toBe('bad'); // Chiltrix "sensor faulty"
  });

  it('checks the sentinel on the raw value, before scale and offset', () => {
    // 0xFFFF would scale to 382.2 °C; it means "not available" on Grundfos CIM (devices.md §2a).
    expect(decode(grundfosTemperature, [0xffff])).toEqual({ quality: 'bad', value: null, detail: expect.stringContaining('0xFFFF') });
  });

  it('applies Grundfos 0.01 K − 273.15 and rounds away the float noise', () => {
    expect(decode(grundfosTemperature, [29815])).toEqual(good(25)); // 25.000000000000057 before rounding
    expect(decode(grundfosTemperature, [29465])).toEqual(good(21.5));
    expect(decode(grundfosTemperature, [27315])).toEqual(good(0));
    expect(decode(grundfosTemperature, [26815])).toEqual(good(-5));
  });

  it('rounds to the point\'s precision, halves away from zero', () => {
    expect(decode(point({ type: 'int16', scale: 0.1, precision: 0 }), [0x0131])).toEqual(good(31));
    expect(decode(point({ type: 'int16', scale: 0.1, precision: 0 }), [0xff33])).toEqual(good(-21));
    expect(decode(point({ type: 'uint16', scale: 0.001, precision: 2 }), [1234])).toEqual(good(1.23)); // Grundfos head, bar
    expect(decode(point({ type: 'float32', precision: 1 }), [0x41ad, 0x999a])).toEqual(good(21.7));
  });

  it('never returns −0', () => {
    expect(Object.is((decode(point({ type: 'int16', scale: 0.1, precision: 0 }), [0xfffe]) as { value: number }).value, 0)).toBe(true);
  });

  it('reads bits as booleans', () => {
    const contact = point({ type: 'bool', table: 'discrete', quantity: 'status', unit: '' });
    expect(decode(contact, [false, true, false], 1)).toEqual(good(true));
    expect(decode(contact, [false, true, false], 2)).toEqual(good(false));
  });

  it('reports a short response instead of inventing a value', () => {
    expect(decode(point({ type: 'uint32' }), [0x0001]).quality).toBe('bad');
    expect(decode(xyTemperature, [], 0).quality).toBe('bad');
  });
});

describe('encode (the simulator side) and round trips', () => {
  it('encodes the XY-MD02 values of devices.md §1a', () => {
    expect(encode(xyTemperature, 30.5)).toEqual([0x0131]);
    expect(encode(xyTemperature, -20.5)).toEqual([0xff33]);
    expect(encode(xyTemperature, 41.5)).toEqual([415]);
    expect(encode(xyTemperature, -5.2)).toEqual([0xffcc]);
  });

  it('encodes with offset and byte order', () => {
    expect(encode(grundfosTemperature, 25)).toEqual([29815]);
    expect(encode(point({ type: 'uint32', byteOrder: 'CDAB' }), 0x12345678)).toEqual([0x5678, 0x1234]);
    expect(encode(point({ type: 'int32', byteOrder: 'DCBA' }), -123)).toEqual([0x85ff, 0xffff]);
    expect(encode(point({ type: 'float32', byteOrder: 'BADC' }), 21.5)).toEqual([0xac41, 0x0000]);
  });

  it('refuses values the registers cannot hold', () => {
    expect(() => encode(xyTemperature, 5000)).toThrow(RangeError);
    expect(() => encode(point({ type: 'uint16' }), -1)).toThrow(RangeError);
    expect(() => encode(xyTemperature, Number.NaN)).toThrow(RangeError);
    expect(() => encode(point({ type: 'float32' }), 1e40)).toThrow(RangeError);
  });

  const cases: [ModbusPoint, number[]][] = [
    [xyTemperature, [-40, -20.5, -5.2, -0.1, 0, 0.1, 26.5, 41.5, 125]],
    [grundfosTemperature, [-20, 0, 25, 99.99]],
    [point({ type: 'uint16', scale: 0.1 }), [0, 6553.5]],
    [point({ type: 'int32', scale: 0.01 }), [-21474836.48, -1.5, 0, 21474836.47]],
    [point({ type: 'uint32' }), [0, 1, 4294967295]],
  ];
  for (const [spec, values] of cases) {
    for (const order of ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const) {
      it(`round trip ${spec.type} ×${spec.scale ?? 1}${spec.offset ? ` ${spec.offset}` : ''} ${order}`, () => {
        const p = { ...spec, byteOrder: order };
        for (const v of values) expect(decode(p, encode(p, v))).toEqual(good(v));
      });
    }
  }

  it('round trips float32 to float32 precision', () => {
    const p = point({ type: 'float32', byteOrder: 'CDAB' });
    for (const v of [-12.25, 0, 3.14159, 1234.567, 21.7, 16777215, 1e-7]) expect(decode(p, encode(p, v))).toEqual(good(v));
  });

  it('gives the simulator the value as a client would read it', () => {
    const codec = compileCodec(xyTemperature);
    expect(codec.toEngineering(codec.encode(41.54), 0)).toBe(41.5);
  });
});

describe('planReads', () => {
  const at = (name: string, address: number, type: ModbusPoint['type'] = 'uint16', table: ModbusPoint['table'] = 'holding') => ({
    name,
    spec: point({ type, address, table, ...(type === 'bool' ? { unit: '', quantity: 'status' as const } : {}) }),
  });
  const shape = (blocks: ReturnType<typeof planReads<ReturnType<typeof at>>>) =>
    blocks.map((b) => ({ table: b.table, address: b.address, count: b.count, items: b.items.map((i) => [i.point.name, i.offset]) }));

  it('reads the XY-MD02 temperature and humidity in one request (the §1a frame: 01 04 00 01 00 02)', () => {
    const points = [at('temperature', 1, 'int16', 'input'), at('humidity', 2, 'int16', 'input')];
    expect(shape(planReads(points))).toEqual([{ table: 'input', address: 1, count: 2, items: [['temperature', 0], ['humidity', 1]] }]);
  });

  it('bridges a gap of up to maxGap unused registers (default 10), no more', () => {
    expect(shape(planReads([at('a', 0), at('b', 11)]))).toEqual([{ table: 'holding', address: 0, count: 12, items: [['a', 0], ['b', 11]] }]);
    expect(planReads([at('a', 0), at('b', 12)])).toHaveLength(2);
    expect(planReads([at('a', 0), at('b', 2)], { maxGap: 0 })).toHaveLength(2);
    expect(planReads([at('a', 0), at('b', 1)], { maxGap: 0 })).toHaveLength(1);
  });

  it('counts 32-bit points as two registers and sorts by address', () => {
    // Grundfos CIM power 00312–313, operating hours 00327–328, energy 00332–333 (devices.md §2a), as PDU.
    const grundfos = [at('energy', 331, 'uint32'), at('power', 311, 'uint32'), at('hours', 326, 'uint32')];
    expect(shape(planReads(grundfos))).toEqual([
      { table: 'holding', address: 311, count: 2, items: [['power', 0]] }, // 13 unused registers to hours
      { table: 'holding', address: 326, count: 7, items: [['hours', 0], ['energy', 5]] },
    ]);
    expect(shape(planReads(grundfos, { maxGap: 13 }))).toEqual([
      { table: 'holding', address: 311, count: 22, items: [['power', 0], ['hours', 15], ['energy', 20]] },
    ]);
  });

  it('never asks for more than 125 registers or 2000 bits in one request', () => {
    expect(planReads([at('a', 0), at('b', 124)], { maxGap: 200 })).toHaveLength(1);
    expect(planReads([at('a', 0), at('b', 124, 'uint32')], { maxGap: 200 })).toHaveLength(2); // would end at 126
    const many = Array.from({ length: 200 }, (_, i) => at(`p${i}`, i));
    const blocks = planReads(many);
    expect(blocks.map((b) => [b.address, b.count])).toEqual([[0, 125], [125, 75]]);
    expect(blocks.every((b) => b.count <= 125)).toBe(true);
    const bits = Array.from({ length: 2500 }, (_, i) => at(`c${i}`, i, 'bool', 'coil'));
    expect(planReads(bits).map((b) => [b.address, b.count])).toEqual([[0, 2000], [2000, 500]]);
    expect(planReads([at('a', 0), at('b', 10)], { maxRegisters: 10 })).toHaveLength(2);
  });

  it('keeps tables apart, even at the same address', () => {
    const blocks = planReads([at('h', 1, 'uint16', 'holding'), at('i', 1, 'uint16', 'input'), at('c', 1, 'bool', 'coil'), at('d', 1, 'bool', 'discrete')]);
    expect(blocks.map((b) => b.table)).toEqual(['coil', 'discrete', 'holding', 'input']);
    expect(blocks.every((b) => b.items.length === 1)).toBe(true);
  });

  it('splits a block into one request per point for devices that refuse merged reads', () => {
    const [block] = planReads([at('a', 0), at('b', 5, 'int32')]);
    expect(shape(splitBlock(block!))).toEqual([
      { table: 'holding', address: 0, count: 1, items: [['a', 0]] },
      { table: 'holding', address: 5, count: 2, items: [['b', 0]] },
    ]);
  });
});
