// The running month of a new site (M1, issue 16): with the gateway's clock fixed mid-hour, the current month's
// report counts the closed hours of today and the hour in progress (not rolled up yet: from the open buckets in
// memory), for both history backends: the local store and a real influxd. The figures are computed in the test
// from the readings it sent, not through the report's code.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { PeriodReportView } from '../../src/contract/api.ts';
import type { Reading } from '../../src/core/reading.ts';
import { api, login } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { oneSensorSiteYaml, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { freePort } from '../helpers/ports.ts';
import { realPart } from '../helpers/real-parts.ts';

const influxPart = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');
const TEMP = 'dist-b1-th1.temperature';
/** 3 December 2026, 10:25:30 in Shanghai: the site went live at 08:00 the same day. */
const NOW = Date.parse('2026-12-03T10:25:30+08:00');
const LIVE = Date.parse('2026-12-03T08:00:00+08:00');
const STEP = 30_000;
/** 24 °C rising slowly; from 10:20 (the hour in progress) four minutes at 36 °C, above R1's 35 °C warning. */
const valueAt = (ts: number): number => (ts >= NOW - 330_000 && ts < NOW - 90_000 ? 36 : 24 + (ts - LIVE) / 3_600_000);
const sent: Reading[] = [];
for (let ts = LIVE; ts <= NOW - 10_000; ts += STEP) {
  sent.push({ pointKey: TEMP, roomId: 'dist-room-b1', deviceId: 'dist-b1-th1', point: 'temperature', unit: '°C', quality: 'good', ts, value: valueAt(ts) });
}

const gateways: TestGateway[] = [];
let influxd: RunningInfluxd | undefined;
afterAll(async () => {
  for (const gw of gateways) await gw.dispose();
  await influxd?.stop();
});

const backends = [
  { name: 'local store', skip: false, historian: async () => '' },
  {
    name: 'InfluxDB (real influxd)',
    skip: influxPart.skip,
    historian: async () => {
      influxd = await startInfluxd();
      return `historian: { influx: { url: ${influxd.url}, database: rw_now, flushIntervalMs: 20 } }`;
    },
  },
];

describe.each(backends)('the running month of a new site, clock mid-hour: $name', ({ skip, historian }) => {
  it.skipIf(skip)('counts today\'s closed hours and the hour in progress in the trends and the exceedances', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rw-period-now-'));
    // The extra lines follow the users list: the supervisor first, then the historian.
    const extra = `  - { username: super, displayName: Supervisor Sun, role: supervisor, password: super }\n${await historian()}`;
    const gw = await startTestGateway({ yaml: oneSensorSiteYaml({ port: await freePort(), dataDir, extra }), dataDir, clock: fakeClock(NOW) });
    gateways.push(gw);
    for (const r of sent) gw.gateway.ingest([r]);
    const { cookie } = await login(gw.url, 'super', 'super');

    // Independently of the report's code: today's figures from what was sent, and the minutes above 35 °C.
    const values = sent.map((r) => r.value as number);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const hot = [...new Set(sent.filter((r) => (r.value as number) > 35).map((r) => Math.floor(r.ts / 60_000)))];

    // InfluxDB gets the closed hours and minutes through the outbox: ask until they are there.
    const report = await vi.waitFor(async () => {
      const res = await api<PeriodReportView>(gw.url, cookie, '/api/period-report');
      expect(res.status).toBe(200);
      expect(res.body.trends.find((t) => t.pointKey === TEMP)?.days[0]?.mean).toBeCloseTo(mean, 9);
      return res.body;
    }, { timeout: 60_000, interval: 250 });
    expect(report.period.key).toBe('2026-12');
    const temp = report.trends.find((t) => t.pointKey === TEMP)!;
    expect(temp.days).toHaveLength(1);
    expect(temp.days[0]).toMatchObject({ date: '2026-12-03', min: 24, max: 36 });
    expect(temp.period).toMatchObject({ min: 24, max: 36 });
    expect(temp.period!.mean).toBeCloseTo(mean, 9);
    expect(report.exceedances).toEqual([expect.objectContaining({ pointKey: TEMP, limit: 'high', minutes: hot.length, excursions: 1, worst: 36, worstAt: hot[0]! * 60_000 })]);
  });
});
