// The InfluxDB historian against a real influxd 1.x on loopback: exact points, replay, outage, buffer bound.
// No timing assertions: we poll (generously) until InfluxDB or the stats show the expected end state.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AlarmTransition } from '../../src/alarms/types.ts';
import type { AlarmView } from '../../src/contract/api.ts';
import type { InfluxConfig } from '../../src/config/schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { createInfluxHistorian, type InfluxHistorian } from '../../src/sinks/historian/influx-historian.ts';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { realPart } from '../helpers/real-parts.ts';

const influxPart = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');

const SITE = 'demo-tower';
const T0 = Date.UTC(2024, 0, 15, 8, 0, 0, 123); // odd milliseconds: proves ms precision end to end
const POLL = { timeout: 60_000, interval: 100 };

function reading(point: string, value: Reading['value'], ts: number, quality: Reading['quality'] = 'good'): Reading {
  const deviceId = 'dist-b1-th1';
  return { pointKey: `${deviceId}.${point}`, roomId: 'dist-room-b1', deviceId, point, value, unit: '', quality, ts };
}

function transition(kind: AlarmTransition['kind'], ts: number, username: string | null, to: AlarmView['state']): AlarmTransition {
  const alarm: AlarmView = {
    id: 42, pointKey: 'dist-b1-th1.temperature', roomId: 'dist-room-b1', deviceId: 'dist-b1-th1',
    condition: 'highHigh', priority: 'critical', state: to, rule: 'R1', value: 41.5, limit: 40, unit: '°C',
    raisedAt: T0 + 2000, ackedBy: username, ackedByName: username, ackedAt: username ? ts : null, ackNote: null, clearedAt: null,
    message: null, response: null, detail: null, latched: false, annunciation: 'annunciated', shelved: null, tag: null,
    escalationLevel: 0, nextEscalationAt: null, fire: null,
  };
  return { kind, from: kind === 'raised' ? 'normal' : 'unack_active', to, ts, username, alarm };
}

type Row = Record<string, unknown>;

