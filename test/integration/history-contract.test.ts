// One contract for trends and window statistics, run against both history backends (issue 6): the embedded local
// store and a real influxd through the outbox. Same readings in, same answers out: raw, 1-minute and 1-hour
// rollups, and the shift report's min/max/mean over a window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SiteConfig } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { TREND_MAX_POINTS } from '../../src/contract/history.ts';
import { createHistory, type History } from '../../src/sinks/historian/history.ts';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { realPart } from '../helpers/real-parts.ts';

const influxPart = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');

// Two hours and ten minutes of two points, every 10 s, starting on an hour boundary a day ago.
const H0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000;
const STEP = 10_000;
const N = (2 * 3600 + 600) / 10;
const temp = (i: number): number => 20 + (i % 6); // 20..25 within every minute: min 20, max 25, mean 22.5
const hum = (i: number): number => 50 + Math.floor(i / 360); // 50 in the first hour, 51 in the second, 52 after
/** The history's clock stands just after the last reading: the last minute (H0 + 2 h 9 min) is still open. */
const END = H0 + N * STEP;
function readingsAt(i: number): Reading[] {
  const base = { roomId: 'dist-room-b1', deviceId: 'th1', unit: '', quality: 'good' as const, ts: H0 + i * STEP };
  return [
    { ...base, pointKey: 'th1.temperature', point: 'temperature', value: temp(i) },
    { ...base, pointKey: 'th1.humidity', point: 'humidity', value: hum(i) },
  ];
}

function siteConfig(influxUrl?: string): SiteConfig {
  return {
    site: { id: 'contract-site', name: { en: 'C', 'zh-CN': 'C' } },
    rooms: [{ id: 'dist-room-b1', kind: 'distribution', name: { en: 'B1', 'zh-CN': 'B1' } }],
    devices: [],
    users: [{ username: 'duty', displayName: 'Duty', role: 'duty', password: 'duty' }],
    ...(influxUrl ? { historian: { influx: { url: influxUrl, database: 'rw_contract', flushIntervalMs: 20 } } } : {}),
  };
}

const FAST_STEP = 500;
function fastAt(i: number): Reading {
  return { roomId: 'dist-room-b1', deviceId: 'th1', unit: '', quality: 'good', ts: H0 + i * FAST_STEP, pointKey: 'th1.fast', point: 'fast', value: i % 7 };
}

const dirs: string[] = [];
const histories: History[] = [];
let influxd: RunningInfluxd | undefined;

