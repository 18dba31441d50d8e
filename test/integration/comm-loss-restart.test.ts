// A communication-loss alarm (A8) left open when the gateway stops (or is killed) must not stay open for ever once
// the device answers again after the restart: the first judgement of a device after start, online, returns the
// alarm to normal per the lifecycle (src/alarms/lifecycle.ts) with the transition's own duty-log entry (A5).
// And a normal restart with nothing open writes no "device back online" entry: a device found online at start-up
// has not recovered from anything (commit 7a9010d). Real parts: a Modbus TCP simulator (XY-MD02) and a simulated
// Tasmota contact on the embedded broker (its LWT marks it offline), two gateways one after the other on one data dir.
import { afterEach, describe, expect, it } from 'vitest';
import type { DutyLogEntryView } from '../../src/contract/api.ts';
import { restartedGateways, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { waitFor } from '../helpers/wait.ts';

const MODBUS = 'dist-b1-th1';
const MQTT = 'fc-tasmota';

async function siteYaml(dataDir: string): Promise<string> {
  const yaml = await testSiteYaml({ dataDir });
  return (
    yaml
      .replace('rooms:\n', 'rooms:\n  - { id: fire-control, kind: fire-control, name: { en: Fire control room, zh-CN: 消防控制室 } }\n')
      .replace('devices:\n', `devices:\n  - { id: ${MQTT}, room: fire-control, profile: tasmota-fire-switch, simulate: true, connection: { type: mqtt, topicId: fire_contact_2, username: fc-tasmota, password: tasmota-pw } }\n`) +
    'broker:\n  embedded: { host: 127.0.0.1, port: 0 }\n'
  );
}

/** Both devices heard answering by this gateway: its first status of each has gone through the bus. */
async function bothAnswering(gw: TestGateway): Promise<void> {
  let modbusGood = false;
  gw.gateway.bus.on('readings', 'test', (rs) => (modbusGood ||= rs.some((r) => r.deviceId === MODBUS && r.quality === 'good')));
  await waitFor(() => modbusGood, 'a good Modbus reading');
  await waitFor(() => gw.gateway.mqtt!.diagnostics().devices.find((d) => d.deviceId === MQTT)?.online === true, 'the MQTT device online');
}

describe('communication loss across a restart (A8)', () => {
  const runs = restartedGateways('rw-commloss-restart-');
  afterEach(() => runs.cleanup());
  const start = (yaml: string, dataDir: string): Promise<TestGateway> => runs.start({ yaml, dataDir });
  const newDataDir = (): string => runs.dataDir();
  const after = (gw: TestGateway, id: number): DutyLogEntryView[] => gw.gateway.dutyLog.list({ limit: 1000 }).filter((e) => e.id > id).reverse();

  it('an alarm open at the stop returns to normal when the device answers after the restart, logged as the transition', async () => {
    const dataDir = newDataDir();
    const yaml = await siteYaml(dataDir);
    const first = await start(yaml, dataDir);
    await bothAnswering(first);
    first.simulators.get(MODBUS)!.setOffline(true);
    await first.gateway.mqttSimulators.get(MQTT)!.goOffline();
    const commLoss = (gw: TestGateway) => gw.gateway.alarms.open().filter((a) => a.condition === 'commLoss');
    const raised = await waitFor(() => commLoss(first).length === 2 && commLoss(first), 'two communication-loss alarms');
    expect(raised.map((a) => [a.deviceId, a.state, a.priority, a.rule]).sort()).toEqual([
      [MODBUS, 'unack_active', 'high', 'A8'],
      [MQTT, 'unack_active', 'high', 'A8'],
    ]);
    const mark = first.gateway.dutyLog.list({ limit: 1 })[0]!.id;
    await first.stop();

    // A new gateway on the same data dir starts its simulators afresh: both devices answer again.
    const second = await start(yaml, dataDir);
    // ISA-18.2: an unacknowledged alarm whose condition has gone returns unacknowledged (rtn_unack), the same occurrence.
    const returned = await waitFor(() => {
      const open = commLoss(second);
      return open.length === 2 && open.every((a) => a.state === 'rtn_unack') && open;
    }, 'both communication-loss alarms returned to normal');
    expect(returned.map((a) => a.id).sort()).toEqual(raised.map((a) => a.id).sort());
    const log = after(second, mark);
    expect(log.filter((e) => e.kind === 'alarm.returned').map((e) => [e.deviceId, e.params['condition'], e.params['state'], e.alarmId]).sort()).toEqual(
      raised.map((a) => [a.deviceId, 'commLoss', 'rtn_unack', a.id]).sort(),
    );
    // The alarm's return is the record; no separate "device back online" entry for a device found online at start.
    expect(log.filter((e) => e.kind === 'device.online')).toEqual([]);
  });

  it('a normal restart with no communication-loss alarm open writes no recovery and touches no alarm', async () => {
    const dataDir = newDataDir();
    const yaml = await siteYaml(dataDir);
    const first = await start(yaml, dataDir);
    await bothAnswering(first);
    const mark = first.gateway.dutyLog.list({ limit: 1 })[0]!.id;
    await first.stop();

    const second = await start(yaml, dataDir);
    await bothAnswering(second);
    const log = after(second, mark);
    expect(log.map((e) => e.kind)).toContain('gateway.started');
    expect(log.filter((e) => e.kind.startsWith('device.') || e.kind.startsWith('alarm.'))).toEqual([]);
    expect(second.gateway.alarms.open()).toEqual([]);
  });
});
