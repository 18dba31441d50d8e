// `npm run bench -- month-report [--points 500]`: the supervisor's month (M1, issue 16) on a real month of data:
// 500 points with a month of 1-minute and 1-hour rollups (and the month before, hourly, for the comparison),
// 3,000 alarms, 180 handovers and 2,000 patrol rounds. Measures the report's answer from the local store (over
// HTTP, as the console page asks it) and from InfluxDB (one real influxd started here; the same report code over
// the InfluxDB History), and the printed PDF of the console page in chromium. Each answer is taken 5 times after
// one warm-up. Targets (issue 16): < 2 s local, < 5 s InfluxDB, PDF < 15 s.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { loadSite } from '../src/config/load.ts';
import { silentLogger } from '../src/core/logger.ts';
import { systemClock } from '../src/core/clock.ts';
import { createGateway } from '../src/gateway.ts';
import { parsePeriod, periodKeyAt } from '../src/report/period.ts';
import { createPeriodReports } from '../src/report/period-report.ts';
import { createHistory } from '../src/sinks/historian/history.ts';
import { createInfluxHistorian } from '../src/sinks/historian/influx-historian.ts';
import { RETENTION_DEFAULTS } from '../src/sinks/historian/influx-retention.ts';
import { openLocalHistory } from '../src/sinks/historian/local-history.ts';
import type { Rollup } from '../src/sinks/historian/rollup.ts';
import { CHROMIUM } from '../test/helpers/browser.ts';
import { startInfluxd } from '../test/helpers/influxd.ts';
import { numberArg, tempDirs } from './lib/historian-bench.ts';
import { report, summarize } from './lib/report.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const ROOMS = 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A point's value in a minute: a daily wave; every 20th temperature runs hot for 40 minutes on every 5th afternoon. */
function valueAt(p: number, t: number, monthFrom: number): number {
  const of = ((t - monthFrom) % DAY) / MIN;
  const day = Math.floor((t - monthFrom) / DAY);
  if (p % 40 === 0 && day % 5 === 0 && of >= 840 && of < 880) return 36 + (of - 840) * 0.125;
  return 22 + (p % 7) + 3 * Math.sin((2 * Math.PI * of) / 1440);
}

function siteYaml(points: number, dataDir: string): string {
  const devices = Array.from({ length: points / 2 }, (_, i) => `  - { id: th${i}, room: room-${i % ROOMS}, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: ${1502 + Math.floor(i / 200)}, unitId: ${(i % 200) + 1} } }`);
  return `site: { id: bench, name: { en: Bench Tower, zh-CN: 测试大厦 }, timezone: ${TZ}, demo: true, language: en }
storage: { dataDir: ${JSON.stringify(dataDir)} }
http: { host: 127.0.0.1, port: 0 }
rooms:
${Array.from({ length: ROOMS }, (_, i) => `  - { id: room-${i}, kind: distribution, name: { en: Room ${i}, zh-CN: ${i} 号配电房 } }`).join('\n')}
devices:
${devices.join('\n')}
shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", minStaff: { duty: 1 } }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30", minStaff: { duty: 1 } }
patrols:
${Array.from({ length: ROOMS }, (_, i) => `  - { id: round-${i}, room: room-${i}, name: { en: Round ${i}, zh-CN: 巡检 ${i} }, every: shift, checklist: [{ id: clean, name: { en: Clean, zh-CN: 整洁 } }], readings: [{ id: meter, name: { en: Meter, zh-CN: 电表 }, unit: kWh }] }`).join('\n')}
users:
  - { username: duty, displayName: Duty Li, role: duty, password: duty }
  - { username: super, displayName: Supervisor Sun, role: supervisor, password: super }
`;
}

