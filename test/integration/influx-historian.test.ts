// The InfluxDB historian with its durable outbox against a real influxd 1.x on loopback (issue 6): exact points,
// retention policies, replay, outage, slow server, refused points, the outbox bound, a restart with a full outbox.
// No timing assertions: we poll (generously) until InfluxDB or the stats show the expected end state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AlarmTransition } from '../../src/alarms/types.ts';
import type { AlarmView } from '../../src/contract/api.ts';
import type { InfluxConfig } from '../../src/config/schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { createInfluxHistorian, type HistorianLoss, type InfluxHistorian } from '../../src/sinks/historian/influx-historian.ts';
import { RETENTION_DEFAULTS } from '../../src/sinks/historian/influx-retention.ts';
import { OUTBOX_FILE } from '../../src/sinks/historian/outbox.ts';
import type { Rollup } from '../../src/sinks/historian/rollup.ts';
import { influxCount, influxSelect, type Row } from '../helpers/influx-query.ts';
import { startSlowProxy } from '../helpers/slow-proxy.ts';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { realPart } from '../helpers/real-parts.ts';

const influxPart = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');

const SITE = 'demo-tower';
// Within the raw retention policy (90 days), at odd milliseconds: proves ms precision end to end.
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000 + 123;
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
    escalationLevel: 0, nextEscalationAt: null, onSite: null, reportedUp: null, evidence: null,
  };
  return { kind, from: kind === 'raised' ? 'normal' : 'unack_active', to, ts, username, alarm };
}

function rollup(start: number, mean: number): Rollup {
  return {
    resolution: '1m', pointKey: 'dist-b1-th1.temperature', roomId: 'dist-room-b1', deviceId: 'dist-b1-th1', point: 'temperature',
    start, min: mean - 1, max: mean + 1, mean, last: mean, count: 60,
  };
}

