// Interop with Modbus tools we did not write (issue 3):
//   - Debian mbpoll reads our simulators by manual (1-based) register numbers: the Grundfos alarm code
//     "00205" and the Daikin leaving water "17" come back as the values our loader put at PDU 204 and 16,
//     which proves the profile loader's conversion against a third-party client;
//   - our poller reads a server we did not write (Debian python3-pymodbus, /usr/bin/python3) with the
//     same register map, over Modbus TCP and over RTU on a serial port (a socat pty pair).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultProfilesDir, parseSite, projectRoot } from '../../src/config/load.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { startModbusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { createModbusSource } from '../../src/sources/modbus/source.ts';
import { freePort } from '../helpers/ports.ts';
import { realPart } from '../helpers/real-parts.ts';
import { waitFor } from '../helpers/wait.ts';

const profiles = loadProfiles(defaultProfilesDir);
const run = promisify(execFile);
const mbpoll = realPart('mbpoll', existsSync('/usr/bin/mbpoll'), 'apt-get install mbpoll');
const pymodbus = realPart('python3-pymodbus', existsSync('/usr/bin/python3') && existsSync('/usr/lib/python3/dist-packages/pymodbus'), 'apt-get install python3-pymodbus');
const socat = realPart('socat', existsSync('/usr/bin/socat'), 'apt-get install socat');

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

/** Starts a child and resolves once it printed `ready` (or rejects with what it said). */
function startChild(cmd: string, args: string[], ready: RegExp | null): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  if (!ready) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    let said = '';
    const onData = (d: Buffer): void => {
      said += d.toString();
      if (ready.test(said)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${said}`)));
  });
}

describe.skipIf(mbpoll.skip)('Debian mbpoll reads our simulators by manual register numbers', () => {
  it('Grundfos 00205 (alarm code) and 00332–00333 (energy, uint32 high word first); Daikin 17 (leaving water ×10)', async () => {
    const pump = await startModbusSimulator({ profile: modbusProfile(profiles, 'grundfos-cim'), host: '127.0.0.1', port: 0, unitId: 1, logger: silentLogger });
    const chiller = await startModbusSimulator({ profile: modbusProfile(profiles, 'daikin-microtech3'), host: '127.0.0.1', port: 0, unitId: 1, logger: silentLogger });
    try {
      pump.set('alarmCode', 57); // dry running
      pump.set('energy', 0x12345);
      chiller.set('leavingWater', 6.8);
      const read = async (port: number, args: string[]): Promise<string> =>
        (await run('/usr/bin/mbpoll', ['-m', 'tcp', '-p', String(port), '-a', '1', '-t', '4', ...args, '-1', '127.0.0.1'], { timeout: 20_000 })).stdout;
      // mbpoll numbers registers from 1 like the manuals (its -0 option would switch to PDU addresses).
      expect(await read(pump.port, ['-r', '205'])).toMatch(/\[205\]:\s+57\b/);
      const energy = await read(pump.port, ['-r', '332', '-c', '2']);
      expect(energy).toMatch(/\[332\]:\s+1\b/); // 0x0001 high word
      expect(energy).toMatch(/\[333\]:\s+9029\b/); // 0x2345 low word
      expect(await read(chiller.port, ['-r', '17'])).toMatch(/\[17\]:\s+68\b/);
    } finally {
      await pump.stop();
      await chiller.stop();
    }
  });
});

/** XY-MD02 devices th1, th2 … on the given connections. */
const site = (...connections: string[]) =>
  parseSite('interop.yaml', `
site: { id: interop, name: { en: Interop, zh-CN: 互通 }, demo: true }
rooms: [{ id: dist, kind: distribution, name: { en: D, zh-CN: 配电房 } }]
devices:
${connections.map((c, i) => `  - { id: th${i + 1}, room: dist, profile: xy-md02, pollIntervalMs: 200, connection: ${c} }`).join('\n')}
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`, profiles).modbusDevices;

// The XY-MD02 frame of devices.md §1a: input registers 0x0001 = 0x0131 (30.5 °C), 0x0002 = 0x0222 (54.6 %RH);
// 0xFF33 (−20.5 °C) on unit 2 checks the sign on a server that stores raw words.
const map = JSON.stringify({ '1': { input: { '1': 0x0131, '2': 0x0222 } }, '2': { input: { '1': 0xff33, '2': 0x0222 } } });
const script = join(projectRoot, 'test/helpers/pymodbus-server.py');

async function pollUntilGood(devices: ReturnType<typeof site>): Promise<Reading[]> {
  const readings: Reading[] = [];
  const source = createModbusSource({ devices, clock: systemClock, logger: silentLogger, emit: (b) => readings.push(...b) });
  await source.start();
  try {
    await waitFor(() => devices.every((d) => ['temperature', 'humidity'].every((p) => readings.some((r) => r.deviceId === d.config.id && r.point === p && r.quality === 'good'))), 'good readings from pymodbus', 30_000);
    return readings.filter((r) => r.quality === 'good');
  } finally {
    await source.stop();
  }
}

describe.skipIf(pymodbus.skip)('our poller reads a pymodbus server (a Modbus stack we did not write)', () => {
  it('over Modbus TCP', async () => {
    const port = await freePort();
    await startChild('/usr/bin/python3', [script, 'tcp', String(port), map], /ready/);
    const devices = site(`{ type: tcp, host: 127.0.0.1, port: ${port}, unitId: 1, timeoutMs: 1000 }`);
    // pymodbus prints "ready" just before it binds: the poller's reconnect covers the gap.
    const good = await pollUntilGood(devices);
    expect(good.find((r) => r.point === 'temperature')).toMatchObject({ value: 30.5, unit: '°C' });
    expect(good.find((r) => r.point === 'humidity')).toMatchObject({ value: 54.6, unit: '%RH' });
  });

  it.skipIf(socat.skip)('over Modbus RTU on a serial port, two units on one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-pty-'));
    const [ours, theirs] = [join(dir, 'gateway'), join(dir, 'server')];
    await startChild('/usr/bin/socat', ['-d', '-d', `pty,raw,echo=0,link=${ours}`, `pty,raw,echo=0,link=${theirs}`], /starting data transfer loop/);
    await startChild('/usr/bin/python3', [script, 'rtu', theirs, map], /ready/);
    const devices = site(
      `{ type: rtu, path: ${ours}, unitId: 1, baudRate: 9600, timeoutMs: 1000 }`,
      `{ type: rtu, path: ${ours}, unitId: 2, baudRate: 9600, timeoutMs: 1000 }`,
    );
    const good = await pollUntilGood(devices);
    expect(good.find((r) => r.deviceId === 'th1' && r.point === 'temperature')).toMatchObject({ value: 30.5 });
    expect(good.find((r) => r.deviceId === 'th2' && r.point === 'temperature')).toMatchObject({ value: -20.5 });
  });
});

describe('a serial port that is not there (USB adapter unplugged)', () => {
  it('reports comm_lost naming the port, keeps trying, never crashes', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'rw-nodev-')), 'ttyUSB9');
    const readings: Reading[] = [];
    const source = createModbusSource({ devices: site(`{ type: rtu, path: ${missing}, timeoutMs: 200 }`), clock: systemClock, logger: silentLogger, emit: (b) => readings.push(...b) });
    await source.start();
    try {
      await waitFor(() => readings.filter((r) => r.point === 'temperature').length >= 3, 'three cycles');
      expect(readings.every((r) => r.quality === 'comm_lost' && r.value === null)).toBe(true);
      expect(readings[0]!.detail).toContain(`connect to ${missing} failed`);
    } finally {
      await source.stop();
    }
  });
});