afterAll(async () => {
  for (const h of histories) await h.stop();
  await influxd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const backends: { name: string; skip: boolean; make(): Promise<History> }[] = [
  {
    name: 'local SQLite store',
    skip: false,
    async make() {
      const dir = mkdtempSync(join(tmpdir(), 'rw-contract-'));
      dirs.push(dir);
      return createHistory({ config: siteConfig(), dataDir: dir, logger: silentLogger, clock: { now: () => END } });
    },
  },
  {
    name: 'InfluxDB (real influxd, through the outbox)',
    skip: influxPart.skip,
    async make() {
      influxd = await startInfluxd();
      const dir = mkdtempSync(join(tmpdir(), 'rw-contract-'));
      dirs.push(dir);
      return createHistory({ config: siteConfig(influxd.url), dataDir: dir, logger: silentLogger, clock: { now: () => END } });
    },
  },
];

describe.each(backends)('history contract: $name', ({ make, skip }) => {
  let h: History;
  beforeAll(async () => {
    if (skip) return;
    h = await make();
    histories.push(h);
    await h.start();
    for (let i = 0; i < N; i++) h.writeReadings(readingsAt(i));
    // One point read every 500 ms: more raw readings in 2 hours than a trend answer may hold (TREND_MAX_POINTS).
    for (let i = 0; i <= TREND_MAX_POINTS; i++) h.writeReadings([fastAt(i)]);
    await vi.waitFor(() => expect(h.status().outboxPoints).toBe(0), { timeout: 60_000, interval: 100 });
  }, 120_000);

  it.skipIf(skip)('answers raw, 1-minute and 1-hour trends from the same readings', { timeout: 120_000 }, async () => {
    const keys = ['th1.temperature', 'th1.humidity'];
    // Raw, the first 10 minutes: 60 readings each, exact values.
    const raw = await vi.waitFor(async () => {
      const v = await h.trend(keys, H0, H0 + 600_000, 'auto');
      expect(v.series[0]!.t).toHaveLength(60);
      return v;
    }, { timeout: 30_000, interval: 200 });
    expect(raw.resolution).toBe('raw');
    expect(raw.series.map((s) => s.pointKey)).toEqual(keys);
    expect(raw.series[0]!.t.slice(0, 3)).toEqual([H0, H0 + STEP, H0 + 2 * STEP]);
    expect(raw.series[0]!.value.slice(0, 7)).toEqual([20, 21, 22, 23, 24, 25, 20]);
    expect(raw.series[1]!.value.every((v) => v === 50)).toBe(true);

    // 1-minute rollups over the two full hours: 120 closed minutes (the minute in progress is not closed).
    const minutes = await h.trend(keys, H0, H0 + 2 * 3_600_000, '1m');
    expect(minutes.resolution).toBe('1m');
    expect(minutes.series[0]!.t).toHaveLength(120);
    expect(minutes.series[0]!.t[1]).toBe(H0 + 60_000);
    expect(new Set(minutes.series[0]!.value)).toEqual(new Set([22.5]));
    expect(new Set(minutes.series[0]!.min)).toEqual(new Set([20]));
    expect(new Set(minutes.series[0]!.max)).toEqual(new Set([25]));

    // Auto over a week: hourly rollups; both full hours closed, and the hour in progress (10 minutes, the open
    // one included) as it stands: the trend reaches now.
    const hours = await h.trend(keys, H0 - 6 * 86_400_000, H0 + 86_400_000, 'auto');
    expect(hours.resolution).toBe('1h');
    expect(hours.series[1]!.t).toEqual([H0, H0 + 3_600_000, H0 + 2 * 3_600_000]);
    expect(hours.series[1]!.value).toEqual([50, 51, 52]);
    expect(hours.series[0]!.value).toEqual([22.5, 22.5, 22.5]);
    // 1-minute rollups up to now end with the minute in progress.
    const recent = await h.trend(['th1.humidity'], H0 + 2 * 3_600_000, END + 60_000, '1m');
    expect(recent.series[0]!.t).toHaveLength(10);
    expect(recent.series[0]!.t.at(-1)).toBe(H0 + 129 * 60_000);

    // An unknown point has an empty series, not an error.
    const none = await h.trend(['th1.nothing'], H0, H0 + 600_000, 'raw');
    expect(none.series).toEqual([{ pointKey: 'th1.nothing', t: [], value: [] }]);
  });

  it.skipIf(skip)('caps the points per series (issue 17): coarser resolution past the cap, refused past hourly', { timeout: 60_000 }, async () => {
    // Raw over two hours would be 10,001 readings of th1.fast: answered from the 1-minute rollups instead.
    const fast = await vi.waitFor(async () => {
      const v = await h.trend(['th1.fast', 'th1.temperature'], H0, H0 + 2 * 3_600_000, 'auto');
      expect(v.series[0]!.t.length).toBeGreaterThan(80);
      return v;
    }, { timeout: 30_000, interval: 200 });
    expect(fast.resolution).toBe('1m');
    expect(fast.series[0]!.t).toHaveLength(Math.floor((TREND_MAX_POINTS * FAST_STEP) / 60_000) + 1); // 83 whole minutes and the 84th, part-filled
    expect(fast.series[1]!.t).toHaveLength(120);
    // Within the cap, raw stays raw.
    expect((await h.trend(['th1.fast'], H0, H0 + 60_000, 'raw')).series[0]!.t).toHaveLength(120);

    // 1-minute rollups over more than TREND_MAX_POINTS minutes (a week): hourly ones answer.
    const week = await h.trend(['th1.temperature'], H0 - 6 * 86_400_000, H0 + 86_400_000, '1m');
    expect(week.resolution).toBe('1h');
    expect(week.series[0]!.t).toEqual([H0, H0 + 3_600_000, H0 + 2 * 3_600_000]);

    // Hourly over more than TREND_MAX_POINTS hours (two years): refused, with the limit named.
    await expect(h.trend(['th1.temperature'], END - 731 * 86_400_000, END, '1h')).rejects.toMatchObject({ status: 400, message: /at most 10000 hours/ });
  });

  it.skipIf(skip)('sums up a window from the 1-minute rollups and the open minute (the shift report)', { timeout: 60_000 }, async () => {
    const keys = ['th1.temperature', 'th1.humidity', 'th1.nothing'];
    // From minute 30 to past the last reading: 99 closed minutes and the open one (2 h 9 min), 6 readings each.
    const stats = await h.windowStats(keys, H0 + 30 * 60_000, H0 + 3 * 3_600_000);
    expect(stats.map((s) => s.pointKey)).toEqual(['th1.temperature', 'th1.humidity']); // no data, no line
    const [temp, hum] = stats;
    expect(temp).toEqual({ pointKey: 'th1.temperature', min: 20, max: 25, mean: 22.5, count: 600, since: H0 + 30 * 60_000 });
    // Humidity: 30 minutes of 50, 60 of 51, 10 of 52: weighted by count, not the mean of the hours.
    expect({ ...hum, mean: Number(hum!.mean.toFixed(9)) }).toEqual({ pointKey: 'th1.humidity', min: 50, max: 52, mean: 50.8, count: 600, since: H0 + 30 * 60_000 });

    // [from, to): the minute starting at `to` is not counted; a gap at the start shows in `since`.
    const part = await h.windowStats(['th1.humidity'], H0 + 59 * 60_000, H0 + 61 * 60_000);
    expect(part).toEqual([{ pointKey: 'th1.humidity', min: 50, max: 51, mean: 50.5, count: 12, since: H0 + 59 * 60_000 }]);
    const late = await h.windowStats(['th1.temperature'], H0 - 3_600_000, H0 + 60_000);
    expect(late.map((s) => [s.since, s.count])).toEqual([[H0, 6]]);

    // The open minute alone, and a window before any data.
    expect((await h.windowStats(['th1.humidity'], H0 + 129 * 60_000, END + 60_000)).map((s) => [s.min, s.count])).toEqual([[52, 6]]);
    expect(await h.windowStats(keys, H0 - 86_400_000, H0)).toEqual([]);
  });

  it.skipIf(skip)('answers the period reports\' hourly rollups and minutes above a limit, the hour in progress included (M1)', { timeout: 60_000 }, async () => {
    const keys = ['th1.temperature', 'th1.humidity', 'th1.nothing'];
    // The two closed hours of each point, and the third as it stands with the clock 10 minutes into it: nine
    // closed minutes folded into the open hour and the minute in progress (60 readings), from memory, not stored.
    const hours = await h.hourTotals(keys, H0 - 86_400_000, H0 + 86_400_000);
    expect(hours.map((r) => ({ ...r, sum: Number(r.sum.toFixed(6)) }))).toEqual([
      { pointKey: 'th1.temperature', start: H0, min: 20, max: 25, sum: 22.5 * 360, count: 360 },
      { pointKey: 'th1.temperature', start: H0 + 3_600_000, min: 20, max: 25, sum: 22.5 * 360, count: 360 },
      { pointKey: 'th1.temperature', start: H0 + 2 * 3_600_000, min: 20, max: 25, sum: 22.5 * 60, count: 60 },
      { pointKey: 'th1.humidity', start: H0, min: 50, max: 50, sum: 50 * 360, count: 360 },
      { pointKey: 'th1.humidity', start: H0 + 3_600_000, min: 51, max: 51, sum: 51 * 360, count: 360 },
      { pointKey: 'th1.humidity', start: H0 + 2 * 3_600_000, min: 52, max: 52, sum: 52 * 60, count: 60 },
    ]);
    expect(await h.hourTotals(keys, H0 + 3_600_000, H0 + 3_600_000 + 1)).toHaveLength(2); // [from, to)
    expect(await h.hourTotals(keys, H0 - 86_400_000, H0 + 2 * 3_600_000)).toHaveLength(4); // the open hour only inside [from, to)
    // Humidity above 50.5: minutes 60 to 129 (the 129th in progress); a limit nothing reaches answers nothing.
    const above = await h.minutesAbove([{ pointKey: 'th1.humidity', above: 50.5 }, { pointKey: 'th1.temperature', above: 25 }], H0, END + 60_000);
    expect(above).toHaveLength(70);
    expect(above[0]).toEqual({ pointKey: 'th1.humidity', start: H0 + 60 * 60_000, max: 51 });
    expect(above.at(-2)).toEqual({ pointKey: 'th1.humidity', start: H0 + 128 * 60_000, max: 52 });
    expect(above.at(-1)).toEqual({ pointKey: 'th1.humidity', start: H0 + 129 * 60_000, max: 52 });
    expect(await h.minutesAbove([{ pointKey: 'th1.temperature', above: 24.5 }], H0, H0 + 10 * 60_000)).toHaveLength(10);
  });
});
