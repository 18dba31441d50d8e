// Step 2 of the gateway's start (src/gateway.ts): the services, built on the open store. Each builder gets what
// it depends on and nothing else, so tests can wire a part of the gateway in-process. Building starts nothing:
// timers, listeners and connections belong to the parts (parts.ts), started after.
import type { Site } from '../config/load.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Bus } from '../core/bus.ts';
import type { Reading } from '../core/reading.ts';
import type { Role, UserView } from '../contract/api.ts';
import type { Store } from '../store/store.ts';
import { ConfigError } from '../config/errors.ts';
import { createUsers, type Users } from '../auth/users.ts';
import { passwordCheckFile, weakPasswordProblems } from '../auth/password-policy.ts';
import { createDutyLog, type DutyLog } from '../sinks/duty-log/duty-log.ts';
import { createAlarmService, type AlarmService } from '../alarms/alarm-service.ts';
import { webhookNotifier } from '../alarms/escalation.ts';
import { createEquipmentEvents, operatingModes, type EquipmentEvents } from '../alarms/equipment-events.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import { createRoster, type Roster } from '../shifts/roster.ts';
import { createJournal, type Journal } from '../duty/journal.ts';
import { createAttachments, type Attachments } from '../duty/attachments.ts';
import { createHandover, type Handover } from '../duty/handover.ts';
import { createPatrols, type Patrols } from '../patrols/patrols.ts';
import { createEntryRegister, type EntryRegister } from '../rooms/entry-register.ts';
import { createShiftReport, reportPoints, type ShiftReport } from '../duty/shift-report.ts';
import { createPlaybooks, type Playbooks } from '../playbooks/playbooks.ts';
import { createHistory, type History } from '../sinks/historian/history.ts';
import { historianLossReport } from '../sinks/historian/loss-report.ts';
import { createPeriodReports, type PeriodReports } from '../report/period-report.ts';
import { alarmPeriodsFrom } from '../sinks/historian/alarm-periods.ts';

/** What every service may depend on: the open store, the clock, the logger, the event bus and the site. */
export interface Core {
  store: Store;
  clock: Clock;
  logger: Logger;
  bus: Bus;
  site: Site;
}

/** The latest reading of each point, kept by the pipeline (gateway.ts ingest). */
export type LatestReadings = ReadonlyMap<string, Reading>;

export interface Services {
  users: Users;
  dutyLog: DutyLog;
  roster: Roster;
  alarms: AlarmService;
  equipmentEvents: EquipmentEvents;
  attachments: Attachments;
  playbooks: Playbooks;
  handover: Handover;
  patrols: Patrols;
  journal: Journal;
  entryRegister: EntryRegister;
  history: History;
  shiftReport: ShiftReport;
  periodReports: PeriodReports;
  /** A2: who is on duty in a role at a time (the roster, else the config's users with the role). */
  onDuty(role: Role, at: number): UserView[];
}

/** The check-config check (issue 13 M5): demo and common passwords refused outside demo mode, users and MQTT logins. */
export async function buildUsers({ store, clock, logger, site }: Core): Promise<Users> {
  const weak = await weakPasswordProblems(site, {
    cacheFile: passwordCheckFile(site.dataDir),
    remember: true,
    // Tens of seconds at the first start after logins change: say why the start waits.
    onUnchecked: (count) => logger.info('checking new password hashes against the demo and common passwords (once per hash)', { count }),
  });
  if (weak.length > 0) throw new ConfigError(weak);
  const users = createUsers(store, clock, site.config.http?.sessionHours ?? 12, { demo: site.demo });
  await users.syncFromConfig(site.config.users);
  return users;
}

/** A2: who is on duty in that role now, from the published roster; where the roster names nobody (no month
 * published yet, or the role is not rostered, like the manager), the config's users with it. */
export function onDutyFrom(roster: Roster, users: Users): Services['onDuty'] {
  return (role, at) => {
    const rostered = roster.onDuty(role, at);
    return rostered.length > 0 ? rostered : users.withRole(role);
  };
}

/** The site's room ids: what a playbook, a journal entry or a room entry may name. */
const roomIdsOf = (site: Core['site']): ReadonlySet<string> => new Set(site.config.rooms.map((r) => r.id));

export function buildAlarms(core: Core, deps: { dutyLog: DutyLog; latest: LatestReadings; onDuty: Services['onDuty']; playbooks: Playbooks }): AlarmService {
  const { store, site, bus, clock, logger } = core;
  const webhook = site.config.alarms?.escalation?.webhook;
  return createAlarmService({
    store,
    site,
    dutyLog: deps.dutyLog,
    bus,
    clock,
    logger: logger.child({ part: 'alarms' }),
    latest: (key) => deps.latest.get(key),
    onDuty: deps.onDuty,
    playbooks: deps.playbooks,
    notifiers: webhook ? [webhookNotifier(webhook, logger.child({ part: 'escalation' }))] : [],
  });
}

