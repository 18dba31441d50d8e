// The alarm service: the one factory the gateway and the HTTP routes use. It composes the alarm modules, each
// given what it needs:
//   - rule-evaluation.ts: readings against their points' rules (limits, contacts, fault codes, mismatch A3);
//   - status-alarms.ts: alarms from a status (device lost or misconfigured, historian loss, patrols, roster gaps);
//   - alarm-transitions.ts: the lifecycle writes; a transition is durable (alarm row + duty-log entry in one
//     transaction) before anyone hears of it (A5);
//   - alarm-timers.ts: shelve expiry, escalation (A1/A2), tags left overnight (A6);
//   - operator-actions.ts: acknowledge, reset, shelve, dispatch, classify (a confirmed fire opens E4), keep a CCTV
//     recording as evidence, escalate, report upwards;
//   - device-tags.ts: maintenance and isolation tags (A6);
//   - alarm-records.ts: every SQL statement of the above.
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { Bus, DeviceConfigStatus, DeviceStatus } from '../core/bus.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type { AlarmSummary, AlarmView, DeviceTagRequest, DeviceTagView, FireClassification, PatrolOverdue, Role, UserView } from '../contract/api.ts';
import type { Site } from '../config/load.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import type { Notifier } from './escalation.ts';
import type { Playbooks } from '../playbooks/playbooks.ts';
import { summarize } from './alarm-load.ts';
import { createAlarmRecords } from './alarm-records.ts';
import { createAlarmTransitions } from './alarm-transitions.ts';
import { createRuleEvaluation } from './rule-evaluation.ts';
import { createStatusAlarms } from './status-alarms.ts';
import { createAlarmTimers } from './alarm-timers.ts';
import { createOperatorActions } from './operator-actions.ts';
import { createDeviceTags } from './device-tags.ts';

export { HISTORIAN_ALARM_KEY } from './status-alarms.ts';

export interface AlarmService {
  /** Rebuilds rule state and timers from the store; call once before the first evaluate. */
  start(): void;
  evaluate(readings: readonly Reading[]): void;
  deviceStatus(status: DeviceStatus): void;
  /** A configuration mismatch found or gone (Modbus exception 01/02/03/0A): the device's configuration alarm. */
  deviceConfig(status: DeviceConfigStatus): void;
  /** Readings are being lost at the historian's outbox bound (active), or the episode ended with `lost` in all
   *  (issue 17): the gateway's own alarm, so the hole in the history is in the alarm record (A8). */
  historianLoss(active: boolean, lost: number): void;
  /** Time-driven work: shelve expiry, escalation deadlines (A1/A2), isolations left overnight (A6). */
  tick(): void;
  /** P1/P3: a patrol period ended without a round; raises the schedule's overdue alarm (once while open). */
  patrolOverdue(overdue: PatrolOverdue): void;
  /** A round of the schedule was recorded: its overdue alarm returns to normal (still to be acknowledged). */
  patrolDone(scheduleId: string): void;
  /** R2: what the shift in progress lacks (raises or updates the under-staffed alarm), or null (it returns). */
  staffing(shortage: string | null): void;
  /** R2 look-ahead: what the shifts of the next 24 h lack (a medium warning before they start), or null. */
  coverageAhead(gaps: string | null): void;
  acknowledge(id: number, user: UserView, note: string): AlarmView;
  reset(id: number, user: UserView, note: string): AlarmView;
  shelve(id: number, user: UserView, minutes: number, reason: string): AlarmView;
  unshelve(id: number, user: UserView): AlarmView;
  /** Who was sent to look: to a fire alarm (A4) or a CCTV alarm (A7). */
  dispatch(id: number, user: UserView, to: string): AlarmView;
  /** A7: where a CCTV alarm's recording is kept, added to the camera's own reference and written to the duty log. */
  keepEvidence(id: number, user: UserView, reference: string): AlarmView;
  classify(id: number, user: UserView, classification: FireClassification, note: string): AlarmView;
  /**
   * A2: in an emergency the duty staff or the shift lead escalate straight to the supervisor or manager, skipping
   * levels, with the reason; the duty-log entry stays an open item until the report afterwards is written.
   */
  escalateNow(id: number, user: UserView, role: 'supervisor' | 'manager', reason: string): AlarmView;
  /** A8: an acknowledged fault the shift cannot fix goes to the levels above, with what was tried; it stays on the alarm. */
  reportUp(id: number, user: UserView, note: string): AlarmView;
  tag(deviceId: string, user: UserView, request: DeviceTagRequest): DeviceTagView;
  approveTag(deviceId: string, user: UserView): DeviceTagView;
  untag(deviceId: string, user: UserView): void;
  tags(): DeviceTagView[];
  /** Alarms not in the normal state, newest first. */
  open(): AlarmView[];
  get(id: number): AlarmView | null;
  summary(): AlarmSummary;
}

export interface AlarmServiceDeps {
  store: Store;
  site: Site;
  dutyLog: DutyLog;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Latest reading of a point (suppression by design looks at another point's value). */
  latest: (pointKey: string) => Reading | undefined;
  /** Who holds a role now (the roster; until it exists, the config's users with that role). */
  onDuty: (role: Role, at: number) => UserView[];
  /** E4: a confirmed fire opens the fire playbook, tied to its alarm, in the same transaction. */
  playbooks: Pick<Playbooks, 'open'>;
  notifiers?: readonly Notifier[];
}


export function createAlarmService(deps: AlarmServiceDeps): AlarmService {
  const { store, site, dutyLog, bus, clock, logger, onDuty } = deps;
  const records = createAlarmRecords(store.db, site, deps.latest);
  const transitions = createAlarmTransitions({ store, records, dutyLog, bus, logger, site, onDuty, notifiers: deps.notifiers });
  const rules = createRuleEvaluation({ site, records, transitions, latest: deps.latest });
  const status = createStatusAlarms({ site, clock, records, transitions });
  const actions = createOperatorActions({ site, clock, dutyLog, records, transitions, onDuty, playbooks: deps.playbooks });
  const tags = createDeviceTags({ store, site, dutyLog, bus, clock, records, transitions });
  const summary = (): AlarmSummary => summarize(store.db, clock.now());
  const timers = createAlarmTimers({ site, bus, records, transitions, tags, onDuty, summary });

  return {
    start() {
      const restored = rules.restore();
      logger.info('alarm state restored', { open: records.open().length, timers: restored });
    },
    evaluate: (readings) => rules.evaluate(readings, clock.now()),
    deviceStatus: status.deviceStatus,
    deviceConfig: status.deviceConfig,
    historianLoss: status.historianLoss,
    tick: () => timers.tick(clock.now()),
    patrolOverdue: status.patrolOverdue,
    patrolDone: status.patrolDone,
    staffing: status.staffing,
    coverageAhead: status.coverageAhead,
    acknowledge: actions.acknowledge,
    reset: actions.reset,
    shelve: actions.shelve,
    unshelve: actions.unshelve,
    dispatch: actions.dispatch,
    keepEvidence: actions.keepEvidence,
    classify: actions.classify,
    escalateNow: actions.escalateNow,
    reportUp: actions.reportUp,
    tag: tags.tag,
    approveTag: tags.approveTag,
    untag: tags.untag,
    tags: tags.tags,
    open() {
      const now = clock.now();
      return records.open().map((r) => records.view(r, now));
    },
    get(id) {
      const row = records.byId(id);
      return row ? records.view(row, clock.now()) : null;
    },
    summary,
  };
}
