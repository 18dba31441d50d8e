// RTU answer frames as they arrive on a line (Modbus over Serial Line 1.02 §2.5.1), seen by our own parse of the
// raw input, apart from modbus-serial's: its ports look only for the answer to the request in flight and skip
// or drop everything else silently, so a unit's late answer landing while another unit is asked was never
// seen. The link uses the frames seen to know that a timed-out request's answer has come after all (issue 12
// §1b: a late answer must never pass for a later request's).

const crcTable = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF) of `buf[start, end)`; sent low byte first. */
export function crc16(buf: Buffer, end = buf.length, start = 0): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ crcTable[(crc ^ buf[i]!) & 0xff]!;
  return crc;
}

/** Length of the answer frame starting at `i`: 0 if more bytes are needed, -1 if it cannot be one. */
function answerLength(buf: Buffer, i: number): number {
  if (buf.length - i < 3) return 0;
  const fc = buf[i + 1]!;
  if (fc & 0x80) return 5; // exception: unit, fc | 0x80, code, CRC
  if (fc >= 1 && fc <= 4) return 5 + buf[i + 2]!; // reads: unit, fc, byte count, data, CRC
  if (fc === 5 || fc === 6 || fc === 15 || fc === 16) return 8; // write echoes
  return -1;
}

/** Longest run of input kept while looking for a frame: an RTU frame is at most 256 bytes (§2.5.1). */
const maxKept = 512;

/**
 * Returns a sink for the raw input of one line; it calls `onFrame(unitId)` for every answer frame with a good
 * CRC, in arrival order. Noise and broken frames are stepped over a byte at a time; a start that may be a frame
 * still coming is kept, unless a whole good frame follows it (then it was noise: frames do not overlap).
 */
export function watchRtuFrames(onFrame: (unitId: number) => void): { input(chunk: Buffer): void; reset(): void } {
  let buf: Buffer = Buffer.alloc(0);
  return {
    input(chunk) {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let keepFrom = -1; // the first start that may be a frame whose rest has not come yet
      let i = 0;
      while (i < buf.length) {
        const len = answerLength(buf, i);
        if (len === 0 || (len > 0 && buf.length - i < len)) {
          if (keepFrom < 0) keepFrom = i;
        } else if (len > 0 && crc16(buf, i + len - 2, i) === buf.readUInt16LE(i + len - 2)) {
          onFrame(buf[i]!);
          i += len;
          keepFrom = -1;
          continue;
        }
        i++;
      }
      buf = buf.subarray(Math.max(keepFrom < 0 ? buf.length : keepFrom, buf.length - maxKept));
    },
    reset() {
      buf = Buffer.alloc(0);
    },
  };
}
