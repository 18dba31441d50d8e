// The whole gateway with Modbus devices of several families: a chiller on Modbus TCP and two pumps on one
// simulated RS-485 line (RTU over TCP). The duty log writes by itself when the chiller stops and starts
// (A3) and when a pump stops answering and comes back (communication-loss alarm, recovery logged).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DutyLogEntryView } from '../../src/contract/api.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

describe('gateway with a chiller and two pumps on one RTU line', () => {
  let gw: TestGateway;
  const entries = (): DutyLogEntryView[] => gw.gateway.dutyLog.list({ limit: 1000 });

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-modbus-gw-'));
    const [tcp, line] = [await freePort(), await freePort()];
    gw = await startTestGateway({
      dataDir,
      yaml: `
site: { id: t, name: { en: T, zh-CN: T }, demo: true, language: en }
storage: { dataDir: ${JSON.stringify(dataDir)} }
rooms:
  - { id: plant, kind: chiller, name: { en: Chiller plant, zh-CN: 冷冻站 } }
  - { id: pumps, kind: pump, name: { en: Pump room, zh-CN: 水泵房 } }
devices:
  - { id: chiller-1, room: plant, profile: daikin-microtech3, simulate: true, pollIntervalMs: 200,
      connection: { type: tcp, host: 127.0.0.1, port: ${tcp}, timeoutMs: 300 } }
  - { id: pump-1, room: pumps, profile: grundfos-cim, simulate: true, pollIntervalMs: 200, commLossAfterCycles: 2,
      connection: { type: rtu-over-tcp, host: 127.0.0.1, port: ${line}, unitId: 1, timeoutMs: 150 } }
  - { id: pump-2, room: pumps, profile: grundfos-cim, simulate: true, pollIntervalMs: 200, commLossAfterCycles: 2,
      connection: { type: rtu-over-tcp, host: 127.0.0.1, port: ${line}, unitId: 2, timeoutMs: 150 } }
users:
  - { username: duty, displayName: Duty, role: duty, password: duty }
  - { username: head, displayName: Head Wang, role: supervisor, password: head-pass }
  - { username: boss, displayName: Manager Li, role: manager, password: boss-pass }
`,
    });
  });
  afterAll(async () => gw?.dispose());

  it('serves the two pumps as two units of one simulated line', () => {
    expect(gw.simulators.get('pump-1')!.port).toBe(gw.simulators.get('pump-2')!.port);
    expect([gw.simulators.get('pump-1')!.unitId, gw.simulators.get('pump-2')!.unitId]).toEqual([1, 2]);
  });

  it('writes the chiller stopping and starting to the duty log (A3), once per change', async () => {
    const chiller = gw.simulators.get('chiller-1')!;
    let running = 0;
    gw.gateway.bus.on('readings', 'test', (rs) => (running += rs.filter((r) => r.pointKey === 'chiller-1.unitStatus' && r.value === 3).length));
    await waitFor(() => running >= 2, 'the chiller seen running'); // its state is known before it changes
    chiller.set('unitStatus', 1); // off
    await waitFor(() => entries().find((e) => e.kind === 'equipment.stopped'), 'stop entry');
    chiller.set('unitStatus', 2); // start
    await waitFor(() => entries().find((e) => e.kind === 'equipment.started'), 'start entry');
    const log = entries().filter((e) => e.kind === 'equipment.started' || e.kind === 'equipment.stopped');
    expect(log.map((e) => e.kind).reverse()).toEqual(['equipment.stopped', 'equipment.started']);
    // P2: found running at start-up, the chiller got its run log at once (not only after a stop and start).
    expect(entries().filter((e) => e.kind === 'equipment.runLog' && e.deviceId === 'chiller-1' && e.id < log[1]!.id)).toHaveLength(1);
    expect(log[1]).toMatchObject({ deviceId: 'chiller-1', roomId: 'plant', pointKey: 'chiller-1.unitStatus', username: null, params: { value: 1, rule: 'A3' } });
  });

  it('logs a pump that stops answering as communication lost, and its return, while the other pump stays good', async () => {
    gw.simulators.get('pump-2')!.setOffline(true);
    await waitFor(() => entries().find((e) => e.kind === 'device.offline' && e.deviceId === 'pump-2'), 'offline entry');
    expect(entries().find((e) => e.kind === 'device.offline')!.params['detail']).toContain('timeout');
    expect(entries().some((e) => e.deviceId === 'pump-1' && e.kind === 'device.offline')).toBe(false);
    // The communication-loss alarm is raised for pump-2 alone, and shows in the open alarms.
    expect(gw.gateway.alarms.open().filter((a) => a.condition === 'commLoss').map((a) => [a.deviceId, a.state])).toEqual([['pump-2', 'unack_active']]);
    gw.simulators.get('pump-2')!.setOffline(false);
    await waitFor(() => entries().find((e) => e.kind === 'device.online' && e.deviceId === 'pump-2'), 'online entry', 30_000);
    expect(gw.gateway.alarms.open().filter((a) => a.condition === 'commLoss').map((a) => a.state)).toEqual(['rtn_unack']);
  });

  it('A3: a pump switched from remote to local and a new chiller mode are logged with before and after; S4: the handover shows the modes', async () => {
    const pump = gw.simulators.get('pump-1')!;
    const chiller = gw.simulators.get('chiller-1')!;
    // The modes are known first: a change is only a change against a value read before.
    await waitFor(() => gw.gateway.handover.view().equipmentModes.find((m) => m.pointKey === 'pump-1.remoteRequest')?.value === true, 'the pump seen in remote');
    await waitFor(() => gw.gateway.handover.view().equipmentModes.find((m) => m.pointKey === 'chiller-1.mode')?.value === 2, 'the chiller seen cooling');
    pump.set('remoteRequest', 0);
    chiller.set('mode', 3);
    const changed = await waitFor(() => {
      const found = entries().filter((e) => e.kind === 'equipment.modeChanged');
      return found.length >= 2 ? found : undefined;
    }, 'both mode changes');
    expect(changed.map((e) => [e.pointKey, e.params['from'], e.params['to'], e.params['rule']]).sort()).toEqual([
      ['chiller-1.mode', 2, 3, 'A3'],
      ['pump-1.remoteRequest', true, false, 'A3'],
    ]);
    expect(changed.every((e) => e.username === null && e.roomId !== null)).toBe(true);
    // S4: what the incoming shift is told: local now, heating now, and every other mode point as read.
    await waitFor(() => gw.gateway.handover.view().equipmentModes.find((m) => m.pointKey === 'chiller-1.mode')?.value === 3, 'the handover sees heating');
    const modes = new Map(gw.gateway.handover.view().equipmentModes.map((m) => [m.pointKey, m.value]));
    expect(modes.get('pump-1.remoteRequest')).toBe(false);
    expect(modes.get('pump-2.controlMode')).toBe(5);
    expect(modes.get('chiller-1.localRemote')).toBe(0);
    expect(modes.has('chiller-1.unitStatus')).toBe(false); // run status is no operating mode
  });

  it('A3: a chiller fault is routed to the department head and the manager as it is raised, not only on escalation', async () => {
    gw.simulators.get('chiller-1')!.set('faultIndex', 7);
    const routed = await waitFor(() => entries().find((e) => e.kind === 'alarm.routed'), 'the routed entry');
    const alarm = gw.gateway.alarms.open().find((a) => a.pointKey === 'chiller-1.faultIndex')!;
    expect(alarm).toMatchObject({ rule: 'A3', state: 'unack_active', escalationLevel: 0 });
    expect(routed).toMatchObject({ alarmId: alarm.id, deviceId: 'chiller-1', params: { targets: 'Head Wang, Manager Li', rule: 'A3' } });
    const raised = entries().find((e) => e.kind === 'alarm.raised' && e.alarmId === alarm.id)!;
    expect(raised.id).toBeLessThan(routed.id);
  });

  it('A3: a pump fault whose profile names no A3 (Grundfos alarm code, rule A8) is routed too; a chiller warning and a lost pump are not', async () => {
    // The chiller's low warning is raised first: it is not a fault of key equipment, nothing is routed for it.
    gw.simulators.get('chiller-1')!.set('warningIndex', 5);
    const warning = await waitFor(() => gw.gateway.alarms.open().find((a) => a.pointKey === 'chiller-1.warningIndex'), 'the chiller warning');
    expect(warning).toMatchObject({ priority: 'low', state: 'unack_active' });
    gw.simulators.get('pump-1')!.set('alarmCode', 48); // overload: the pump stops
    const routed = await waitFor(() => entries().find((e) => e.kind === 'alarm.routed' && e.deviceId === 'pump-1'), 'the pump fault routed');
    const alarm = gw.gateway.alarms.open().find((a) => a.pointKey === 'pump-1.alarmCode')!;
    // The alarm keeps its profile's rule (A8, reported at once); the routing entry says why it went upwards (A3).
    expect(alarm).toMatchObject({ rule: 'A8', priority: 'high', state: 'unack_active', escalationLevel: 0 });
    expect(alarm.message?.en).toBe('Pump alarm: Overload');
    expect(routed).toMatchObject({ alarmId: alarm.id, roomId: 'pumps', pointKey: 'pump-1.alarmCode', params: { targets: 'Head Wang, Manager Li', rule: 'A3' } });
    const routedFor = new Set(entries().filter((e) => e.kind === 'alarm.routed').map((e) => e.alarmId));
    expect(routedFor.has(warning.id)).toBe(false);
    // pump-2's communication loss (the test above) was not routed: the gateway lost sight of it, it did not stop.
    const commLoss = entries().find((e) => e.kind === 'alarm.raised' && e.deviceId === 'pump-2' && e.params['condition'] === 'commLoss')!;
    expect(routedFor.has(commLoss.alarmId)).toBe(false);
  });
});
