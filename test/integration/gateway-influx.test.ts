// Issue 2 step 5: with InfluxDB configured, every reading (retention policy raw) and every alarm transition
// (policy longterm) of the running gateway lands in InfluxDB under the documented schema
// (docs/influx-schema.md). Real influxd.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { realPart } from '../helpers/real-parts.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { waitFor } from '../helpers/wait.ts';

const influxPart = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');

async function query(url: string, q: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${url}/query?db=roomwatch_gw&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: { columns: string[]; values: unknown[][] }[] }[] };
  const series = body.results[0]?.series?.[0];
  return series ? series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]]))) : [];
}

describe.skipIf(influxPart.skip)('gateway → InfluxDB (real influxd)', () => {
  let influxd: RunningInfluxd;
  let gw: TestGateway;

  beforeAll(async () => {
    influxd = await startInfluxd();
    const dataDir = mkdtempSync(join(tmpdir(), 'rw-gw-influx-'));
    const yaml = await testSiteYaml({ dataDir, extra: `historian: { influx: { url: ${JSON.stringify(influxd.url)}, database: roomwatch_gw, flushIntervalMs: 100 } }` });
    gw = await startTestGateway({ yaml, dataDir });
  });
  afterAll(async () => {
    await gw?.dispose();
    await influxd?.stop();
  });

  it('writes every reading with its tags, and the R1 alarm transitions', async () => {
    gw.simulators.get('dist-b1-th1')!.set('temperature', 41.5);
    const raised = await waitFor(async () => {
      const rows = await query(influxd.url, `SELECT * FROM longterm.alarm WHERE event = 'raised'`);
      return rows.find((r) => r.condition === 'highHigh') ?? null;
    }, 'the raised highHigh alarm in InfluxDB', 20_000);
    expect(raised).toMatchObject({ site: 'test-site', room: 'dist-room-b1', device: 'dist-b1-th1', point: 'temperature', priority: 'critical', state: 'unack_active', value: 41.5, limit: 40, user: '' });
    const readings = await query(influxd.url, `SELECT value, quality FROM reading WHERE point = 'temperature' AND value = 41.5`);
    expect(readings.length).toBeGreaterThan(0);
    expect(readings[0]).toMatchObject({ quality: 'good', value: 41.5 });
    const tags = await query(influxd.url, `SHOW TAG KEYS FROM reading`);
    expect(tags.map((t) => t.tagKey).sort()).toEqual(['device', 'point', 'room', 'site']);
    // Readings are written at their acquisition times: the latest ones are never in the future.
    const latest = await query(influxd.url, `SELECT last(value) FROM reading WHERE point = 'humidity'`);
    expect(Number(latest[0]?.time)).toBeLessThanOrEqual(Date.now());
  });
});
