// A real store with real users, duty log and shift plan in a temp dir, for service-level tests of the
// shift, roster and duty-log areas (no HTTP). The clock is fake: tests move time by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/store.ts';
import { createUsers, type Users } from '../../src/auth/users.ts';
import { createDutyLog, type DutyLog } from '../../src/sinks/duty-log/duty-log.ts';
import { createBus, type Bus } from '../../src/core/bus.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createShiftPlan, type ShiftPlan } from '../../src/shifts/shift-plan.ts';
import type { ShiftConfig } from '../../src/shifts/config-schema.ts';
import type { UserConfig } from '../../src/config/schema.ts';
import type { UserView } from '../../src/contract/api.ts';
import { DomainError } from '../../src/core/errors.ts';
import { fakeClock, type FakeClock } from './fake-clock.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from './gateway.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { Gateway } from '../../src/gateway.ts';

export const towerShifts: ShiftConfig[] = [
  { id: 'day', name: { en: 'Day', 'zh-CN': '白班' }, start: '08:30', end: '17:30', minStaff: { duty: 1 } },
  { id: 'night', name: { en: 'Night', 'zh-CN': '夜班' }, start: '17:30', end: '08:30', minStaff: { duty: 1 } },
];

export const crew: UserConfig[] = [
  { username: 'duty', displayName: 'Duty Li', role: 'duty', password: 'duty' },
  { username: 'wang', displayName: 'Duty Wang', role: 'duty', password: 'wang' },
  { username: 'zhao', displayName: 'Duty Zhao', role: 'duty', password: 'zhao' },
  { username: 'lead', displayName: 'Lead Zhang', role: 'supervisor', password: 'lead' },
  { username: 'chen', displayName: 'Lead Chen', role: 'supervisor', password: 'chen' },
];

export interface ShiftWorld {
  dir: string;
  store: Store;
  users: Users;
  dutyLog: DutyLog;
  bus: Bus;
  clock: FakeClock;
  plan: ShiftPlan;
  user(username: string): UserView;
  dispose(): void;
}

export async function shiftWorld(opts: { shifts?: ShiftConfig[]; start?: number } = {}): Promise<ShiftWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'roomwatch-shifts-'));
  const store = openStore(dir, silentLogger);
  const clock = fakeClock(opts.start);
  const users = createUsers(store, clock, 12, { demo: true });
  await users.syncFromConfig(crew);
  const bus = createBus(silentLogger);
  return {
    dir,
    store,
    users,
    dutyLog: createDutyLog(store, bus),
    bus,
    clock,
    plan: createShiftPlan(opts.shifts ?? towerShifts, 'Asia/Shanghai'),
    user: (username) => users.get(username)!,
    dispose() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Shanghai wall time as an instant (UTC+8 all year). */
export const shanghai = (iso: string): number => Date.parse(`${iso}+08:00`);

/** "CODE: message" of a call refused with a DomainError; fails when the call is not refused. */
export function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** The default test gateway with extra site config (shifts, handover, patrols) and optional extra users (YAML list lines). */
export async function startSiteWith(extra: string, opts: { clock?: Clock; users?: string[]; dutyCheckMs?: number } = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-test-'));
  const yaml = (await testSiteYaml({ dataDir, extra })).replace('users:\n', `users:\n${(opts.users ?? []).map((u) => `  - ${u}\n`).join('')}`);
  return startTestGateway({ dataDir, yaml, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.dutyCheckMs === undefined ? {} : { dutyCheckMs: opts.dutyCheckMs }) });
}

/** November 2026 published: duty on every day shift, wang on every night (the handover tests' roster, S1). */
export function publishDutyDaysWangNights(gateway: Gateway): void {
  const { roster, users } = gateway;
  const days = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
  roster.saveDraft('2026-11', days.flatMap((date) => [{ date, shiftId: 'day', username: 'duty' }, { date, shiftId: 'night', username: 'wang' }]), users.get('lead')!);
  roster.publish('2026-11', users.get('lead')!);
}

/** Day and night shifts and one patrol of the distribution room every shift, with a checklist and two readings (P1, P4). */
export const distRoomPatrolYaml = `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:00", end: "20:00" }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "20:00", end: "08:00" }
patrols:
  - id: dist-shift
    room: dist-room-b1
    name: { en: Distribution room round, zh-CN: 配电房巡查 }
    every: shift
    checklist:
      - { id: clean, name: { en: Equipment and room clean, zh-CN: 设备及机房干净 } }
      - { id: no-leak, name: { en: No leaks, zh-CN: 无跑冒滴漏 } }
    readings:
      - { point: dist-b1-th1.temperature }
      - { id: kwh, name: { en: Main meter, zh-CN: 总电表 }, unit: kWh }`;
