// The alarm actions through the real console server: REST and socket.io reach the same checks, roles are
// enforced (A6: only a supervisor approves an isolation), every change is broadcast to all consoles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type AlarmSummary, type AlarmView, type DeviceTagView } from '../../src/contract/api.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { api, connectConsole, login, type ConsoleSocket } from '../helpers/console-client.ts';
import { waitFor } from '../helpers/wait.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let gw: TestGateway;
let dutyCookie: string;
let supCookie: string;
let watcher: ConsoleSocket;
const tags: (DeviceTagView | { deviceId: string; removed: true })[] = [];
const alarms: AlarmView[] = [];

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rw-actions-'));
  const yaml = (await testSiteYaml({ dataDir })).replace(
    '  - { username: lead, displayName: Lead Zhang, role: supervisor, password: lead }',
    '  - { username: lead, displayName: Lead Zhang, role: lead, password: lead }\n  - { username: sup, displayName: Sup Wu, role: supervisor, password: sup }',
  );
  gw = await startTestGateway({ yaml, dataDir });
  dutyCookie = (await login(gw.url, 'duty', 'duty')).cookie;
  supCookie = (await login(gw.url, 'sup', 'sup')).cookie;
  watcher = connectConsole(gw.url, supCookie);
  watcher.on('deviceTag', (t) => tags.push(t));
  watcher.on('alarms', (list) => alarms.push(...list));
  await new Promise<void>((resolve) => watcher.on('connect', resolve));
});
afterAll(async () => {
  watcher?.disconnect();
  await gw?.dispose();
});

describe('alarm actions over REST and socket', () => {
  it('shelve over REST, unshelve over the socket; every console hears both', async () => {
    gw.simulators.get('dist-b1-th1')!.set('temperature', 36);
    const warn = await waitFor(async () => (await api<AlarmView[]>(gw.url, dutyCookie, routes.alarms)).body.find((a) => a.condition === 'high'), 'the 35 °C warning');
    const tooLong = await api<{ error: { code: string } }>(gw.url, dutyCookie, routes.alarmAction(warn.id, 'shelve'), { method: 'POST', body: JSON.stringify({ minutes: 100_000, reason: 'x' }) });
    expect([tooLong.status, tooLong.body.error.code]).toEqual([400, 'RW_INVALID_REQUEST']);
    const shelved = await api<AlarmView>(gw.url, dutyCookie, routes.alarmAction(warn.id, 'shelve'), { method: 'POST', body: JSON.stringify({ minutes: 30, reason: 'door open for works' }) });
    expect(shelved.body).toMatchObject({ annunciation: 'shelved', shelved: { by: 'duty', reason: 'door open for works' } });
    await waitFor(() => alarms.find((a) => a.id === warn.id && a.annunciation === 'shelved'), 'the shelve broadcast');
    const duty = connectConsole(gw.url, dutyCookie);
    await new Promise<void>((resolve) => duty.on('connect', resolve));
    const bad = await duty.emitWithAck('alarm:unshelve', { id: 'x' } as unknown as { id: number });
    expect(bad).toMatchObject({ ok: false, error: { code: 'RW_INVALID_REQUEST' } });
    const res = await duty.emitWithAck('alarm:unshelve', { id: warn.id });
    duty.disconnect();
    expect(res).toMatchObject({ ok: true, alarm: { annunciation: 'annunciated', state: 'ack_active', ackedBy: 'duty' } });
  });

  it('a duty user requests an isolation; only a supervisor approves it', async () => {
    const req = await api<DeviceTagView>(gw.url, dutyCookie, routes.deviceTag('dist-b1-th1'), { method: 'POST', body: JSON.stringify({ kind: 'isolation', reason: 'detector loop works' }) });
    expect(req.body).toMatchObject({ state: 'requested', taggedBy: 'duty' });
    const refused = await api<{ error: { code: string } }>(gw.url, dutyCookie, routes.deviceTagApprove('dist-b1-th1'), { method: 'POST' });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'RW_FORBIDDEN']);
    const approved = await watcher.emitWithAck('device:approveTag', { deviceId: 'dist-b1-th1' });
    expect(approved).toMatchObject({ ok: true, tag: { state: 'active', approvedBy: 'sup' } });
    await waitFor(() => tags.find((t) => 'state' in t && t.state === 'active'), 'the tag broadcast');
    const open = (await api<AlarmView[]>(gw.url, dutyCookie, routes.alarms)).body;
    expect(open.every((a) => a.annunciation === 'out_of_service')).toBe(true);
    expect((await api<DeviceTagView[]>(gw.url, dutyCookie, routes.deviceTags)).body).toHaveLength(1);
    const removed = await api(gw.url, dutyCookie, routes.deviceTag('dist-b1-th1'), { method: 'DELETE' });
    expect(removed.status).toBe(204);
    await waitFor(() => tags.find((t) => 'removed' in t), 'the removal broadcast');
    const unknown = await api<{ error: { code: string } }>(gw.url, dutyCookie, routes.deviceTag('nope'), { method: 'POST', body: JSON.stringify({ kind: 'maintenance', reason: 'x' }) });
    expect(unknown.status).toBe(404);
  });

  it('reset is refused for an alarm that is not latched; the summary route counts the load', async () => {
    const open = (await api<AlarmView[]>(gw.url, supCookie, routes.alarms)).body;
    const res = await api<{ error: { code: string } }>(gw.url, supCookie, routes.alarmAction(open[0]!.id, 'reset'), { method: 'POST', body: JSON.stringify({ note: 'x' }) });
    expect([res.status, res.body.error.code]).toEqual([409, 'RW_NOT_LATCHED']);
    const byDuty = await api<{ error: { code: string } }>(gw.url, dutyCookie, routes.alarmAction(open[0]!.id, 'reset'), { method: 'POST', body: JSON.stringify({ note: 'x' }) });
    expect(byDuty.status).toBe(403);
    const summary = await api<AlarmSummary>(gw.url, dutyCookie, routes.alarmSummary);
    expect(summary.body).toMatchObject({ flood: false, raisedLast10Min: 1, byRoom: { 'dist-room-b1': 1 } });
  });
});