describe.skipIf(influxPart.skip)('InfluxDB historian with outbox (real influxd)', () => {
  let influxd: RunningInfluxd;
  const running: InfluxHistorian[] = [];
  const dirs: string[] = [];
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
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function historian(database: string, extra: Partial<InfluxConfig> = {}, dataDir?: string, onLoss?: (loss: HistorianLoss) => void): InfluxHistorian {
    const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'rw-outbox-'));
    if (!dataDir) dirs.push(dir);
    const h = createInfluxHistorian({
      config: { url: influxd.url, database, flushIntervalMs: 50, ...extra },
      retention: RETENTION_DEFAULTS,
      siteId: SITE,
      dataDir: dir,
      logger,
      clock,
      ...(onLoss ? { onLoss } : {}),
    });
    running.push(h);
    return h;
  }

  const select = (database: string, q: string): Promise<Row[]> => influxSelect(influxd.url, database, q);
  const count = (database: string, source: string, field: string): Promise<number> => influxCount(influxd.url, database, source, field);

  const readings = [
    reading('temperature', 21.5, T0),
    reading('doorOpen', true, T0 + 1),
    reading('doorOpen', false, T0 + 2),
    reading('temperature', null, T0 + 1000, 'comm_lost'),
    // Never in a real profile (point names are alphanumeric), but proves tag escaping end to end.
    reading('odd name,with=chars', -0.25, T0 + 3),
  ];
  const alarms = [transition('raised', T0 + 2000, null, 'unack_active'), transition('acknowledged', T0 + 3000, 'o"brien\\x', 'ack_active')];
  const byTimeThenPoint = (a: Row, b: Row): number => Number(a.time) - Number(b.time) || String(a.point).localeCompare(String(b.point));

  it('creates the retention policies and writes readings, rollups and alarms as documented; a replay adds nothing', async () => {
    const h = historian('rw_exact');
    await h.start();
    expect(h.status()).toMatchObject({ state: 'ok', writeErrors: 0, backend: 'influx' });
    const rps = await select('rw_exact', 'SHOW RETENTION POLICIES');
    expect(rps).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'raw', duration: '2160h0m0s', default: true }), // 90 days
      expect.objectContaining({ name: 'longterm', duration: '17544h0m0s', default: false }), // 731 days (L5)
    ]));

    h.writeReadings(readings);
    for (const t of alarms) h.writeAlarmTransition(t);
    h.writeRollups([rollup(T0 - 60_000, 20)]);
    await vi.waitFor(() => expect(h.status()).toMatchObject({ written: 8, outboxPoints: 0 }), POLL);
    expect(h.status()).toMatchObject({ dropped: 0, rejected: 0, writeErrors: 0, lastError: null, lastWriteAt: fakeNow, oldestAgeMs: null });

    const rows = await select('rw_exact', 'SELECT * FROM raw.reading');
    const tags = { site: SITE, room: 'dist-room-b1', device: 'dist-b1-th1' };
    expect(rows.sort(byTimeThenPoint)).toEqual([
      { time: T0, ...tags, point: 'temperature', value: 21.5, quality: 'good' },
      { time: T0 + 1, ...tags, point: 'doorOpen', value: 1, quality: 'good' },
      { time: T0 + 2, ...tags, point: 'doorOpen', value: 0, quality: 'good' },
      { time: T0 + 3, ...tags, point: 'odd name,with=chars', value: -0.25, quality: 'good' },
      { time: T0 + 1000, ...tags, point: 'temperature', value: null, quality: 'comm_lost' },
    ]);
    const alarmTags = { ...tags, point: 'temperature', condition: 'highHigh', priority: 'critical' };
    expect(await select('rw_exact', 'SELECT * FROM longterm.alarm')).toEqual([
      { time: T0 + 2000, ...alarmTags, event: 'raised', state: 'unack_active', value: 41.5, limit: 40, alarm_id: 42, user: '' },
      { time: T0 + 3000, ...alarmTags, event: 'acknowledged', state: 'ack_active', value: 41.5, limit: 40, alarm_id: 42, user: 'o"brien\\x' },
    ]);
    expect(await select('rw_exact', 'SELECT * FROM longterm.reading_1m')).toEqual([
      { time: T0 - 60_000, ...tags, point: 'temperature', min: 19, max: 21, mean: 20, last: 20, count: 60 },
    ]);
    expect(await select('rw_exact', 'SHOW FIELD KEYS FROM raw.reading')).toEqual(expect.arrayContaining([
      { fieldKey: 'value', fieldType: 'float' },
      { fieldKey: 'quality', fieldType: 'string' },
    ]));
    expect(await select('rw_exact', 'SHOW FIELD KEYS FROM longterm.alarm')).toContainEqual({ fieldKey: 'alarm_id', fieldType: 'integer' });
    expect(await select('rw_exact', 'SHOW FIELD KEYS FROM longterm.reading_1m')).toContainEqual({ fieldKey: 'count', fieldType: 'integer' });

    // Replay: the same points again land on the same series and timestamps.
    h.writeReadings(readings);
    for (const t of alarms) h.writeAlarmTransition(t);
    await vi.waitFor(() => expect(h.status()).toMatchObject({ written: 15, outboxPoints: 0 }), POLL);
    expect(await count('rw_exact', 'raw.reading', 'quality')).toBe(5);
    expect(await count('rw_exact', 'longterm.alarm', 'event')).toBe(2);
    expect((await select('rw_exact', 'SELECT * FROM raw.reading')).sort(byTimeThenPoint)).toEqual(rows);
  });

  it('sets refused points aside with the reason (4xx partial write), counts them, and the queue moves on', async () => {
    const h = historian('rw_conflict', { batchSize: 50 });
    await h.start();
    // Another writer made `value` an integer in this shard: our float values now conflict.
    const pre = await fetch(`${influxd.url}/write?db=rw_conflict&rp=raw&precision=ms`, { method: 'POST', body: `reading,site=other value=7i ${T0 - 5}` });
    expect(pre.status).toBe(204);

    h.writeReadings(readings.slice(0, 3)); // value fields: refused
    h.writeAlarmTransition(alarms[0]!); // fine
    h.writeReadings([reading('temperature', null, T0 + 5000, 'bad')]); // quality only: fine
    await vi.waitFor(() => expect(h.status()).toMatchObject({ outboxPoints: 0, rejected: 3, written: 5 }), POLL);
    expect(h.status().lastError).toMatch(/field type conflict/);
    expect(await count('rw_conflict', 'longterm.alarm', 'event')).toBe(1);
    expect(await count('rw_conflict', 'raw.reading', 'quality')).toBe(1);
    expect(logLines.filter((l) => l.msg === 'InfluxDB rejected a point; set aside' && l.database === 'rw_conflict')).toHaveLength(3);

    // Later points are not blocked behind the refused ones.
    h.writeAlarmTransition(alarms[1]!);
    await vi.waitFor(async () => expect(await count('rw_conflict', 'longterm.alarm', 'event')).toBe(2), POLL);

    // A poll cycle's readings (one time) travel as one outbox entry: the refused one is still found line by line.
    h.writeReadings([reading('temperature', 20.5, T0 + 6000), reading('temperature2', null, T0 + 6000, 'bad')]);
    await vi.waitFor(() => expect(h.status()).toMatchObject({ outboxPoints: 0, rejected: 4, written: 8 }), POLL);
    expect(await count('rw_conflict', 'raw.reading', 'quality')).toBe(2);
  });

  it('keeps refused points in the outbox file\'s rejected table with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-outbox-'));
    dirs.push(dir);
    const h = historian('rw_rejected', {}, dir);
    await h.start();
    await fetch(`${influxd.url}/write?db=rw_rejected&rp=raw&precision=ms`, { method: 'POST', body: `reading,site=other value="text" ${T0 - 5}` });
    h.writeReadings([reading('temperature', 1.5, T0), reading('temperature', null, T0 + 1, 'bad')]);
    await vi.waitFor(() => expect(h.status()).toMatchObject({ outboxPoints: 0, rejected: 1 }), POLL);
    await h.stop();
    const db = new DatabaseSync(join(dir, OUTBOX_FILE), { readOnly: true });
    const rows = db.prepare('SELECT reason, line FROM rejected').all() as { reason: string; line: string }[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.line).toContain('value=1.5');
    expect(rows[0]!.reason).toMatch(/^400: .*field type conflict/);
  });

  it('writes every point exactly once across an InfluxDB outage in the middle of a stream', { timeout: 120_000 }, async () => {
    const h = historian('rw_outage', { batchSize: 20 });
    await h.start();
    const stream = (from: number, to: number): void => {
      for (let i = from; i < to; i++) h.writeReadings([reading('temperature', i / 10, T0 + i * 1000)]);
    };
    stream(0, 100);
    await vi.waitFor(() => expect(h.status().written).toBeGreaterThan(0), POLL);
    stream(100, 150); // some of these may be in flight when influxd goes down
    await influxd.halt();
    stream(150, 250);
    // Stay down until the historian has noticed, so the outage really was lived through.
    await vi.waitFor(() => expect(h.status()).toMatchObject({ state: 'down' }), POLL);
    const during = h.status();
    expect(during.writeErrors).toBeGreaterThan(0);
    expect(during.outboxPoints).toBeGreaterThanOrEqual(100);
    expect(during.oldestAgeMs).not.toBeNull();
    await influxd.restart();
    stream(250, 300);

    await vi.waitFor(async () => {
      expect(h.status().outboxPoints).toBe(0);
      expect(await count('rw_outage', 'raw.reading', 'value')).toBe(300);
    }, POLL);
    const rows = await select('rw_outage', 'SELECT value FROM raw.reading');
    expect(rows.map((r) => [r.time, r.value])).toEqual(Array.from({ length: 300 }, (_, i) => [T0 + i * 1000, i / 10]));
    // Recovered: the outage's error is not shown any more next to state ok (issue 17).
    expect(h.status()).toMatchObject({ dropped: 0, rejected: 0, state: 'ok', lastError: null, dropping: null });
  });

  it('when InfluxDB answers slowly, points wait in the outbox and all arrive exactly once', { timeout: 120_000 }, async () => {
    const proxy = await startSlowProxy(influxd.url, 300);
    try {
      const h = createInfluxHistorian({
        config: { url: proxy.url, database: 'rw_slow', batchSize: 25, flushIntervalMs: 10 },
        retention: RETENTION_DEFAULTS, siteId: SITE, dataDir: mkdtempSync(join(tmpdir(), 'rw-outbox-')), logger, clock,
      });
      running.push(h);
      await h.start();
      // A live stream: 25 readings every 50 ms, while each request takes at least 300 ms.
      let maxDepth = 0;
      const states = new Set<string>();
      for (let i = 0; i < 500; i++) {
        h.writeReadings([reading('temperature', i, T0 + i * 1000)]);
        if (i % 25 === 24) await new Promise((r) => setTimeout(r, 50));
        maxDepth = Math.max(maxDepth, h.status().outboxPoints);
        states.add(h.status().state);
      }
      expect(maxDepth).toBeGreaterThan(25); // more than one batch waited on disk for the slow server
      expect(states).toContain('backlog'); // and the status said so
      await vi.waitFor(() => expect(h.status().outboxPoints).toBe(0), POLL);
      expect(await count('rw_slow', 'raw.reading', 'value')).toBe(500);
      expect(h.status()).toMatchObject({ written: 500, dropped: 0, rejected: 0 });
      expect(proxy.requests).toBeGreaterThan(500 / 25);
    } finally {
      await proxy.close();
    }
  });

  it('at the outbox bound drops the oldest raw readings but keeps rollups and alarms; counted and logged', { timeout: 120_000 }, async () => {
    await influxd.halt();
    const h = historian('rw_bound', { outboxMaxPoints: 10, batchSize: 5 });
    await h.start(); // must not throw
    expect(h.status()).toMatchObject({ state: 'down' });

    const drops = (): Record<string, unknown>[] => logLines.filter((l) => l.msg === 'historian dropped points' && l.database === 'rw_bound');
    h.writeRollups([rollup(T0 - 60_000, 20)]);
    h.writeAlarmTransition(alarms[0]!);
    for (let i = 0; i < 25; i++) h.writeReadings([reading('temperature', i, T0 + i * 1000)]);
    expect(h.status()).toMatchObject({ outboxPoints: 10, dropped: 17 });
    // Logged, but rate-limited: one line for the first drop, the rest summed into the next line.
    expect(drops().map((l) => l.dropped)).toEqual([1]);
    fakeNow += 10_000;
    h.writeReadings([reading('temperature', 25, T0 + 25_000)]);
    expect(h.status()).toMatchObject({ outboxPoints: 10, dropped: 18 });
    expect(drops().map((l) => l.dropped)).toEqual([1, 17]);

    await influxd.restart();
    await vi.waitFor(() => expect(h.status()).toMatchObject({ outboxPoints: 0, written: 10, state: 'ok' }), POLL);
    expect((await select('rw_bound', 'SELECT value FROM raw.reading')).map((r) => r.value)).toEqual([18, 19, 20, 21, 22, 23, 24, 25]);
    expect(await count('rw_bound', 'longterm.reading_1m', 'mean')).toBe(1);
    expect(await count('rw_bound', 'longterm.alarm', 'event')).toBe(1);
  });

  it('counts a drop episode durably across a restart, reports its start and end, and clears on recovery (issue 17)', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-outbox-'));
    dirs.push(dir);
    const losses: HistorianLoss[] = [];
    const drops = (): Record<string, unknown>[] => logLines.filter((l) => l.msg === 'historian dropped points' && l.database === 'rw_episode');
    await influxd.halt();
    const startedAt = fakeNow;
    const first = historian('rw_episode', { outboxMaxPoints: 10, batchSize: 5 }, dir, (l) => losses.push(l));
    await first.start();
    for (let i = 0; i < 30; i++) first.writeReadings([reading('temperature', i, T0 + i * 1000)]);
    // 20 lost, the oldest ones: readings 0..19 (taken T0 .. T0 + 19 s); the header's view says so.
    expect(first.status()).toMatchObject({
      outboxPoints: 10, dropped: 20, state: 'down',
      dropping: { startedAt, endedAt: null, count: 20, lostFrom: T0, lostTo: T0 + 19_000, what: 'oldestRaw' },
    });
    await vi.waitFor(() => expect(losses).toHaveLength(1));
    expect(losses[0]).toMatchObject({ phase: 'started', episode: { count: 1, lostFrom: T0, lostTo: T0 } });
    // Rate-limited: the first drop is logged at once, the other 19 wait for the next line; the stop flushes them.
    expect(drops().map((l) => l.dropped)).toEqual([1]);
    const episodeId = first.status().dropping!.id;
    await first.stop();
    expect(drops().map((l) => l.dropped)).toEqual([1, 19]);

    // A restart in the middle of the outage keeps counting the same episode (the count is in the outbox file).
    const second = historian('rw_episode', { outboxMaxPoints: 10, batchSize: 5 }, dir, (l) => losses.push(l));
    await second.start();
    expect(second.status()).toMatchObject({ dropped: 20, dropping: { count: 20, startedAt } });
    expect(second.status().dropping?.id).toBe(episodeId);
    for (let i = 30; i < 35; i++) second.writeReadings([reading('temperature', i, T0 + i * 1000)]);
    expect(second.status()).toMatchObject({ dropped: 25, dropping: { count: 25, lostFrom: T0, lostTo: T0 + 24_000 } });
    expect(losses).toHaveLength(1); // not a new episode: the alarm raised before the restart stands

    // Recovery: the outbox drains, the episode ends with its whole count, the last drops are logged, no old error.
    await influxd.restart();
    await vi.waitFor(() => expect(second.status()).toMatchObject({ outboxPoints: 0, state: 'ok', dropping: null }), POLL);
    expect(second.status()).toMatchObject({ dropped: 25, lastError: null });
    await vi.waitFor(() => expect(losses).toHaveLength(2));
    expect(losses[1]).toMatchObject({ phase: 'ended', episode: { id: episodeId, count: 25, lostFrom: T0, lostTo: T0 + 24_000, startedAt } });
    expect(losses[1]!.episode.endedAt).toBe(fakeNow);
    // After the restart: the first drop logged at once, the last 4 flushed when the episode ended. All 25 logged.
    expect(drops().map((l) => l.dropped)).toEqual([1, 19, 1, 4]);
    expect(await select('rw_episode', 'SELECT value FROM raw.reading').then((rows) => rows.map((r) => r.value))).toEqual([25, 26, 27, 28, 29, 30, 31, 32, 33, 34]);

    // The next outage at the bound is a new episode; the total goes on.
    await influxd.halt();
    try {
      await vi.waitFor(() => {
        second.writeReadings([reading('temperature', 99, T0 + 99_000)]);
        expect(second.status().state).toBe('down');
      }, POLL);
      for (let i = 0; i < 12; i++) second.writeReadings([reading('temperature', 100 + i, T0 + (100 + i) * 1000)]);
      const next = second.status().dropping;
      expect(next?.id).not.toBe(episodeId);
      expect(second.status().dropped).toBe(25 + next!.count);
    } finally {
      await influxd.restart();
    }
  });

  it('stopped with InfluxDB down, keeps the points on disk and replays them at the next start', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-outbox-'));
    dirs.push(dir);
    const h = historian('rw_stop', {}, dir);
    await h.start();
    await influxd.halt();
    try {
      h.writeReadings([reading('temperature', 1, T0), reading('temperature', 2, T0 + 1000)]);
      await h.stop();
      expect(h.status()).toMatchObject({ dropped: 0, written: 0 });
    } finally {
      await influxd.restart();
    }
    const again = historian('rw_stop', {}, dir);
    await again.start();
    await vi.waitFor(() => expect(again.status()).toMatchObject({ outboxPoints: 0, written: 2 }), POLL);
    expect((await select('rw_stop', 'SELECT value FROM raw.reading')).map((r) => r.value)).toEqual([1, 2]);
  });
});
