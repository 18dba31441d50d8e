// A running gateway on the generated month (month-data.ts): the readings go through a History on the data dir
// before the gateway starts (the real rollup path), the records into its store once it runs. The clock stands
// at 3 December 2026 10:00 Shanghai, so November is a whole month and October its previous one.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSite } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createHistory } from '../../src/sinks/historian/history.ts';
import { fakeClock } from './fake-clock.ts';
import { oneSensorSiteYaml, startTestGateway, type TestGateway } from './gateway.ts';
import { freePort } from './ports.ts';
import { insertRecords, monthRecords, NOV, writeReadings, type MonthRecords } from './month-data.ts';

export const MONTH_NOW = Date.parse('2026-12-03T10:00:00+08:00');

export interface MonthSite {
  gw: TestGateway;
  records: MonthRecords;
  /** November's shifts (those starting in it), in order. */
  shifts: { key: string; start: number; end: number }[];
}

export async function startMonthSite(): Promise<MonthSite> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-month-'));
  const [sensorPort, pumpPort] = [await freePort(), await freePort()];
  const yaml = oneSensorSiteYaml({ port: sensorPort, pollIntervalMs: 1000, simulate: true, dataDir, extra: `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", minStaff: { duty: 1 } }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30", minStaff: { duty: 1 } }
patrols:
  - id: b1-shift
    room: dist-room-b1
    name: { en: B1 shift patrol, zh-CN: B1 每班巡检 }
    every: shift
    checklist: [{ id: clean, name: { en: Room clean, zh-CN: 机房整洁 } }]
    readings: [{ id: meter, name: { en: Energy meter, zh-CN: 电度表 }, unit: kWh }]` })
    .replace('rooms:\n', 'rooms:\n  - { id: pump-room, kind: pump, name: { en: Pump room, zh-CN: 水泵房 } }\n')
    .replace('devices:\n', `devices:\n  - { id: pump-1, room: pump-room, profile: grundfos-cim, simulate: true, pollIntervalMs: 1000, connection: { type: tcp, host: 127.0.0.1, port: ${pumpPort}, unitId: 1, timeoutMs: 500 } }\n`)
    .replace('users:\n', 'users:\n  - { username: super, displayName: Supervisor Sun, role: supervisor, password: super }\n  - { username: shiftlead, displayName: Lead Qian, role: lead, password: shiftlead }\n');
  const configFile = join(dataDir, 'site.yaml');
  writeFileSync(configFile, yaml);
  const clock = fakeClock(MONTH_NOW);
  // The readings through the historian's own rollups, as the gateway would have written them live.
  const history = createHistory({ config: loadSite(configFile).config, dataDir, logger: silentLogger, clock });
  await history.start();
  writeReadings(history);
  await history.stop();

  const gw = await startTestGateway({ yaml, dataDir, clock });
  const shifts = gw.gateway.shiftPlan.shiftsBetween(NOV.from, NOV.to).filter((s) => s.start >= NOV.from).map((s) => ({ key: s.key, start: s.start, end: s.end }));
  const records = monthRecords(shifts);
  insertRecords(gw.gateway.store, gw.gateway.dutyLog, records);
  return { gw, records, shifts };
}
