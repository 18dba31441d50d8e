// What route modules and socket handlers get from the composition root. Each area of the console API
// is one module under src/http/routes that registers its REST routes and its socket events.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Socket } from 'socket.io';
import type { UserView, ConsoleToServerEvents, ServerToConsoleEvents, ModbusDiagnosticsView, MqttDiagnosticsView } from '../contract/api.ts';
import type { Logger } from '../core/logger.ts';
import type { Clock } from '../core/clock.ts';
import type { Bus } from '../core/bus.ts';
import type { Users } from '../auth/users.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import type { AlarmService } from '../alarms/alarm-service.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import type { Site } from '../config/load.ts';
import type { Reading } from '../core/reading.ts';
import { DomainError } from '../core/errors.ts';
import type { Roster } from '../shifts/roster.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import type { Journal } from '../duty/journal.ts';
import type { Attachments } from '../duty/attachments.ts';
import type { Handover } from '../duty/handover.ts';
import type { Patrols } from '../patrols/patrols.ts';
import type { EntryRegister } from '../rooms/entry-register.ts';
import type { ShiftReport } from '../duty/shift-report.ts';
import type { Playbooks } from '../playbooks/playbooks.ts';
import type { History } from '../sinks/historian/history.ts';
import type { PeriodReports } from '../report/period-report.ts';

export interface ConsoleDeps {
  site: Site;
  users: Users;
  /** The console's public address (http.publicUrl, else where it listens); set once it listens. */
  publicUrl: () => string;
  /** Failed logins and handover signatures per account and source (issue 13 medium 3/4). */
  loginThrottle: LoginThrottle;
  alarms: AlarmService;
  dutyLog: DutyLog;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  latestReadings: () => Reading[];
  /** MQTT source and broker counters; absent when the site has no MQTT. */
  mqttDiagnostics?: () => MqttDiagnosticsView;
  /** Modbus links and per-device counters; absent when the gateway does not poll (benchmarks feeding ingest()). */
  modbusDiagnostics?: () => ModbusDiagnosticsView;
  shiftPlan: ShiftPlan;
  roster: Roster;
  journal: Journal;
  attachments: Attachments;
  handover: Handover;
  patrols: Patrols;
  entryRegister: EntryRegister;
  shiftReport: ShiftReport;
  playbooks: Playbooks;
  /** The supervisor's week / month / half-year / year (M1). */
  periodReports: PeriodReports;
  /** Historian status and trends (issue 6); absent in tests that wire the console without it. */
  history?: History;
}

export type ConsoleSocket = Socket<ConsoleToServerEvents, ServerToConsoleEvents>;

/** An area of the console API: REST routes and socket events. */
export interface ConsoleModule {
  routes?(app: FastifyInstance, deps: ConsoleDeps): void;
  socket?(socket: ConsoleSocket, deps: ConsoleDeps, user: () => UserView | null): void;
}

export function requireUser(req: FastifyRequest): UserView {
  if (!req.user) throw new DomainError('RW_AUTH_REQUIRED', 'log in first', 401);
  return req.user;
}
