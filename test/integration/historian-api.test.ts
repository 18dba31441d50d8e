// The historian's console API (issue 6) on a real in-process gateway with the embedded history store:
// status and trends need a session (deny by default), bad requests get clear errors, the resolution follows
// the range; the config refuses a rollup retention under two years (L5); the local store purges by age.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { routes, type ErrorBody, type HistorianStatusView, type TrendView } from '../../src/contract/api.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { openLocalHistory } from '../../src/sinks/historian/local-history.ts';
import { createHistory } from '../../src/sinks/historian/history.ts';
import { api, login } from '../helpers/console-client.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { waitFor } from '../helpers/wait.ts';

const TEMP = 'dist-b1-th1.temperature';
const DAY = 86_400_000;

describe('historian API (embedded store)', () => {
  let gw: TestGateway;
  let cookie: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    cookie = (await login(gw.url, 'duty', 'duty')).cookie;
  });
  afterAll(async () => {
    await gw?.dispose();
  });

  it('needs a session for status and trends', async () => {
    for (const path of [routes.historianStatus, `${routes.trends}?points=${TEMP}`]) {
      const res = await fetch(gw.url + path);
      expect(res.status).toBe(401);
      expect(((await res.json()) as ErrorBody).error.code).toBe('RW_AUTH_REQUIRED');
    }
  });

  it('reports the local backend as healthy, with nothing waiting', async () => {
    const res = await api<HistorianStatusView>(gw.url, cookie, routes.historianStatus);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ backend: 'local', state: 'ok', outboxPoints: 0, dropped: 0, rejected: 0, oldestAgeMs: null });
  });

  it('answers trends from the local store, resolution from the range', async () => {
    const view = await waitFor(async () => {
      const v = (await api<TrendView>(gw.url, cookie, `${routes.trends}?points=${TEMP},dist-b1-th1.humidity`)).body;
      return v.series.every((s) => s.t.length > 2) ? v : null;
    }, 'raw readings in the local store');
    expect(view.resolution).toBe('raw');
    expect(view.series.map((s) => s.pointKey)).toEqual([TEMP, 'dist-b1-th1.humidity']);
    expect(view.series[0]!.value.every((v) => typeof v === 'number')).toBe(true);
    const now = Date.now();
    expect((await api<TrendView>(gw.url, cookie, `${routes.trends}?points=${TEMP}&from=${now - DAY}&to=${now}`)).body.resolution).toBe('1m');
    expect((await api<TrendView>(gw.url, cookie, `${routes.trends}?points=${TEMP}&from=${now - 7 * DAY}&to=${now}&resolution=auto`)).body.resolution).toBe('1h');
  });

  it('refuses bad trend requests with a clear error', async () => {
    const now = Date.now();
    const cases: [string, RegExp][] = [
      [`points=nope.x`, /unknown points: nope\.x/],
      [`points=${TEMP}&from=${now}&to=${now - 1}`, /from must be before to/],
      [`points=${TEMP}&from=${now - 30 * DAY}&to=${now}&resolution=raw`, /at most 7 days/],
      // Issue 17: far-future ends (InfluxDB would answer "overflowed duration": a 500) and more than the cap.
      [`points=${TEMP}&from=${now}&to=${now + 3 * DAY}`, /more than a day in the future/],
      // Past any date the schema bounds it first (issue 13: integers bounded, the field named).
      [`points=${TEMP}&from=0&to=9007199254740991`, /querystring\/to must be <= 8640000000000000/],
      [`points=${TEMP}&from=0&to=${now}&resolution=1h`, /at most 10000 hours/],
      [`points=${TEMP}&resolution=5s`, /resolution/],
      [`points=${TEMP}&from=yesterday`, /from/],
      [`points=${Array.from({ length: 21 }, () => TEMP).map((k, i) => `${k}${i}`).join(',')}`, /unknown points|1 to 20/],
    ];
    for (const [query, message] of cases) {
      const res = await api<ErrorBody>(gw.url, cookie, `${routes.trends}?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('RW_INVALID_REQUEST');
      expect(res.body.error.message).toMatch(message);
    }
  });
});

describe('historian retention', () => {
  it('refuses a rollup retention under two years (L5), naming the path', async () => {
    const yaml = await testSiteYaml({ dataDir: '/tmp/x', extra: 'historian: { rollupRetentionDays: 365 }\n' });
    try {
      parseSite('site.yaml', yaml, loadProfiles(defaultProfilesDir));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect(String((err as ConfigError).message)).toMatch(/historian\/rollupRetentionDays/);
    }
  });

  it('purges raw readings after rawDays and rollups after rollupDays from the local store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-purge-'));
    try {
      const now = Date.UTC(2026, 10, 23);
      const h = openLocalHistory(dir, silentLogger, { rawDays: 90, rollupDays: 731 });
      const r = (ts: number) => ({ pointKey: 'a.t', roomId: 'r', deviceId: 'a', point: 't', value: 1, unit: '', quality: 'good' as const, ts });
      h.writeReadings([r(now - 91 * DAY), r(now - 89 * DAY)]);
      const roll = (start: number) => ({ resolution: '1h' as const, pointKey: 'a.t', roomId: 'r', deviceId: 'a', point: 't', start, min: 1, max: 1, mean: 1, last: 1, count: 1 });
      h.writeRollups([roll(now - 732 * DAY), roll(now - 700 * DAY)]);
      expect(h.purge(now)).toBe(2);
      expect(h.trend(['a.t'], 0, now, 'raw', 10)[0]!.t).toEqual([now - 89 * DAY]);
      expect(h.trend(['a.t'], 0, now, '1h', 10)[0]!.t).toEqual([now - 700 * DAY]);
      h.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a restart in the middle of an hour still gives that hour\'s rollup from all its readings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-hist-restart-'));
    const H0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
    const config = { site: { id: 's', name: { en: 'S', 'zh-CN': 'S' } }, rooms: [], devices: [], users: [] } as unknown as Parameters<typeof createHistory>[0]['config'];
    const r = (ts: number, value: number) => ({ pointKey: 'a.t', roomId: 'r', deviceId: 'a', point: 't', value, unit: '', quality: 'good' as const, ts });
    const make = () => createHistory({ config, dataDir: dir, logger: silentLogger, clock: { now: () => H0 + 30 * 60_000 } });
    try {
      const first = make();
      await first.start();
      for (let m = 0; m < 30; m++) first.writeReadings([r(H0 + m * 60_000, 10)]);
      await first.stop(); // saves the open minute and hour
      const second = make();
      await second.start();
      for (let m = 30; m < 60; m++) second.writeReadings([r(H0 + m * 60_000, 20)]);
      second.writeReadings([r(H0 + 3_600_000, 0)]);
      const hour = await second.trend(['a.t'], H0, H0 + 3_600_000, '1h');
      expect(hour.series[0]).toMatchObject({ t: [H0], value: [15] });
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
