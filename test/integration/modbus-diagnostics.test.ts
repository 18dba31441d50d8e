// The whole gateway with a simulated XY-MD02 on Modbus TCP, told by `npm run sim -- exception` (and the simulator
// itself) to misbehave: GET /api/diagnostics/modbus shows what the poller counted, and the three error classes of
// reference/devices.md §5 implication 2 stay apart: a configuration exception (02) raises the device's
// configuration alarm (medium, A8) with the duty-log entry and clears when the device answers normally again;
// 0x0B is a silent device (communication loss, not configuration); a device that does not answer is counted as
// timeouts and the link reconnects.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type AlarmView, type DutyLogEntryView, type ModbusDeviceDiagnosticsView, type ModbusDiagnosticsView } from '../../src/contract/api.ts';
import type { Reading } from '../../src/core/reading.ts';
import type { ModbusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { freePort } from '../helpers/ports.ts';
import { runCli } from '../helpers/sim-cli.ts';
import { waitFor } from '../helpers/wait.ts';

const ID = 'dist-b1-th1';
const MISMATCH = 'unit 1, input register 0x0001 (temperature): Modbus exception 2: illegal data address';

describe('Modbus diagnostics API and the configuration alarm (devices.md §5)', () => {
  let gw: TestGateway;
  let sim: ModbusSimulator;
  let cookie: string;
  const readings: Reading[] = [];
  const latest = (point: string): Reading | undefined => readings.findLast((r) => r.point === point);
  const diagnostics = async (): Promise<ModbusDiagnosticsView> => (await api<ModbusDiagnosticsView>(gw.url, cookie, routes.modbusDiagnostics)).body;
  const device = async (): Promise<ModbusDeviceDiagnosticsView> => (await diagnostics()).devices.find((d) => d.deviceId === ID)!;
  const alarms = (condition: AlarmView['condition']): AlarmView[] => gw.gateway.alarms.open().filter((a) => a.condition === condition);
  const entriesAfter = (id: number): DutyLogEntryView[] => gw.gateway.dutyLog.list({ limit: 1000 }).filter((e) => e.id > id);
  const lastEntryId = (): number => gw.gateway.dutyLog.list({ limit: 1 })[0]?.id ?? 0;
  /** Requests not (yet) answered, timed out or failed: every request is one of those, or still on the wire. */
  const inFlight = (d: ModbusDeviceDiagnosticsView): number => {
    const open = d.requests - d.answers - d.noAnswer - d.transportErrors;
    expect(open).toBeGreaterThanOrEqual(0);
    return open;
  };

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-modbus-diag-'));
    const yaml = await testSiteYaml({ dataDir, extra: `simulators: { controlPort: ${await freePort()} }` });
    gw = await startTestGateway({ yaml, dataDir });
    sim = gw.simulators.get(ID)!;
    gw.gateway.bus.on('readings', 'test', (rs) => readings.push(...rs));
    cookie = (await login(gw.url, 'duty', 'duty')).cookie;
  });
  afterAll(async () => gw?.dispose());

  it('needs a session, and shows the link and the counters of a healthy device', async () => {
    const anonymous = await api<{ error: { code: string } }>(gw.url, null, routes.modbusDiagnostics);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('RW_AUTH_REQUIRED');

    await waitFor(async () => (await device()).answers >= 3, 'three answers');
    const seenBefore = sim.requests;
    const d = await device();
    const seenAfter = sim.requests;
    expect(d).toMatchObject({ link: `tcp:127.0.0.1:${sim.port}`, unitId: 1, online: true, noAnswer: 0, transportErrors: 0, busyRetries: 0, failedCycles: 0, exceptions: [], configProblem: null, lastError: null });
    expect(inFlight(d)).toBeLessThanOrEqual(1);
    // What the poller counted is what the device saw, give or take the request on the wire.
    expect(d.requests).toBeGreaterThanOrEqual(seenBefore);
    expect(d.requests).toBeLessThanOrEqual(seenAfter + 1);
    expect(d.lastGoodAt).toBeLessThanOrEqual(Date.now());
    const links = (await diagnostics()).links;
    expect(links).toEqual([{ key: `tcp:127.0.0.1:${sim.port}`, state: 'connected', reconnects: 0, lastError: null, requestsHeld: expect.any(Number), connectFailures: 0, staleBytesDropped: 0, lateAnswersDropped: 0, devices: [ID] }]);
    expect(links[0]!.requestsHeld).toBeLessThanOrEqual(1); // only one on the wire (concurrency 1); finished ones are dropped
  });

  it('exception 02: a configuration alarm naming unit, table, address and meaning, in the duty log; clears when the device answers normally', async () => {
    const mark = lastEntryId();
    const set = await runCli(['exception', ID, '2', '--config', gw.configFile]);
    expect(set.code, set.stderr).toBe(0);
    const [alarm] = await waitFor(() => alarms('config').length > 0 && alarms('config'), 'a configuration alarm');
    expect(alarm).toMatchObject({ deviceId: ID, pointKey: ID, roomId: 'dist-room-b1', priority: 'medium', rule: 'A8', state: 'unack_active', detail: MISMATCH });
    const raised = entriesAfter(mark).filter((e) => e.kind === 'alarm.raised');
    expect(raised.map((e) => [e.deviceId, e.params['condition'], e.params['priority'], e.params['detail']])).toEqual([[ID, 'config', 'medium', MISMATCH]]);
    // The points stay bad with the exception's meaning; an exception is an answer: no communication loss.
    expect(latest('temperature')).toMatchObject({ quality: 'bad', value: null, detail: 'Modbus exception 2: illegal data address' });
    expect(alarms('commLoss')).toEqual([]);

    const d = await device();
    expect(d.exceptions).toEqual([{ code: 2, meaning: 'illegal data address', count: expect.any(Number) }]);
    expect(d.exceptions[0]!.count).toBeGreaterThanOrEqual(2);
    expect(d).toMatchObject({ online: true, configProblem: MISMATCH, lastError: 'Modbus exception 2: illegal data address', busyRetries: 0 });
    expect((await diagnostics()).links[0]).toMatchObject({ state: 'connected', reconnects: 0 }); // not retried, not reconnected

    const off = await runCli(['exception', ID, 'off', '--config', gw.configFile]);
    expect(off.code, off.stderr).toBe(0);
    await waitFor(() => alarms('config')[0]?.state === 'rtn_unack', 'the configuration alarm back to normal');
    expect(entriesAfter(mark).filter((e) => e.kind === 'alarm.returned').map((e) => [e.deviceId, e.params['condition']])).toEqual([[ID, 'config']]);
    expect((await device()).configProblem).toBeNull();
  });

  it('0x0B (the gateway’s target did not respond) is a silent device: communication loss, not a configuration alarm', async () => {
    const mark = lastEntryId();
    sim.setException(11);
    await waitFor(() => alarms('commLoss')[0]?.state === 'unack_active', 'a communication-loss alarm');
    expect(entriesAfter(mark).filter((e) => e.params['condition'] === 'config')).toEqual([]);
    expect(latest('temperature')).toMatchObject({ quality: 'comm_lost', value: null });
    const d = await device();
    expect(d.exceptions.find((e) => e.code === 11)).toMatchObject({ meaning: 'gateway target device failed to respond' });
    expect(d).toMatchObject({ online: false, configProblem: null });
    expect(d.failedCycles).toBeGreaterThanOrEqual(3);
    sim.setException(null);
    await waitFor(async () => (await device()).online === true, 'online again', 30_000);
  });

  it('a device that does not answer: timeouts counted as no answer; the connection stays up (issue 12: a timeout is the unit’s)', async () => {
    sim.setOffline(true);
    await waitFor(async () => (await device()).noAnswer >= 2, 'two timeouts');
    expect((await device()).lastError).toMatch(/^timeout/);
    sim.setOffline(false);
    await waitFor(async () => (await device()).online === true, 'answers again', 30_000);
    const link = (await diagnostics()).links[0]!;
    expect(link).toMatchObject({ state: 'connected', reconnects: 0 });
    expect((await device()).transportErrors).toBe(0);
    expect(inFlight(await device())).toBeLessThanOrEqual(1);
  });
});
