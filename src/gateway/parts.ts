// Step 3 of the gateway's start (src/gateway.ts): the parts that run, each with its start and its stop.
// Timers, listeners and subscriptions live here; the services they drive are built before (services.ts).
import type { ModbusDiagnosticsView } from '../contract/api.ts';
import type { Reading } from '../core/reading.ts';
import type { Part } from '../core/part.ts';
import { freshOrStale, staleAfterMs } from '../core/stale.ts';
import { createLoginThrottle } from '../auth/login-throttle.ts';
import { createConsoleServer, type RouteEntry } from '../http/server.ts';
import type { ConsoleDeps } from '../http/context.ts';
import type { History } from '../sinks/historian/history.ts';
import { createModbusSource, type ModbusSourceDeps } from '../sources/modbus/source.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import { coverageAhead, staffingShortage } from '../shifts/staffing.ts';
import { seedDemoRoster } from '../shifts/demo-roster.ts';
import { createGatewayRun, HEARTBEAT_MS } from '../duty/gateway-run.ts';
import { purgeExpired } from '../duty/retention.ts';
import { createShiftMarks } from '../duty/shift-marks.ts';
import type { Core, LatestReadings, Services } from './services.ts';

/** Logs what a timer's run threw: a timer keeps running after one failed run. */
function guarded(core: Core, what: string, run: () => void): () => void {
  return () => {
    try {
      run();
    } catch (err) {
      core.logger.error(`${what} failed`, { err: String((err as Error)?.stack ?? err) });
    }
  };
}

/** Alarm rules restored from the store, the bus wiring of alarms and equipment events, their 1 s timers. */
export function alarmsPart(core: Core, s: Pick<Services, 'alarms' | 'equipmentEvents'>): Part {
  const { bus, clock } = core;
  const { alarms, equipmentEvents } = s;
  let ticker: NodeJS.Timeout | undefined;
  return {
    name: 'alarms',
    start() {
      alarms.start();
      bus.on('deviceStatus', 'alarms', (status) => alarms.deviceStatus(status));
      bus.on('deviceConfig', 'alarms', (status) => alarms.deviceConfig(status));
      // P1/P3: an overdue patrol is an alarm; the next round recorded (in the duty log) returns it to normal.
      bus.on('patrolOverdue', 'alarms', (o) => alarms.patrolOverdue(o));
      bus.on('dutyLog', 'alarms', (e) => {
        if (e.kind === 'patrol.done' && typeof e.params['schedule'] === 'string') alarms.patrolDone(e.params['schedule']);
      });
      bus.on('deviceStatus', 'equipment-events', (st) => equipmentEvents.deviceStatus(st));
      // Shelve expiry, escalation deadlines and overnight isolations are checked every second; their
      // deadlines live in the store, so a restart loses none of them.
      ticker = setInterval(guarded(core, 'alarm tick', () => {
        alarms.tick();
        equipmentEvents.tick(clock.now()); // P2: hourly run log of running equipment
      }), 1000);
    },
    stop() {
      clearInterval(ticker);
      bus.off('alarms');
      bus.off('equipment-events');
    },
  };
}

/** The historian (InfluxDB outbox or local store) fed from the bus. */
export function historianPart(core: Core, history: History): Part {
  const { bus } = core;
  return {
    name: 'historian',
    async start() {
      await history.start();
      bus.on('readings', 'historian', (readings) => history.writeReadings(readings));
      bus.on('alarm', 'historian', (t) => history.writeAlarmTransition(t));
    },
    async stop() {
      bus.off('historian');
      await history.stop();
    },
  };
}

export interface PollersPart extends Part {
  diagnostics(): ModbusDiagnosticsView;
}

/** The Modbus pollers; built before the console (which serves their diagnostics), started after it. */
export function pollersPart(core: Core, deps: { emit(readings: Reading[]): void; onCycle?: ModbusSourceDeps['onCycle'] }): PollersPart {
  const { bus } = core;
  const source = createModbusSource({
    devices: core.site.modbusDevices,
    clock: core.clock,
    logger: core.logger.child({ part: 'modbus' }),
    emit: deps.emit,
    status: (st) => bus.emit('deviceStatus', st),
    config: (st) => bus.emit('deviceConfig', st),
    ...(deps.onCycle ? { onCycle: deps.onCycle } : {}),
  });
  return { name: 'modbus', start: () => source.start(), stop: () => source.stop(), diagnostics: () => source.diagnostics() };
}

export interface ConsolePart extends Part {
  /** Where it listens, once started ('' before). */
  readonly url: string;
  readonly routes: readonly RouteEntry[];
  /** The plain HTTP port redirecting to HTTPS (http.redirectHttpPort), once started. */
  readonly redirectPort: number | null;
}

