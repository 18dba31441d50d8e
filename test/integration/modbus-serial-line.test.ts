// RTU on a real serial line (issue 12 §1b): a socat pty pair at 9600 8N1, our link on one end, a small RTU
// slave emulator with two units (the simulators' serveRtu on a serial port) on the other. Every slave silent
// for longer than it takes the link to give up on the line and reopen the port, then back: the line recovers
// by itself (the port was closed properly, no "Cannot lock port"); and the adapter named by two paths (its
// symlink and the pty itself) is one link.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import type { DeviceStatus } from '../../src/core/bus.ts';
import type { Reading } from '../../src/core/reading.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { serveRtu } from '../../src/simulators/modbus-frames.ts';
import { createSimulatedUnit } from '../../src/simulators/modbus-unit.ts';
import { createModbusSource, type ModbusSource } from '../../src/sources/modbus/source.ts';
import { realPart } from '../helpers/real-parts.ts';
import { waitFor } from '../helpers/wait.ts';

const socat = realPart('socat', existsSync('/usr/bin/socat'), 'apt-get install socat');
const profiles = loadProfiles(defaultProfilesDir);

describe.skipIf(socat.skip)('RTU on a serial pty pair at 9600 8N1', () => {
  let child: ChildProcess | undefined;
  let slave: SerialPort | undefined;
  let source: ModbusSource | undefined;
  afterAll(async () => {
    await source?.stop();
    await new Promise<void>((resolve) => (slave?.isOpen ? slave.close(() => resolve()) : resolve()));
    child?.kill('SIGTERM');
  });

  it('every slave silent, then back: recovers without a restart; one adapter under two names is one link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-line-'));
    const [ours, theirs] = [join(dir, 'ttyGW'), join(dir, 'ttySLAVE')];
    child = spawn('/usr/bin/socat', ['-d', '-d', `pty,raw,echo=0,link=${ours}`, `pty,raw,echo=0,link=${theirs}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let said = '';
      child!.stderr!.on('data', (d: Buffer) => {
        said += d.toString();
        if (/starting data transfer loop/.test(said)) resolve();
      });
      child!.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${said}`)));
    });
    const units = new Map([1, 2].map((id) => [id, createSimulatedUnit(modbusProfile(profiles, 'xy-md02'), id)]));
    units.get(1)!.set('temperature', 21.5);
    units.get(2)!.set('temperature', 23.5);
    slave = new SerialPort({ path: theirs, baudRate: 9600 });
    await new Promise<void>((resolve, reject) => slave!.once('open', resolve).once('error', reject));
    serveRtu(slave, (id) => units.get(id));

    // th2 names the pty itself, th1 its symlink: one adapter, so one link (its lock taken once).
    const site = parseSite('line.yaml', `
site: { id: l, name: { en: L, zh-CN: L }, demo: true }
rooms: [{ id: dist, kind: distribution, name: { en: D, zh-CN: 配电房 } }]
devices:
  - { id: th1, room: dist, profile: xy-md02, pollIntervalMs: 200, commLossAfterCycles: 2, connection: { type: rtu, path: ${ours}, unitId: 1, timeoutMs: 200, maxRegisters: 1, maxGap: 0 } }
  - { id: th2, room: dist, profile: xy-md02, pollIntervalMs: 200, commLossAfterCycles: 2, connection: { type: rtu, path: ${realpathSync(ours)}, unitId: 2, timeoutMs: 200 } }
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`, profiles);
    const statuses: DeviceStatus[] = [];
    const readings: Reading[] = [];
    source = createModbusSource({ devices: site.modbusDevices, clock: systemClock, logger: silentLogger, emit: (b) => readings.push(...b), status: (s) => statuses.push(s) });
    await source.start();
    expect([...source.links.values()]).toEqual([['th1', 'th2']]);
    await waitFor(() => ['th1', 'th2'].every((d) => statuses.some((s) => s.deviceId === d && s.online)), 'both units answer');

    // The line goes silent (every slave off) until the link gives up on it and reopens the port.
    for (const u of units.values()) u.setOffline(true);
    await waitFor(() => source!.diagnostics().links[0]!.lastError?.includes('answered 5 requests in a row'), 'the link reopened for silence', 30_000);
    await waitFor(() => ['th1', 'th2'].every((d) => statuses.some((s) => s.deviceId === d && !s.online)), 'both offline', 30_000);
    for (const u of units.values()) u.setOffline(false);
    const downAt = statuses.length;
    await waitFor(() => ['th1', 'th2'].every((d) => statuses.slice(downAt).some((s) => s.deviceId === d && s.online)), 'both back online without a restart', 60_000);
    const link = source.diagnostics().links[0]!;
    expect(link).toMatchObject({ state: 'connected', connectFailures: 0 }); // no "Cannot lock port"
    expect(link.reconnects).toBeGreaterThanOrEqual(1);

    // Late answers: th1 reads temperature and humidity with two identically shaped requests; answering 300 ms
    // late (timeout 200 ms), its humidity (55) must never be taken for its temperature (a false R1 alarm).
    units.get(1)!.set('humidity', 55);
    await waitFor(() => readings.some((r) => r.pointKey === 'th1.humidity' && r.value === 55), 'humidity 55 read');
    const lateReadings = readings.length;
    units.get(1)!.setDelay(300);
    const lateFrom = statuses.length;
    await waitFor(() => statuses.slice(lateFrom).some((s) => s.deviceId === 'th1' && !s.online), 'the late unit offline', 30_000);
    await waitFor(() => source!.diagnostics().devices.find((d) => d.deviceId === 'th1')!.noAnswer >= 6, 'six late answers', 30_000);
    units.get(1)!.setDelay(0);
    await waitFor(() => statuses.slice(lateFrom).some((s) => s.deviceId === 'th1' && s.online), 'th1 back', 60_000);
    expect(readings.slice(lateReadings).filter((r) => r.pointKey === 'th1.temperature' && r.quality === 'good' && r.value !== 21.5)).toEqual([]);
    expect(readings.slice(lateReadings).filter((r) => r.pointKey === 'th1.humidity' && r.quality === 'good' && r.value !== 55)).toEqual([]);
    expect(statuses.filter((s) => s.deviceId === 'th2' && !s.online)).toHaveLength(1); // only the line-wide silence
  }, 120_000);
});
