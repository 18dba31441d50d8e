// Grafana dashboards for sites that have it (issue 16): no Grafana runs here, so every dashboard JSON in
// dashboards/grafana/dashboards is loaded, every panel's InfluxQL (and every template variable's) is taken with
// Grafana's macros filled in, and run against a real influxd holding a generated November written by the
// historian itself; each must answer the series and values computed from the raw generated data.
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../src/config/load.ts';
import type { SiteConfig } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { AlarmView } from '../../src/contract/api.ts';
import type { AlarmTransition } from '../../src/alarms/types.ts';
import { createHistory, type History } from '../../src/sinks/historian/history.ts';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { realPart } from '../helpers/real-parts.ts';
import { HUM, NOV, ROOM, TEMP, humidityAt, monthRecords, readingsOf, temperatureAt, type GenAlarm } from '../helpers/month-data.ts';
import { exceedance, pointFigures } from '../helpers/month-expected.ts';

const influxPart = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');
const DIR = join(projectRoot, 'dashboards', 'grafana', 'dashboards');
const DB = 'roomwatch';
const SITE = 'test-site';
const COMM_LOST = 30;

interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
interface Panel {
  title: string;
  targets: { query: string }[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query: string }[] };
}

const dashboards = (): Dashboard[] => readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Dashboard);

/** Grafana's macros as Grafana fills them for "November, one point per day", and the variables. */
const fill = (q: string): string =>
  q.replaceAll('$timeFilter', `time >= ${NOV.from}ms AND time < ${NOV.to}ms`).replaceAll('$__interval', '1d').replaceAll('$site', SITE).replaceAll('$room', ROOM);

const alarmView = (a: GenAlarm, id: number): AlarmView => ({
  id, pointKey: a.pointKey, roomId: a.roomId, deviceId: a.deviceId, condition: a.condition as AlarmView['condition'], priority: a.priority, state: 'normal', rule: null,
  value: a.value, limit: 35, unit: '', raisedAt: a.raisedAt, ackedBy: null, ackedByName: null, ackedAt: null, ackNote: null, clearedAt: null, message: null, response: null,
  detail: null, latched: false, annunciation: 'annunciated', shelved: null, tag: null, escalationLevel: 0, nextEscalationAt: null, onSite: null, reportedUp: null, evidence: null,
});