/** The console server (REST, socket.io, the web console). */
export function consolePart(
  core: Core,
  s: Services,
  deps: {
    plan: ShiftPlan;
    latest: LatestReadings;
    tls: { cert: Buffer; key: Buffer } | undefined;
    /** Test override of http.port (0 = any free port). */
    port: number | undefined;
  } & Pick<ConsoleDeps, 'mqttDiagnostics' | 'modbusDiagnostics'>,
): ConsolePart {
  const { site, clock, logger } = core;
  const { config } = site;
  const { plan, latest, tls } = deps;
  const staleAfter = new Map(site.modbusDevices.map((d) => [d.config.id, staleAfterMs(d.config.pollIntervalMs ?? 1000)]));
  let url = '';
  let routes: RouteEntry[] = [];
  let redirectPort: number | null = null;
  const server = createConsoleServer({
    site,
    users: s.users,
    loginThrottle: createLoginThrottle(clock, logger.child({ part: 'login' })),
    publicUrl: () => config.http?.publicUrl ?? url,
    alarms: s.alarms,
    dutyLog: s.dutyLog,
    bus: core.bus,
    clock,
    logger: logger.child({ part: 'http' }),
    latestReadings: () => [...latest.values()].map((r) => freshOrStale(r, clock.now(), staleAfter.get(r.deviceId) ?? staleAfterMs(600_000))),
    ...(deps.mqttDiagnostics ? { mqttDiagnostics: deps.mqttDiagnostics } : {}),
    ...(deps.modbusDiagnostics ? { modbusDiagnostics: deps.modbusDiagnostics } : {}),
    shiftPlan: plan,
    roster: s.roster,
    journal: s.journal,
    attachments: s.attachments,
    handover: s.handover,
    patrols: s.patrols,
    entryRegister: s.entryRegister,
    shiftReport: s.shiftReport,
    playbooks: s.playbooks,
    history: s.history,
    periodReports: s.periodReports,
  }, tls ? { https: tls } : {});
  return {
    name: 'console',
    get url() {
      return url;
    },
    get routes() {
      return routes;
    },
    get redirectPort() {
      return redirectPort;
    },
    async start() {
      const host = config.http?.host ?? '127.0.0.1';
      url = await server.listen(host, deps.port ?? config.http?.port ?? 8080);
      routes = server.routeTable();
      try {
        if (tls && config.http?.redirectHttpPort !== undefined) redirectPort = await server.listenRedirect(host, config.http.redirectHttpPort);
      } catch (err) {
        await server.close();
        throw err;
      }
    },
    stop: () => server.close(),
  };
}

export interface RunPart extends Part {
  /** The site's first start (for first-run checks), once started. */
  readonly firstStart: number;
}

/**
 * This run of the gateway in the duty log: an unclean previous stop with its blind period (L1/L6), then
 * `gateway.started`; a durable heartbeat while it runs; `gateway.stopped` at a clean stop, while the console is
 * still up so open consoles see it.
 */
export function runPart(core: Core, s: Pick<Services, 'dutyLog'>): RunPart {
  const { store, clock, site } = core;
  const run = createGatewayRun({ store, dutyLog: s.dutyLog, clock, timeZone: site.timezone });
  let heartbeat: NodeJS.Timeout | undefined;
  let firstStart = 0;
  return {
    name: 'gateway run',
    get firstStart() {
      return firstStart;
    },
    start() {
      const startedAt = clock.now();
      firstStart = run.open(startedAt).firstStart;
      heartbeat = setInterval(guarded(core, 'heartbeat', () => run.beat()), HEARTBEAT_MS);
      s.dutyLog.append({ ts: startedAt, kind: 'gateway.started', params: { devices: site.devices.length } });
    },
    stop() {
      s.dutyLog.append({ ts: clock.now(), kind: 'gateway.stopped', params: {} });
      clearInterval(heartbeat);
      run.close();
    },
  };
}

/**
 * The demo starts with a published roster (who is on duty, the handover's incoming team), written before the shift
 * marks so the shift's page names its people. Never over a roster a supervisor has made.
 */
export function demoRosterPart(core: Core, s: Pick<Services, 'roster'>, plan: ShiftPlan): Part {
  return {
    name: 'demo roster',
    start() {
      seedDemoRoster({ roster: s.roster, plan, now: core.clock.now(), logger: core.logger.child({ part: 'demo-roster' }) });
    },
    stop() {},
  };
}

/** L1: shift start/end entries, after the start-up entry so a shift's page opens after it. */
export function shiftMarksPart(core: Core, s: Pick<Services, 'dutyLog' | 'roster'>, plan: ShiftPlan): Part {
  const { store, clock, logger } = core;
  const marks = createShiftMarks({ store, dutyLog: s.dutyLog, plan, roster: s.roster, clock, logger: logger.child({ part: 'shift-marks' }) });
  return { name: 'shift marks', start: () => marks.start(), stop: () => marks.stop() };
}

/** Late handovers, overdue patrols and staffing, checked every `everyMs`; nobody is held to periods before `firstStart()`. */
export function dutyChecksPart(core: Core, s: Pick<Services, 'handover' | 'patrols' | 'alarms' | 'roster'>, deps: { plan: ShiftPlan; firstStart(): number; everyMs: number }): Part {
  const { clock } = core;
  const { plan } = deps;
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'handover and patrol checks',
    start() {
      timer = setInterval(guarded(core, 'handover/patrol check', () => {
        // Nobody is held to periods before the site's first start (a fresh install is not "late").
        s.handover.flagLate(deps.firstStart()); // S6: late or missing handovers are flagged in the duty log
        s.patrols.tick(deps.firstStart()); // P1/P3: overdue patrols are logged and raise an alarm
        s.alarms.staffing(staffingShortage(plan, s.roster, clock.now())); // R2: the shift in progress is staffed
        s.alarms.coverageAhead(coverageAhead(plan, s.roster, clock.now())); // R2: and so are the next 24 h
      }), deps.everyMs);
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/**
 * L5: the gateway applies the two-year retention itself, at start and daily (`npm run retention` stays for a manual
 * or dry run); its `retention.purged` entry reaches the open consoles like any other entry.
 */
export function retentionPart(core: Core, s: Pick<Services, 'dutyLog' | 'attachments'>, plan: ShiftPlan): Part {
  const logger = core.logger.child({ part: 'retention' });
  let timer: NodeJS.Timeout | undefined;
  const retain = guarded({ ...core, logger }, 'retention', () => {
    purgeExpired({ store: core.store, dutyLog: s.dutyLog, attachments: s.attachments, clock: core.clock, logger, plan });
  });
  return {
    name: 'retention',
    start() {
      retain();
      timer = setInterval(retain, 86_400_000);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
