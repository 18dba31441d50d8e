// The simulator control API and `npm run sim` as a user runs them: a real simulator, the real control
// server on a loopback port, and the CLI as a separate process reading a temp site config.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProfilesDir } from '../../src/config/load.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { startSimulatorControl, type SimulatorControl, type DevicesResponse } from '../../src/simulators/control-server.ts';
import { freePort } from '../helpers/ports.ts';
import { runCli } from '../helpers/sim-cli.ts';
import { waitFor } from '../helpers/wait.ts';
import { oneSensorSiteYaml } from '../helpers/gateway.ts';

function siteYaml(controlPort: number, devicePort: number): string {
  return oneSensorSiteYaml({ port: devicePort, simulate: true, extra: `simulators: { controlPort: ${controlPort} }` });
}

describe('simulator control: HTTP API and `npm run sim`', () => {
  let sim: ModbusSimulator;
  let rtu: ModbusSimulator; // behind a simulated serial device server: RTU frames with a CRC
  let control: SimulatorControl;
  let dir: string;
  let config: string;
  let base: string;

  beforeAll(async () => {
    const profile = modbusProfile(loadProfiles(defaultProfilesDir), 'xy-md02');
    sim = await startModbusSimulator({ profile, host: '127.0.0.1', port: 0, unitId: 1, logger: silentLogger });
    rtu = await startModbusSimulator({ profile, host: '127.0.0.1', port: 0, unitId: 2, logger: silentLogger, framing: 'rtu' });
    control = await startSimulatorControl({ simulators: new Map([['dist-b1-th1', sim], ['dist-b1-th2', rtu]]), host: '127.0.0.1', port: 0, logger: silentLogger });
    base = `http://127.0.0.1:${control.port}`;
    dir = mkdtempSync(join(tmpdir(), 'roomwatch-sim-'));
    config = join(dir, 'site.yaml');
    writeFileSync(config, siteYaml(control.port, sim.port));
  });

  afterAll(async () => {
    await control?.stop();
    await sim?.stop();
    await rtu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const put = (path: string, body: unknown) =>
    fetch(base + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('`sim set` changes the simulator value, negative values included', async () => {
    const hot = await runCli(['set', 'dist-b1-th1', 'temperature', '41.5', '--config', config]);
    expect(hot.stderr).not.toMatch(/Error|problem/);
    expect(hot.code).toBe(0);
    expect(hot.stdout).toContain('dist-b1-th1.temperature = 41.5 °C');
    expect(sim.get('temperature')).toBe(41.5);

    const cold = await runCli(['set', 'dist-b1-th1', 'temperature', '-5.2', '--config', config]);
    expect(cold.code).toBe(0);
    expect(sim.get('temperature')).toBe(-5.2);
  });

  it('`sim list` shows the devices, points and current values', async () => {
    const list = await runCli(['list', '--config', config]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('dist-b1-th1');
    expect(list.stdout).toMatch(/temperature\s+-5\.2 °C/);
    expect(list.stdout).toMatch(/humidity\s+48 %RH/);
  });

  it('`sim exception` makes the device answer an exception, and `off` ends it', async () => {
    expect((await runCli(['exception', 'dist-b1-th1', '2', '--config', config])).code).toBe(0);
    expect(sim.exception).toBe(2);
    expect((await runCli(['exception', 'dist-b1-th1', 'off', '--config', config])).code).toBe(0);
    expect(sim.exception).toBeNull();
  });

  it('answers 404 with a clear message for an unknown device or point, and the CLI exits 1', async () => {
    const res = await put('/devices/no-such-device/points/temperature', { value: 30 });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('RW_NOT_FOUND');
    expect(body.error.message).toContain('no simulated device "no-such-device"');
    expect(body.error.message).toContain('dist-b1-th1'); // tells the user what exists

    const point = await put('/devices/dist-b1-th1/points/pressure', { value: 1 });
    expect(point.status).toBe(404);
    expect(((await point.json()) as { error: { message: string } }).error.message).toContain('points: temperature, humidity');

    const cli = await runCli(['set', 'no-such-device', 'temperature', '30', '--config', config]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('no simulated device "no-such-device"');
    expect(sim.get('temperature')).toBe(-5.2); // unchanged
  });

  it('answers 400 for a bad value or code and leaves the simulator unchanged', async () => {
    for (const body of [{ value: 'hot' }, { value: true }, {}, { value: 1, extra: 2 }, { value: 99999 }]) {
      const res = await put('/devices/dist-b1-th1/points/temperature', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RW_INVALID_REQUEST');
    }
    expect((await put('/devices/dist-b1-th1/exception', { code: 0 })).status).toBe(400);
    expect((await put('/devices/dist-b1-th1/exception', { code: 'off' })).status).toBe(400);
    expect(sim.get('temperature')).toBe(-5.2);
    expect(sim.exception).toBeNull();

    const cli = await runCli(['set', 'dist-b1-th1', 'temperature', 'hot', '--config', config]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('value must be a number');
  });

  it('lists over HTTP and denies unknown routes', async () => {
    const res = await fetch(`${base}/devices`);
    const body = (await res.json()) as DevicesResponse;
    expect(body.devices).toEqual([
      {
        id: 'dist-b1-th1',
        profile: 'xy-md02',
        port: sim.port,
        unitId: 1,
        exception: null,
        offline: false,
        delayMs: 0,
        badCrc: false,
        points: [
          { name: 'temperature', unit: '°C', value: -5.2 },
          { name: 'humidity', unit: '%RH', value: 48 },
        ],
      },
      expect.objectContaining({ id: 'dist-b1-th2', port: rtu.port, unitId: 2, badCrc: false }),
    ]);
    expect((await fetch(`${base}/devices/dist-b1-th1`, { method: 'DELETE' })).status).toBe(404);
  });

  it('scenarios: `sim raw` writes a fault sentinel, `offline` silences the device, `slow` delays it, `crc bad` breaks its CRC; ramps over HTTP', async () => {
    const raw = await runCli(['raw', 'dist-b1-th1', 'humidity', '0x8000', '--config', config]);
    expect(raw.code, raw.stderr).toBe(0);
    expect(raw.stdout).toContain('dist-b1-th1.humidity registers = 0x8000');
    expect(sim.read('input', 2, 1)).toEqual({ words: [0x8000] });
    expect((await put('/devices/dist-b1-th1/points/humidity/raw', { words: [1, 2, 3] })).status).toBe(400);
    expect((await put('/devices/dist-b1-th1/points/humidity/raw', { words: [1, 2] })).status).toBe(400); // int16: one word

    expect((await runCli(['offline', 'dist-b1-th1', 'on', '--config', config])).code).toBe(0);
    expect(sim.offline).toBe(true);
    expect(sim.read('input', 1, 2)).toBe('silent');
    expect((await runCli(['offline', 'dist-b1-th1', 'off', '--config', config])).code).toBe(0);
    expect(sim.offline).toBe(false);

    expect((await runCli(['slow', 'dist-b1-th1', '300', '--config', config])).code).toBe(0);
    expect(sim.delayMs).toBe(300);
    expect((await put('/devices/dist-b1-th1/delay', { ms: 0 })).status).toBe(200);
    expect(sim.delayMs).toBe(0);

    const crc = await runCli(['crc', 'dist-b1-th2', 'bad', '--config', config]);
    expect(crc.code, crc.stderr).toBe(0);
    expect(crc.stdout).toContain('dist-b1-th2 answers with a broken CRC');
    expect(rtu.badCrc).toBe(true);
    expect((await put('/devices/dist-b1-th2/crc', { bad: 'yes' })).status).toBe(400);
    expect((await put('/devices/dist-b1-th2/crc', { bad: false })).status).toBe(200);
    expect(rtu.badCrc).toBe(false);
    const tcp = await runCli(['crc', 'dist-b1-th1', 'bad', '--config', config]); // Modbus TCP has no CRC
    expect(tcp.code).toBe(1);
    expect(tcp.stderr).toContain('has no CRC to break');
    expect(sim.badCrc).toBe(false);

    const ramp = await put('/devices/dist-b1-th1/points/humidity/ramp', { to: 60, seconds: 0.3 });
    expect(ramp.status).toBe(200);
    await waitFor(() => sim.get('humidity') === 60, 'the ramp to end at 60 %RH');
    expect((await put('/devices/dist-b1-th1/points/humidity/ramp', { to: 60, seconds: 0 })).status).toBe(400);
    sim.set('humidity', 48);
  });

  it('the CLI says the gateway is not running, exit 1, when nothing listens on the control port', async () => {
    const idle = join(dir, 'idle.yaml');
    writeFileSync(idle, siteYaml(await freePort(), sim.port));
    const cli = await runCli(['list', '--config', idle]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('the gateway is not running');
  });

  it('refuses to listen beyond loopback: the API has no login', async () => {
    await expect(startSimulatorControl({ simulators: new Map(), host: '0.0.0.0', port: 0, logger: silentLogger })).rejects.toThrow(/loopback/);
  });
});