describe.skipIf(influxPart.skip)('Grafana dashboards against a real influxd with a generated month', () => {
  let influxd: RunningInfluxd;
  let history: History;
  const dir = mkdtempSync(join(tmpdir(), 'rw-grafana-'));
  const records = monthRecords([]);
  const sum = (s: Series | undefined, col = 1): number => (s?.values ?? []).reduce((t, v) => t + Number(v[col] ?? 0), 0);

  async function run(q: string): Promise<Series[]> {
    const res = await fetch(`${influxd.url}/query?db=${DB}&epoch=ms`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `q=${encodeURIComponent(q)}` });
    const body = (await res.json()) as { results: { error?: string; series?: Series[] }[] };
    if (body.results[0]?.error) throw new Error(`${body.results[0].error}: ${q}`);
    return body.results[0]?.series ?? [];
  }
  const tagged = (series: Series[], tags: Record<string, string>): Series | undefined => series.find((s) => Object.entries(tags).every(([k, v]) => s.tags?.[k] === v));

  beforeAll(async () => {
    influxd = await startInfluxd();
    const config: SiteConfig = {
      site: { id: SITE, name: { en: 'T', 'zh-CN': 'T' } },
      rooms: [{ id: ROOM, kind: 'distribution', name: { en: 'B1', 'zh-CN': 'B1' } }],
      devices: [],
      users: [{ username: 'duty', displayName: 'Duty', role: 'duty', password: 'duty' }],
      historian: { influx: { url: influxd.url, database: DB, flushIntervalMs: 20, batchSize: 20_000 } },
    };
    history = createHistory({ config, dataDir: dir, logger: silentLogger, clock: { now: () => NOV.to + 3_600_000 } });
    await history.start();
    for (const batch of readingsOf(NOV.from, NOV.to)) history.writeReadings(batch);
    history.writeReadings(readingsOf(NOV.to, NOV.to + 60_000)[0]!); // the next minute's readings close November's last minute and hour
    // The pump silent for half an hour: readings without a value (quality only).
    for (let i = 0; i < COMM_LOST; i++) history.writeReadings([{ pointKey: 'pump-1.speed', roomId: 'pump-room', deviceId: 'pump-1', point: 'speed', unit: 'rpm', value: null, quality: 'comm_lost', ts: NOV.from + 86_400_000 + i * 60_000 }]);
    records.alarms.forEach((a, i) => {
      const t = (kind: AlarmTransition['kind'], ts: number): AlarmTransition => ({ kind, from: 'normal', to: 'normal', ts, username: null, alarm: alarmView(a, i + 1) });
      history.writeAlarmTransition(t('raised', a.raisedAt));
      history.writeAlarmTransition(t('acknowledged', a.ackedAt));
      for (const level of a.escalations) history.writeAlarmTransition(t('escalated', a.raisedAt + level * 300_000));
      history.writeAlarmTransition(t('cleared', a.clearedAt));
    });
    await vi.waitFor(() => expect(history.status().outboxPoints).toBe(0), { timeout: 170_000, interval: 250 });
  }, 240_000);
  afterAll(async () => {
    await history?.stop();
    await influxd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // What each panel must answer, from the raw generated data; a panel without an entry here fails the test.
  const expectations: Record<string, (s: Series[]) => void> = {
    'roomwatch-site/Room temperatures (hourly mean)': (s) => {
      const b1 = tagged(s, { room: ROOM })!;
      expect(b1.values).toHaveLength(31); // UTC days: 31 October 16:00 to 30 November 16:00
      const day = Date.UTC(2026, 10, 10);
      const want = pointFigures(TEMP, { from: day, to: day + 86_400_000 }).mean;
      expect(Number(b1.values.find((v) => v[0] === day)![1])).toBeCloseTo(want, 9);
    },
    'roomwatch-site/Highest temperature per room': (s) => expect(tagged(s, { room: ROOM })!.values[0]![1]).toBe(exceedance(35).worst),
    'roomwatch-site/Alarms raised per room': (s) => {
      expect(tagged(s, { room: ROOM })!.values[0]![1]).toBe(records.alarms.filter((a) => a.roomId === ROOM).length);
      expect(tagged(s, { room: 'pump-room' })!.values[0]![1]).toBe(4);
    },
    'roomwatch-site/Readings without a good value per device': (s) => {
      expect(s.map((x) => x.tags?.device)).toEqual(['pump-1']);
      expect(s[0]!.values[0]![1]).toBe(COMM_LOST);
    },
    'roomwatch-room/Hourly min / mean / max': (s) => {
      const t = tagged(s, { point: 'temperature' })!;
      const col = (name: string): number[] => t.values.map((v) => Number(v[t.columns.indexOf(name)]));
      const nov = pointFigures(TEMP, NOV);
      expect(Math.max(...col('max'))).toBe(nov.max);
      expect(Math.min(...col('min'))).toBe(nov.min);
      expect(tagged(s, { point: 'humidity' })).toBeDefined();
    },
    'roomwatch-room/Minutes above 35 °C': (s) => expect(s[0]!.values[0]![1]).toBe(exceedance(35).minutes),
    'roomwatch-room/Minutes above 40 °C': (s) => expect(s[0]!.values[0]![1]).toBe(exceedance(40).minutes),
    'roomwatch-room/Highest value and when': (s) => {
      expect(tagged(s, { point: 'temperature' })!.values[0]).toEqual([exceedance(35).worstAt, exceedance(35).worst]);
      expect(tagged(s, { point: 'humidity' })!.values[0]![1]).toBe(pointFigures(HUM, NOV).max);
    },
    'roomwatch-alarms/Alarms raised per 10 minutes': (s) => {
      expect(Math.max(...s[0]!.values.map((v) => Number(v[1])))).toBe(12); // the generated flood
      expect(sum(s[0])).toBe(records.alarms.length);
    },
    'roomwatch-alarms/Most frequent alarms (bad actors)': (s) => {
      const want = records.alarms.filter((a) => a.pointKey === HUM && a.condition === 'low').length;
      expect(tagged(s, { point: 'humidity', condition: 'low' })!.values[0]![1]).toBe(want);
      expect(s.reduce((t, x) => t + sum(x), 0)).toBe(records.alarms.length);
    },
    'roomwatch-alarms/Alarms by priority': (s) => {
      for (const p of ['critical', 'high', 'medium', 'low']) expect(tagged(s, { priority: p })?.values[0]![1] ?? 0, p).toBe(records.alarms.filter((a) => a.priority === p).length);
    },
    'roomwatch-alarms/Escalations': (s) => expect(s[0]!.values[0]![1]).toBe(records.alarms.reduce((t, a) => t + a.escalations.length, 0)),
    'roomwatch-historian/Raw readings per interval': (s) => expect(sum(s[0])).toBe(2 * 43_200 + COMM_LOST),
    'roomwatch-historian/1-minute rollups per point': (s) => {
      expect(tagged(s, { point: 'temperature' })!.values[0]![1]).toBe(43_200);
      expect(tagged(s, { point: 'humidity' })!.values[0]![1]).toBe(43_200);
    },
    'roomwatch-historian/Readings without a value': (s) => expect(sum(tagged(s, { device: 'pump-1' }))).toBe(COMM_LOST),
    'roomwatch-historian/Latest value per point': (s) => {
      expect(tagged(s, { point: 'temperature' })!.values[0]![1]).toBe(temperatureAt(NOV.to - 60_000));
      expect(tagged(s, { point: 'humidity' })!.values[0]![1]).toBe(humidityAt(NOV.to - 60_000));
    },
  };

  it('has the four dashboards on the provisioned InfluxDB datasource', () => {
    const all = dashboards();
    expect(all.map((d) => d.uid).sort()).toEqual(['roomwatch-alarms', 'roomwatch-historian', 'roomwatch-room', 'roomwatch-site']);
    const provisioned = readFileSync(join(projectRoot, 'dashboards', 'grafana', 'provisioning', 'datasources', 'influxdb.yaml'), 'utf8');
    expect(provisioned).toContain('uid: roomwatch-influx');
    for (const d of all) for (const p of d.panels) expect(JSON.stringify(p.targets), `${d.uid}/${p.title}`).toContain('"uid":"roomwatch-influx"');
  });

  it('answers every template variable\'s query', { timeout: 60_000 }, async () => {
    for (const d of dashboards()) {
      for (const v of d.templating.list) {
        const values = (await run(fill(v.query))).flatMap((s) => s.values.map((x) => x[1]));
        expect(values, `${d.uid} $${v.name}`).toContain(v.name === 'site' ? SITE : ROOM);
      }
    }
  });

  it('answers every panel\'s query with the series and values of the generated month', { timeout: 120_000 }, async () => {
    const seen: string[] = [];
    for (const d of dashboards()) {
      for (const p of d.panels) {
        const key = `${d.uid}/${p.title}`;
        seen.push(key);
        expect(expectations[key], `no expectation for panel ${key}`).toBeDefined();
        expect(p.targets).toHaveLength(1);
        expectations[key]!(await run(fill(p.targets[0]!.query)));
      }
    }
    expect(seen.sort()).toEqual(Object.keys(expectations).sort());
  });
});