describe.skipIf(influxPart.skip)('InfluxDB historian (real influxd)', () => {
  let influxd: RunningInfluxd;
  const running: InfluxHistorian[] = [];
  const logLines: Record<string, unknown>[] = [];
  let fakeNow = 1_700_000_000_000;
  const clock = { now: () => fakeNow };
  const logger = createLogger('debug', {}, (l) => logLines.push(JSON.parse(l) as Record<string, unknown>));

  beforeAll(async () => {
    influxd = await startInfluxd();
  });

  afterAll(async () => {
    for (const h of running) await h.stop();
    await influxd?.stop();
  });

  function historian(database: string, extra: Partial<InfluxConfig> = {}): InfluxHistorian {
    const h = createInfluxHistorian({ config: { url: influxd.url, database, flushIntervalMs: 50, ...extra }, siteId: SITE, logger, clock });
    running.push(h);
    return h;
  }

  /** InfluxQL through plain HTTP (not the code under test); rows as objects, times in ms. */
  async function select(database: string, q: string): Promise<Row[]> {
    const res = await fetch(`${influxd.url}/query?db=${database}&epoch=ms&q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { results: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[] };
    const result = body.results[0];
    if (result?.error) throw new Error(result.error);
    return (result?.series ?? []).flatMap((s) => s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))));
  }

  async function count(database: string, measurement: string, field: string): Promise<number> {
    const rows = await select(database, `SELECT count(${field}) FROM ${measurement}`);
    return Number(rows[0]?.count ?? 0);
  }

  const readings = [
    reading('temperature', 21.5, T0),
    reading('doorOpen', true, T0 + 1),
    reading('doorOpen', false, T0 + 2),
    reading('temperature', null, T0 + 1000, 'comm_lost'),
    // Never in a real profile (point names are alphanumeric), but proves tag escaping end to end.
    reading('odd name,with=chars', -0.25, T0 + 3),
  ];
  const alarms = [transition('raised', T0 + 2000, null, 'unack_active'), transition('acknowledged', T0 + 3000, 'o"brien\\x', 'ack_active')];

  it('writes readings and alarm transitions as the documented points, tags, fields and ms timestamps', async () => {
    const h = historian('rw_exact');
    await h.start();
    expect(h.stats()).toMatchObject({ connected: true, writeErrors: 0 });
    h.writeReadings(readings);
    for (const t of alarms) h.writeAlarmTransition(t);
    await vi.waitFor(() => expect(h.stats()).toMatchObject({ written: 7, buffered: 0 }), POLL);
    expect(h.stats()).toMatchObject({ dropped: 0, rejected: 0, writeErrors: 0, lastError: null, lastWriteAt: fakeNow });

    const rows = await select('rw_exact', 'SELECT * FROM reading');
    console.log('SELECT * FROM reading →', JSON.stringify(rows));
    const byTimeThenPoint = (a: Row, b: Row): number => Number(a.time) - Number(b.time) || String(a.point).localeCompare(String(b.point));
    const tags = { site: SITE, room: 'dist-room-b1', device: 'dist-b1-th1' };
    expect(rows.sort(byTimeThenPoint)).toEqual([
      { time: T0, ...tags, point: 'temperature', value: 21.5, quality: 'good' },
      { time: T0 + 1, ...tags, point: 'doorOpen', value: 1, quality: 'good' },
      { time: T0 + 2, ...tags, point: 'doorOpen', value: 0, quality: 'good' },
      { time: T0 + 3, ...tags, point: 'odd name,with=chars', value: -0.25, quality: 'good' },
      { time: T0 + 1000, ...tags, point: 'temperature', value: null, quality: 'comm_lost' },
    ]);

    const alarmRows = await select('rw_exact', 'SELECT * FROM alarm');
    console.log('SELECT * FROM alarm →', JSON.stringify(alarmRows));
    const alarmTags = { ...tags, point: 'temperature', condition: 'highHigh', priority: 'critical' };
    expect(alarmRows).toEqual([
      { time: T0 + 2000, ...alarmTags, event: 'raised', state: 'unack_active', value: 41.5, limit: 40, alarm_id: 42, user: '' },
      { time: T0 + 3000, ...alarmTags, event: 'acknowledged', state: 'ack_active', value: 41.5, limit: 40, alarm_id: 42, user: 'o"brien\\x' },
    ]);

    // Field types as documented: value float (booleans included), alarm_id integer, the rest strings.
    const keys = await select('rw_exact', 'SHOW FIELD KEYS');
    console.log('SHOW FIELD KEYS →', JSON.stringify(keys));
    expect(keys).toEqual(expect.arrayContaining([
      { fieldKey: 'value', fieldType: 'float' },
      { fieldKey: 'quality', fieldType: 'string' },
      { fieldKey: 'alarm_id', fieldType: 'integer' },
    ]));

    // Replay: the same readings and transitions again write onto the same series and timestamps.
    h.writeReadings(readings);
    for (const t of alarms) h.writeAlarmTransition(t);
    await vi.waitFor(() => expect(h.stats()).toMatchObject({ written: 14, buffered: 0 }), POLL);
    expect(await count('rw_exact', 'reading', 'quality')).toBe(5);
    expect(await count('rw_exact', 'alarm', 'event')).toBe(2);
    expect((await select('rw_exact', 'SELECT * FROM reading')).sort(byTimeThenPoint)).toEqual(rows);
  });

  it('sets aside points InfluxDB refuses (field type conflict) and keeps the queue moving', async () => {
    // Another writer made `value` an integer in this shard: our float values now conflict.
    await fetch(`${influxd.url}/query?q=${encodeURIComponent('CREATE DATABASE rw_conflict')}`, { method: 'POST' });
    const pre = await fetch(`${influxd.url}/write?db=rw_conflict&precision=ms`, {
      method: 'POST', body: `reading,site=other value=7i ${T0 - 5}`,
    });
    expect(pre.status).toBe(204);

    const h = historian('rw_conflict');
    await h.start();
    h.writeReadings(readings.slice(0, 3)); // value fields: refused
    h.writeAlarmTransition(alarms[0]!); // fine
    h.writeReadings([reading('temperature', null, T0 + 5000, 'bad')]); // quality only: fine
    await vi.waitFor(() => expect(h.stats()).toMatchObject({ buffered: 0, rejected: 3 }), POLL);
    expect(h.stats().lastError).toMatch(/field type conflict/);
    expect(await count('rw_conflict', 'alarm', 'event')).toBe(1);
    expect(await count('rw_conflict', 'reading', 'quality')).toBe(1);
    expect(logLines.some((l) => l.msg === 'InfluxDB rejected points; batch set aside')).toBe(true);

    // Later points are not blocked behind the refused batch.
    h.writeAlarmTransition(alarms[1]!);
    await vi.waitFor(async () => expect(await count('rw_conflict', 'alarm', 'event')).toBe(2), POLL);
  });

  it('writes every point exactly once across an InfluxDB outage in the middle of a stream', { timeout: 120_000 }, async () => {
    const h = historian('rw_outage', { batchSize: 20 });
    await h.start();
    const stream = (from: number, to: number): void => {
      for (let i = from; i < to; i++) h.writeReadings([reading('temperature', i / 10, T0 + i * 1000)]);
    };
    stream(0, 100);
    await vi.waitFor(() => expect(h.stats().written).toBeGreaterThan(0), POLL);
    stream(100, 150); // some of these may be in flight when influxd goes down
    await influxd.halt();
    stream(150, 250);
    // Stay down until the historian has noticed, so the outage really was lived through.
    await vi.waitFor(() => expect(h.stats()).toMatchObject({ connected: false }), POLL);
    expect(h.stats().writeErrors).toBeGreaterThan(0);
    expect(h.stats().buffered).toBeGreaterThan(0);
    await influxd.restart();
    stream(250, 300);

    await vi.waitFor(async () => {
      expect(h.stats().buffered).toBe(0);
      expect(await count('rw_outage', 'reading', 'value')).toBe(300);
    }, POLL);
    const rows = await select('rw_outage', 'SELECT value FROM reading');
    expect(rows.map((r) => [r.time, r.value])).toEqual(Array.from({ length: 300 }, (_, i) => [T0 + i * 1000, i / 10]));
    expect(h.stats()).toMatchObject({ dropped: 0, rejected: 0, connected: true });
    console.log('outage stats →', JSON.stringify(h.stats()));
  });

  it('when InfluxDB is down, starts anyway, bounds the buffer by dropping the oldest, counts and logs it', { timeout: 120_000 }, async () => {
    await influxd.halt();
    const h = historian('rw_bound', { maxBufferedPoints: 10, batchSize: 5 });
    await h.start(); // must not throw
    expect(h.stats()).toMatchObject({ connected: false });
    expect(h.stats().writeErrors).toBeGreaterThan(0);

    const drops = (): Record<string, unknown>[] => logLines.filter((l) => l.msg === 'historian dropped points' && l.database === 'rw_bound');
    for (let i = 0; i < 25; i++) h.writeReadings([reading('temperature', i, T0 + i * 1000)]);
    expect(h.stats()).toMatchObject({ buffered: 10, dropped: 15 });
    // Logged, but rate-limited: one line for the first drop, the rest summed into the next line.
    expect(drops().map((l) => l.dropped)).toEqual([1]);
    fakeNow += 10_000;
    h.writeReadings([reading('temperature', 25, T0 + 25_000)]);
    expect(h.stats()).toMatchObject({ buffered: 10, dropped: 16 });
    expect(drops().map((l) => l.dropped)).toEqual([1, 15]);

    await influxd.restart();
    await vi.waitFor(() => expect(h.stats()).toMatchObject({ buffered: 0, written: 10, connected: true }), POLL);
    const rows = await select('rw_bound', 'SELECT value FROM reading');
    expect(rows.map((r) => r.value)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
  });

  it('at stop with InfluxDB down, counts and logs what it could not write', { timeout: 60_000 }, async () => {
    const h = historian('rw_stop');
    await h.start();
    await influxd.halt();
    try {
      h.writeReadings([reading('temperature', 1, T0), reading('temperature', 2, T0 + 1000)]);
      await h.stop();
      expect(h.stats()).toMatchObject({ buffered: 0, dropped: 2, written: 0 });
      expect(logLines.some((l) => l.database === 'rw_stop' && l.why === 'unwritten at stop')).toBe(true);
      h.writeReadings([reading('temperature', 3, T0 + 2000)]); // after stop: counted, not kept
      expect(h.stats()).toMatchObject({ buffered: 0, dropped: 3 });
    } finally {
      await influxd.restart();
    }
  });
});