export async function main(): Promise<void> {
  const points = numberArg('points', 500);
  const dirs = tempDirs('rw-bench-month-');
  const influxd = await startInfluxd();
  try {
    const now = Date.now();
    const period = parsePeriod(periodKeyAt('month', now - 31 * DAY, TZ), TZ)!; // the last whole month
    const previous = parsePeriod(period.previousKey, TZ)!;
    const dataDir = dirs.make();
    const configFile = join(dataDir, 'site.yaml');
    writeFileSync(configFile, siteYaml(points, dataDir));
    const site = loadSite(configFile);
    const keys = site.devices.flatMap((d) => d.points.filter((p) => p.name === 'temperature' || p.name === 'humidity').map((p) => p.key));

    // The rollups, a day at a time, into both backends.
    const local = openLocalHistory(dataDir, silentLogger, RETENTION_DEFAULTS);
    const ix = createInfluxHistorian({ config: { url: influxd.url, database: 'bench_month', batchSize: 20_000, flushIntervalMs: 20 }, retention: RETENTION_DEFAULTS, siteId: 'bench', dataDir: dirs.make(), logger: silentLogger, clock: systemClock });
    await ix.start();
    const rollup = (resolution: Rollup['resolution'], k: string, start: number, v: { min: number; max: number; sum: number; count: number }): Rollup => {
      const [deviceId, point] = k.split('.') as [string, string];
      return { resolution, pointKey: k, roomId: site.points.get(k)!.roomId, deviceId, point, start, min: v.min, max: v.max, mean: v.sum / v.count, last: v.sum / v.count, count: v.count };
    };
    let written = 0;
    const t0 = performance.now();
    for (const [range, withMinutes] of [[previous, false], [period, true]] as const) {
      for (let day = range.from; day < range.to; day += DAY) {
        const out: Rollup[] = [];
        keys.forEach((k, p) => {
          for (let h = day; h < Math.min(day + DAY, range.to); h += HOUR) {
            const hour = { min: Infinity, max: -Infinity, sum: 0, count: 0 };
            for (let t = h; t < h + HOUR; t += MIN) {
              const v = valueAt(p, t, range.from);
              const m = { min: v - 0.5, max: v + 0.5, sum: v * 6, count: 6 };
              if (withMinutes) out.push(rollup('1m', k, t, m));
              hour.min = Math.min(hour.min, m.min);
              hour.max = Math.max(hour.max, m.max);
              hour.sum += m.sum;
              hour.count += m.count;
            }
            out.push(rollup('1h', k, h, hour));
          }
        });
        local.writeRollups(out);
        for (let i = 0; i < out.length; i += 20_000) ix.writeRollups(out.slice(i, i + 20_000));
        written += out.length;
        while (ix.status().outboxPoints > 0) await sleep(20);
      }
    }
    local.close();
    await ix.stop();
    console.log(`wrote ${written} rollups to each backend in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    // The gateway on that data dir (no polling), with the month's records written into its store.
    const gateway = createGateway({ site, clock: systemClock, logger: silentLogger, httpPort: 0, pollDevices: false });
    await gateway.start();
    try {
      const { store, dutyLog, shiftPlan } = gateway;
      const shifts = shiftPlan.shiftsBetween(period.from, period.to).filter((s) => s.start >= period.from);
      store.transaction(() => {
        const alarm = store.db.prepare("INSERT INTO alarms (point_key, room_id, device_id, condition, priority, state, value, limit_value, unit, raised_at, acked_at, cleared_at) VALUES (?, ?, ?, 'high', ?, 'normal', 36, 35, '°C', ?, ?, ?) RETURNING id");
        for (let i = 0; i < 3000; i++) {
          const k = keys[(i * 7) % keys.length]!;
          const p = site.points.get(k)!;
          const raised = period.from + Math.floor((i / 3000) * (period.to - period.from - DAY));
          const { id } = alarm.get(k, p.roomId, p.deviceId, ['critical', 'high', 'medium', 'low'][i % 4]!, raised, raised + ((i * 37) % 1800) * 1000, raised + ((i * 53) % 3600) * 1000 + 60_000) as { id: number };
          const common = { roomId: p.roomId, deviceId: p.deviceId, pointKey: k, alarmId: id };
          dutyLog.insert({ ...common, ts: raised, kind: 'alarm.raised', params: { condition: 'high' } });
          dutyLog.insert({ ...common, ts: raised + 30_000, kind: 'alarm.returned', params: { condition: 'high' } });
          dutyLog.insert({ ...common, ts: raised + ((i * 37) % 1800) * 1000, kind: 'alarm.acknowledged', username: 'duty', params: { condition: 'high' } });
          if (i % 10 === 0) dutyLog.insert({ ...common, ts: raised + 300_000, kind: 'alarm.escalated', params: { level: 1 } });
        }
        const handover = store.db.prepare("INSERT INTO handovers (shift_key, state, outgoing_user, outgoing_signed_at, incoming_user, incoming_signed_at, checklist, present, unfit, note) VALUES (?, 'completed', 'duty', ?, 'super', ?, '{}', '[]', '[]', '')");
        for (const s of shifts.slice(0, 180)) handover.run(s.key, s.end, s.end);
        const round = store.db.prepare("INSERT INTO patrol_rounds (schedule_id, slot_key, room_id, username, ts, checklist, readings, remarks, entry_id) VALUES (?, ?, ?, 'duty', ?, '{}', ?, '', ?)");
        for (let i = 0; i < 2000; i++) {
          const s = shifts[i % shifts.length]!;
          const room = Math.floor(i / shifts.length) % ROOMS;
          const e = dutyLog.insert({ ts: s.start + HOUR, kind: 'patrol.done', roomId: `room-${room}`, username: 'duty', params: { schedule: `round-${room}`, slot: s.key } });
          round.run(`round-${room}`, s.key, `room-${room}`, s.start + HOUR, JSON.stringify({ meter: 1000 + i }), e.id);
        }
      });

      const answers = async (name: string, ask: () => Promise<unknown>): Promise<void> => {
        const samples: number[] = [];
        let bytes = 0;
        for (let i = 0; i < 6; i++) {
          const s = performance.now();
          bytes = JSON.stringify(await ask()).length;
          samples.push(performance.now() - s);
        }
        report(`month report, ${name}: ${points} points, ${period.key}`, { 'answer bytes': bytes }, summarize(samples.slice(1)));
      };
      const login = await fetch(`${gateway.consoleUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'super', password: 'super' }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      await answers('local store, over HTTP', async () => (await fetch(`${gateway.consoleUrl}/api/period-report?period=${period.key}`, { headers: { cookie } })).json());

      const influxHistory = createHistory({ config: { ...site.config, historian: { influx: { url: influxd.url, database: 'bench_month' } } }, dataDir: dirs.make(), logger: silentLogger, clock: systemClock });
      await influxHistory.start();
      const viaInflux = createPeriodReports({ db: store.db, dutyLog, site, plan: shiftPlan, schedules: site.config.patrols ?? [], history: influxHistory, clock: systemClock, logger: silentLogger });
      await answers('InfluxDB, the report call and its JSON', () => viaInflux.report(period.key, null));
      await influxHistory.stop();

      // The printed page: the console as the supervisor, the month shown, then chromium's PDF.
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      try {
        const page = await (await browser.newContext({ timezoneId: TZ, viewport: { width: 1400, height: 1000 } })).newPage();
        await page.goto(gateway.consoleUrl);
        await page.getByTestId('login-username').fill('super');
        await page.getByTestId('login-password').fill('super');
        await page.getByTestId('login-submit').click();
        await page.getByTestId('nav-period').click();
        await page.getByTestId('period-key').fill(period.key);
        const shown = performance.now();
        await page.getByTestId('period-show').click();
        await page.getByTestId('period-heading').filter({ hasText: period.key }).waitFor({ timeout: 120_000 });
        const pageMs = performance.now() - shown;
        await page.emulateMedia({ media: 'print' });
        const printed = performance.now();
        const pdf = await page.pdf({ format: 'A4' });
        report(`month report PDF (chromium print of the console page), ${points} points`, { 'page shown, ms (request + render)': pageMs, 'PDF ms': performance.now() - printed, 'PDF KiB': pdf.length / 1024 });
      } finally {
        await browser.close();
      }
    } finally {
      await gateway.stop();
    }
  } finally {
    await influxd.stop();
    dirs.removeAll();
  }
}