/** Duty work: the journal, attachments, handover, patrols and the room entry register (the playbooks come before the alarms: a confirmed fire opens one, E4). */
export function buildDutyWork(
  core: Core,
  deps: { dutyLog: DutyLog; plan: ShiftPlan; roster: Roster; alarms: AlarmService; playbooks: Playbooks; users: Users; latest: LatestReadings; onDuty: Services['onDuty'] },
): Pick<Services, 'attachments' | 'handover' | 'patrols' | 'journal' | 'entryRegister'> {
  const { store, site, bus, clock, logger } = core;
  const { dutyLog, plan, roster, alarms, playbooks, latest } = deps;
  const { config } = site;
  const roomIds = roomIdsOf(site);
  const latestReadings = (): Reading[] => [...latest.values()];
  const attachments = createAttachments({ store, dutyLog, clock, dataDir: site.dataDir });
  const handover = createHandover({
    store, dutyLog, plan, roster, alarms, config: config.handover, clock, logger: logger.child({ part: 'handover' }),
    latestReadings,
    equipmentModes: () => operatingModes(site, (key) => latest.get(key)),
    openPlaybooks: () => playbooks.list(true),
  });
  const patrols = createPatrols({ store, dutyLog, plan, schedules: config.patrols ?? [], clock, bus, latestReadings, supervisors: (at) => deps.onDuty('supervisor', at) });
  const journal = createJournal({ store, dutyLog, plan, roster, attachments, clock, roomIds, managerSignature: config.dutyLog?.managerSignature === true });
  const entryRegister = createEntryRegister({ store, dutyLog, roster, users: deps.users, clock, roomIds });
  return { attachments, handover, patrols, journal, entryRegister };
}

/** Issue 6: InfluxDB through the durable outbox when configured, else the embedded local history store. */
export function buildHistory(core: Core, deps: { alarms: AlarmService; dutyLog: DutyLog }): History {
  const { store, site, clock, logger } = core;
  return createHistory({
    config: site.config, dataDir: site.dataDir, logger: logger.child({ part: 'historian' }), clock, alarmPeriods: alarmPeriodsFrom(store),
    onLoss: historianLossReport({ alarms: deps.alarms, dutyLog: deps.dutyLog, clock }),
  });
}

/** The shift report and the supervisor's period reports; their readings come from the historian's rollups, so
 * they cover the whole period across restarts. */
export function buildReports(
  core: Core,
  deps: { plan: ShiftPlan; dutyLog: DutyLog; journal: Journal; handover: Handover; history: History },
): Pick<Services, 'shiftReport' | 'periodReports'> {
  const { store, site, clock, logger } = core;
  const { plan, history } = deps;
  return {
    shiftReport: createShiftReport({ plan, journal: deps.journal, handover: deps.handover, history, points: reportPoints(site), clock, logger: logger.child({ part: 'shift-report' }) }),
    periodReports: createPeriodReports({ db: store.db, dutyLog: deps.dutyLog, site, plan, schedules: site.config.patrols ?? [], history, clock, logger: logger.child({ part: 'period-report' }) }),
  };
}

/** Every service of the gateway, in dependency order. */
export async function buildServices(core: Core, deps: { plan: ShiftPlan; latest: LatestReadings }): Promise<Services> {
  const { plan, latest } = deps;
  const users = await buildUsers(core);
  const dutyLog = createDutyLog(core.store, core.bus);
  const roster = createRoster({ store: core.store, plan, dutyLog, clock: core.clock });
  const onDuty = onDutyFrom(roster, users);
  const playbooks = createPlaybooks({ store: core.store, dutyLog, clock: core.clock, roomIds: roomIdsOf(core.site) });
  const alarms = buildAlarms(core, { dutyLog, latest, onDuty, playbooks });
  const equipmentEvents = createEquipmentEvents({ site: core.site, dutyLog });
  const work = buildDutyWork(core, { dutyLog, plan, roster, alarms, playbooks, users, latest, onDuty });
  const history = buildHistory(core, { alarms, dutyLog });
  const reports = buildReports(core, { plan, dutyLog, journal: work.journal, handover: work.handover, history });
  return { users, dutyLog, roster, alarms, equipmentEvents, playbooks, ...work, history, ...reports, onDuty };
}
