// The console's store decides what sounds and flashes (issue 4 §sound): unacknowledged alarms that are
// annunciated, latched unacknowledged (E) included; shelved, suppressed and out-of-service ones (ISA-18.2
// G/H/I) never. The device's tag in the store is the truth for out of service, so approving or removing a tag
// changes the annunciation without a new alarm event.
import { describe, expect, it } from 'vitest';
import type { AlarmView, DeviceTagView, SessionView, SiteView } from '../../src/contract/api.ts';
import { permissionsOf } from '../../src/auth/permissions.ts';
import { Store } from '../../dashboards/console/src/store.ts';

const site: SiteView = { id: 's', name: { en: 'S', 'zh-CN': 'S' }, timezone: 'Asia/Shanghai', demo: true, language: 'en', rooms: [], devices: [], points: [], shelveMaxMinutes: { critical: 30, high: 60, medium: 120, low: 120 }, serverTime: 0 };
const user: SessionView = { username: 'duty', displayName: 'Duty Li', role: 'duty', permissions: permissionsOf('duty') };

let nextId = 1;
const alarm = (patch: Partial<AlarmView>): AlarmView => ({
  id: nextId++, pointKey: 'th1.temperature', roomId: 'dist', deviceId: 'th1', condition: 'highHigh', priority: 'critical', state: 'unack_active',
  rule: 'R1', value: 41, limit: 40, unit: '°C', raisedAt: 0, ackedBy: null, ackedByName: null, ackedAt: null, ackNote: null, clearedAt: null,
  message: null, response: null, detail: null, latched: false, annunciation: 'annunciated', shelved: null, tag: null, escalationLevel: 0,
  nextEscalationAt: null, onSite: null, reportedUp: null, evidence: null, ...patch,
});
const tag = (state: DeviceTagView['state']): DeviceTagView => ({
  deviceId: 'th1', kind: 'maintenance', state, reason: 'sensor swap', taggedBy: 'duty', taggedAt: 0, plannedEnd: null, approvedBy: null, approvedAt: null,
});

function storeWith(...alarms: AlarmView[]): Store {
  const store = new Store(user, site);
  store.applySnapshot({ readings: [], alarms, dutyLog: [], tags: [], summary: null });
  return store;
}

describe('console store: what sounds and flashes', () => {
  it('sounds for annunciated unacknowledged alarms still in alarm, latched unacknowledged included; not once returned to normal', () => {
    expect(storeWith(alarm({ state: 'unack_active' })).soundLevel()).toBe('urgent');
    expect(storeWith(alarm({ state: 'unack_active', priority: 'medium' })).soundLevel()).toBe('normal');
    expect(storeWith(alarm({ state: 'rtn_unack', priority: 'critical' })).soundLevel()).toBe(null);
    expect(storeWith(alarm({ state: 'latched_unack', latched: true, rule: 'A4' })).soundLevel()).toBe('urgent');
    expect(storeWith(alarm({ state: 'latched_ack', latched: true })).soundLevel()).toBe(null);
  });

  it('never sounds for shelved, suppressed or out-of-service alarms', () => {
    const shelved = alarm({ annunciation: 'shelved', shelved: { by: 'duty', reason: 'calibration', at: 0, until: 9e15 } });
    const suppressed = alarm({ annunciation: 'suppressed' });
    const store = storeWith(shelved, suppressed);
    expect(store.soundLevel()).toBe(null);
    expect(store.unackedCount()).toBe(0);
    expect(store.sounds(shelved)).toBe(false);
  });

  it('A6: the overnight alarm about an active tag is not silenced by that tag: it flashes and sounds', () => {
    const overnight = alarm({ condition: 'isolationOvernight', priority: 'high', rule: 'A6', value: 0, limit: 0, unit: '' });
    const store = storeWith(overnight);
    store.receive({ type: 'tags', tag: tag('active') });
    expect(store.annunciationOf(overnight)).toBe('annunciated');
    expect(store.soundLevel()).toBe('urgent'); // high, as any high alarm
  });

  it('follows the device tag: an approved tag silences, a requested one does not, removal brings the sound back', () => {
    const a = alarm({ state: 'unack_active' });
    const store = storeWith(a);
    store.receive({ type: 'tags', tag: tag('requested') });
    expect(store.annunciationOf(a)).toBe('annunciated');
    store.receive({ type: 'tags', tag: tag('active') });
    expect(store.annunciationOf(a)).toBe('out_of_service');
    expect(store.soundLevel()).toBe(null);
    // The alarm view still says out of service (no new alarm event after the untag); the store knows better.
    const stale = { ...a, annunciation: 'out_of_service' as const, tag: tag('active') };
    store.receive({ type: 'alarm', alarm: stale });
    store.receive({ type: 'tags', tag: { deviceId: 'th1', removed: true } });
    expect(store.annunciationOf(stale)).toBe('annunciated');
    expect(store.soundLevel()).toBe('urgent');
  });

  it('queues tag and summary events that arrive during a snapshot and replays them on top', () => {
    const store = new Store(user, site);
    store.beginSnapshot();
    store.receive({ type: 'tags', tag: tag('active') });
    store.receive({ type: 'summary', summary: { flood: true, raisedLast10Min: 11, byRoom: {}, byCondition: {}, chattering: [] } });
    store.applySnapshot({ readings: [], alarms: [], dutyLog: [], tags: [], summary: null });
    expect(store.tags.get('th1')?.state).toBe('active');
    expect(store.summary?.flood).toBe(true);
  });
});
