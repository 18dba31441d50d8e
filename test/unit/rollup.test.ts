// Roomwatch's own downsampling (issue 6, L5): 1-minute and 1-hour buckets with min, max, mean, last, count.
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../src/core/reading.ts';
import { createRollups, HOUR_MS, MINUTE_MS } from '../../src/sinks/historian/rollup.ts';

const H0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const r = (ts: number, value: Reading['value'], quality: Reading['quality'] = 'good', point = 'temperature'): Reading => ({
  pointKey: `th1.${point}`, roomId: 'b1', deviceId: 'th1', point, value, unit: '', quality, ts,
});

describe('rollups', () => {
  it('closes a minute when a reading of the next minute arrives: min, max, mean, last, count', () => {
    const ro = createRollups();
    expect(ro.add([r(H0 + 1000, 20), r(H0 + 20_000, 26), r(H0 + 40_000, 23)])).toEqual([]);
    const closed = ro.add([r(H0 + MINUTE_MS, 30)]);
    expect(closed).toEqual([
      { resolution: '1m', pointKey: 'th1.temperature', roomId: 'b1', deviceId: 'th1', point: 'temperature', start: H0, min: 20, max: 26, mean: 23, last: 23, count: 3 },
    ]);
  });

  it('ignores readings that are not good, counts booleans as 1/0, keeps points apart', () => {
    const ro = createRollups();
    ro.add([r(H0, 20), r(H0 + 1, null, 'comm_lost'), r(H0 + 2, 99, 'bad'), r(H0, true, 'good', 'door'), r(H0 + 5, false, 'good', 'door')]);
    const closed = ro.flush(H0 + MINUTE_MS + 5_000);
    const byPoint = Object.fromEntries(closed.filter((c) => c.resolution === '1m').map((c) => [c.point, c]));
    expect(byPoint.temperature).toMatchObject({ min: 20, max: 20, count: 1 });
    expect(byPoint.door).toMatchObject({ min: 0, max: 1, mean: 0.5, last: 0, count: 2 });
  });

  it('flush closes a minute only after its end plus the grace, and an hour only after its last minute', () => {
    const ro = createRollups();
    ro.add([r(H0 + 59 * MINUTE_MS, 10)]);
    expect(ro.flush(H0 + HOUR_MS)).toEqual([]); // within the grace
    const closed = ro.flush(H0 + HOUR_MS + 5_000);
    expect(closed.map((c) => [c.resolution, c.start])).toEqual([['1m', H0 + 59 * MINUTE_MS], ['1h', H0]]);
  });

  it('answers the hours in progress with their open minute folded in, without closing anything (M1: up to now)', () => {
    const ro = createRollups();
    // Minute 58 closed into the open hour, minute 59 skipped, then the next hour's first minute open: the first hour
    // is still open (not flushed) while the second has only its open minute.
    ro.add([r(H0 + 58 * MINUTE_MS, 10), r(H0 + 58 * MINUTE_MS + 1, 14)]);
    ro.add([r(H0 + HOUR_MS + 1000, 30)]);
    ro.add([r(H0 + 30 * MINUTE_MS, 99, 'bad')]);
    const open = ro.openHours().map((h) => [h.start, h.min, h.max, h.mean, h.count]);
    expect(open).toEqual([[H0, 10, 14, 12, 2], [H0 + HOUR_MS, 30, 30, 30, 1]]);
    expect(ro.openHours()).toHaveLength(2); // asked again: the same, nothing was closed or folded twice
    ro.add([r(H0 + HOUR_MS + 2000, 40)]);
    expect(ro.openHours().at(-1)).toMatchObject({ start: H0 + HOUR_MS, min: 30, max: 40, mean: 35, count: 2 });
  });

  it('builds the hour from its minutes, weighted by count', () => {
    const ro = createRollups();
    const out = [];
    for (let m = 0; m < 60; m++) out.push(...ro.add([r(H0 + m * MINUTE_MS, m < 30 ? 10 : 20), r(H0 + m * MINUTE_MS + 1000, m < 30 ? 10 : 20)]));
    out.push(...ro.add([r(H0 + HOUR_MS, 0)]));
    const hour = out.find((c) => c.resolution === '1h');
    expect(hour).toMatchObject({ start: H0, min: 10, max: 20, mean: 15, last: 20, count: 120 });
    expect(out.filter((c) => c.resolution === '1m')).toHaveLength(60);
  });
});

