// The watch on an RTU line's answer frames (issue 12 §1b): the link learns from it that a timed-out request's
// answer has come after all, wherever it landed, so it can never pass for a later request's answer.
import { describe, expect, it } from 'vitest';
import { crc16, watchRtuFrames } from '../../src/sources/modbus/rtu-frames.ts';

/** An RTU frame with its CRC, low byte first (Serial Line §2.5.1). */
const frame = (...bytes: number[]): Buffer => {
  const out = Buffer.alloc(bytes.length + 2);
  Buffer.from(bytes).copy(out);
  out.writeUInt16LE(crc16(out, bytes.length), bytes.length);
  return out;
};

const watch = (): { seen: number[]; input(b: Buffer): void } => {
  const seen: number[] = [];
  const w = watchRtuFrames((unitId) => seen.push(unitId));
  return { seen, input: (b) => w.input(b) };
};

describe('RTU answer frames on a line', () => {
  it('computes CRC-16/MODBUS as the well-known request 01 03 00 00 00 01 carries it: 84 0A', () => {
    expect(frame(0x01, 0x03, 0x00, 0x00, 0x00, 0x01).subarray(6)).toEqual(Buffer.from([0x84, 0x0a]));
  });

  it('sees answers, exceptions and write echoes of several units, in order, however the bytes are split', () => {
    const line = Buffer.concat([frame(1, 4, 2, 0x00, 0xd7), frame(2, 0x84, 2), frame(3, 6, 0, 1, 0, 5), frame(2, 3, 4, 0, 1, 0, 2)]);
    for (const size of [1, 3, 7, line.length]) {
      const w = watch();
      for (let i = 0; i < line.length; i += size) w.input(line.subarray(i, i + size));
      expect(w.seen).toEqual([1, 2, 3, 2]);
    }
  });

  it('steps over noise and a frame with a bad CRC, and finds the good frame after them', () => {
    const bad = frame(1, 4, 2, 0x02, 0x26);
    bad[bad.length - 1]! ^= 0xff;
    const w = watch();
    w.input(Buffer.concat([Buffer.from([0x00, 0xff, 0x13]), bad, frame(2, 4, 2, 0x00, 0xeb)]));
    expect(w.seen).toEqual([2]);
  });

  it('keeps a bounded tail while a long frame is still coming', () => {
    const w = watch();
    w.input(Buffer.from([1, 3, 250])); // says 250 bytes follow
    for (let i = 0; i < 10; i++) w.input(Buffer.alloc(100, 0x55)); // they never make a frame
    w.input(frame(1, 3, 2, 0, 7));
    expect(w.seen).toEqual([1]);
  });
});