describe('rollups across a restart', () => {
  it('continue the open minute and hour from a saved snapshot (JSON), so the hour covers all of it', () => {
    const before = createRollups();
    for (let m = 0; m < 30; m++) before.add([r(H0 + m * MINUTE_MS, 10), r(H0 + m * MINUTE_MS + 30_000, 10)]);
    const saved = JSON.parse(JSON.stringify(before.snapshot())) as unknown;

    const after = createRollups();
    expect(after.restore(saved)).toBe(2); // the open minute 29 and the open hour
    const out = [];
    for (let m = 30; m < 60; m++) out.push(...after.add([r(H0 + m * MINUTE_MS, 20), r(H0 + m * MINUTE_MS + 30_000, 20)]));
    out.push(...after.add([r(H0 + HOUR_MS, 0)]));
    expect(out.find((c) => c.resolution === '1h')).toMatchObject({ start: H0, count: 120, mean: 15, min: 10, max: 20 });
    expect(out.find((c) => c.resolution === '1m' && c.start === H0 + 29 * MINUTE_MS)).toMatchObject({ count: 2, mean: 10 });
  });

  it('saved in parts (issue 17: no long task at 40,000 points) reads back as the whole snapshot; a bucket closed meanwhile is left out', () => {
    const ro = createRollups();
    const points = ['a', 'b', 'c', 'd', 'e'];
    for (const p of points) ro.add([r(H0, 10, 'good', p), r(H0 + 30_000, 12, 'good', p)]);
    expect(JSON.parse([...ro.snapshotParts(2)].join(''))).toEqual(JSON.parse(JSON.stringify(ro.snapshot())));

    const parts = ro.snapshotParts(2);
    const text = [parts.next().value as string];
    ro.add([r(H0 + MINUTE_MS, 11, 'good', 'e')]); // point e's minute closes before its part is made
    for (const part of parts) text.push(part);
    const saved = JSON.parse(text.join('')) as { minutes: unknown[][] };
    expect(saved.minutes.map((b) => b[0])).toEqual(['th1.a', 'th1.b', 'th1.c', 'th1.d']);
    expect(createRollups().restore(saved)).toBe(4); // the four open minutes (no hour was open when the parts began)
  });

  it('ignores a snapshot it does not understand', () => {
    const ro = createRollups();
    expect(ro.restore(null)).toBe(0);
    expect(ro.restore({ version: 3, minutes: [], hours: [] })).toBe(0);
    expect(ro.restore({ version: 1, minutes: [{ r: { pointKey: 1 } }], hours: 'x' })).toBe(0);
    expect(ro.restore({ version: 2, minutes: [['th1.temperature', 'b1', 'th1', 'temperature', H0, 1, 1, 1, 'one', 1, H0]], hours: [] })).toBe(0);
  });

  it('read a snapshot saved before issue 17 (buckets as objects, version 1)', () => {
    const before = createRollups();
    before.add([r(H0, 10), r(H0 + 30_000, 30)]);
    // The version-1 form: each bucket as { r: Rollup, sum, lastTs }.
    const v1 = {
      version: 1,
      minutes: [{ r: { resolution: '1m', pointKey: 'th1.temperature', roomId: 'b1', deviceId: 'th1', point: 'temperature', start: H0, min: 10, max: 30, mean: 10, last: 30, count: 2 }, sum: 40, lastTs: H0 + 30_000 }],
      hours: [],
    };
    const after = createRollups();
    expect(after.restore(v1)).toBe(1);
    expect(after.add([r(H0 + MINUTE_MS, 0)])).toEqual(before.add([r(H0 + MINUTE_MS, 0)]));
  });
});
