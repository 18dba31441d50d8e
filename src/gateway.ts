// The composition root (style.md §6): builds every part from the site config and wires the pipeline
// sources (Modbus) → readings → alarm rules → sinks (duty log, historian, console).
// Constructors do nothing; start() starts the parts in order, stop() stops them in reverse.
import type { Site } from './config/load.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './core/logger.ts';
import type { Reading } from './core/reading.ts';
import type { Role, UserView } from './contract/api.ts';
import { createBus, type Bus } from './core/bus.ts';
import { freshOrStale, staleAfterMs } from './core/stale.ts';
import { openStore, type Store } from './store/store.ts';
import { createUsers, type Users } from './auth/users.ts';
import { createLoginThrottle } from './auth/login-throttle.ts';
import { passwordCheckFile, weakPasswordProblems } from './auth/password-policy.ts';
import { ConfigError } from './config/errors.ts';
import { readSiteFile } from './config/site-files.ts';
import { createDutyLog, type DutyLog } from './sinks/duty-log/duty-log.ts';
import { createAlarmService, type AlarmService } from './alarms/alarm-service.ts';
import { webhookNotifier } from './alarms/escalation.ts';
import { createEquipmentEvents, operatingModes, type EquipmentEvents } from './alarms/equipment-events.ts';
import { createConsoleServer, type RouteEntry } from './http/server.ts';
import { startMqtt, type MqttPart } from './sources/mqtt/start.ts';
import { createModbusSource, type ModbusSourceDeps } from './sources/modbus/source.ts';
import { startBusSimulator, type ModbusSimulator } from './simulators/modbus-simulator.ts';
import { simulatedBuses } from './simulators/simulated-buses.ts';
import { startSimulatorControl } from './simulators/control-server.ts';
import { createShiftPlan, type ShiftPlan } from './shifts/shift-plan.ts';
import { coverageAhead, staffingShortage } from './shifts/staffing.ts';
import { createRoster, type Roster } from './shifts/roster.ts';
import { seedDemoRoster } from './shifts/demo-roster.ts';
import { createJournal, type Journal } from './duty/journal.ts';
import { createGatewayRun, HEARTBEAT_MS } from './duty/gateway-run.ts';
import { purgeExpired } from './duty/retention.ts';
import { createAttachments } from './duty/attachments.ts';
import { createShiftMarks } from './duty/shift-marks.ts';
import { createHandover, type Handover } from './duty/handover.ts';
import { createPatrols } from './patrols/patrols.ts';
import { createEntryRegister } from './rooms/entry-register.ts';
import { createShiftReport, reportPoints } from './duty/shift-report.ts';
import { createPlaybooks } from './playbooks/playbooks.ts';
import { createHistory } from './sinks/historian/history.ts';
import { historianLossReport } from './sinks/historian/loss-report.ts';
import { createPeriodReports } from './report/period-report.ts';
import { alarmPeriodsFrom } from './sinks/historian/alarm-periods.ts';

export interface GatewayOptions {
  site: Site;
  clock: Clock;
  logger: Logger;
  /** Overrides of the config's ports, for tests (0 = any free port). */
  httpPort?: number;
  brokerPort?: number;
  simulatorControlPort?: number;
  /** False: no Modbus pollers; readings come only through ingest() (benchmarks feeding the pipeline). */
  pollDevices?: boolean;
  /** Each device's poll cycle: duration and lag (the pipeline benchmark counts late cycles). */
  onCycle?: ModbusSourceDeps['onCycle'];
  /** How often late handovers and overdue patrols are checked (default a minute; tests with a fake clock go faster). */
  dutyCheckMs?: number;
}

export interface Gateway {
  readonly bus: Bus;
  readonly simulators: ReadonlyMap<string, ModbusSimulator>;
  /** The MQTT half (broker, source, simulated devices); set by start(). */
  readonly mqtt: MqttPart | null;
  /** Set by start(). */
  readonly consoleUrl: string;
  /** The console's routes with their declared access (the authorisation matrix test is generated from it); set by start(). */
  readonly consoleRoutes: readonly RouteEntry[];
  /** The plain HTTP port that redirects to the HTTPS console (http.redirectHttpPort), once started. */
  readonly consoleRedirectPort: number | null;
  readonly brokerPort: number | null;
  readonly simulatorControlPort: number | null;
  readonly store: Store;
  readonly users: Users;
  readonly alarms: AlarmService;
  readonly dutyLog: DutyLog;
  readonly shiftPlan: ShiftPlan;
  readonly roster: Roster;
  readonly journal: Journal;
  readonly handover: Handover;
  /** The pipeline's one entry: every source hands its readings here. */
  ingest(readings: Reading[]): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Part {
  name: string;
  stop(): Promise<void> | void;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { site, clock, logger } = options;
  const { config } = site;
  const bus = createBus(logger.child({ part: 'bus' }));
  const simulators = new Map<string, ModbusSimulator>();
  const latest = new Map<string, Reading>();
  const shiftPlan = createShiftPlan(config.shifts ?? [], site.timezone);
  const staleAfter = new Map(site.modbusDevices.map((d) => [d.config.id, staleAfterMs(d.config.pollIntervalMs ?? 1000)]));
  const started: Part[] = [];
  let store: Store | undefined;
  let users: Users | undefined;
  let alarms: AlarmService | undefined;
  let dutyLog: DutyLog | undefined;
  let roster: Roster | undefined;
  let journal: Journal | undefined;
  let handover: Handover | undefined;
  let equipmentEvents: EquipmentEvents | undefined;
  let consoleUrl = '';
  let consoleRoutes: RouteEntry[] = [];
  let consoleRedirectPort: number | null = null;
  let brokerPort: number | null = null;
  let simulatorControlPort: number | null = null;
  let mqtt: MqttPart | null = null;

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`gateway not started: ${what} is not available`);
    return v;
  };

  // Readings of one event-loop turn are evaluated together: one durable transaction (one fsync) for a burst of
  // MQTT messages instead of one each (bench/alarm-burst.ts), at the cost of less than one turn of delay.
  const toEvaluate: Reading[] = [];
  let evaluation: NodeJS.Immediate | null = null;
  const evaluatePending = (): void => {
    evaluation = null;
    const batch = toEvaluate.splice(0);
    try {
      alarms?.evaluate(batch);
    } catch (err) {
      logger.error('alarm evaluation failed', { err: String((err as Error)?.stack ?? err), readings: batch.length });
    }
  };

  /** The pipeline's one entry: every source hands its readings here. */
  const ingest = (readings: Reading[]): void => {
    for (const r of readings) latest.set(r.pointKey, r);
    toEvaluate.push(...readings);
    evaluation ??= setImmediate(evaluatePending);
    equipmentEvents?.evaluate(readings);
    bus.emit('readings', readings);
  };

  return {
    bus,
    simulators,
    get consoleUrl() {
      return consoleUrl;
    },
    get consoleRoutes() {
      return consoleRoutes;
    },
    get consoleRedirectPort() {
      return consoleRedirectPort;
    },
    get brokerPort() {
      return brokerPort;
    },
    get mqtt() {
      return mqtt;
    },
    get simulatorControlPort() {
      return simulatorControlPort;
    },
    get store() {
      return need(store, 'store');
    },
    get users() {
      return need(users, 'users');
    },
    get alarms() {
      return need(alarms, 'alarms');
    },
    get dutyLog() {
      return need(dutyLog, 'duty log');
    },
    shiftPlan,
    get roster() {
      return need(roster, 'roster');
    },
    get journal() {
      return need(journal, 'journal');
    },
    get handover() {
      return need(handover, 'handover');
    },

    ingest,

    async start() {
      try {
        // Read first: a missing certificate stops start-up before anything is written or listens.
        const httpTls = config.http?.tls;
        const tls = httpTls ? { cert: readSiteFile(site, httpTls.cert, '/http/tls/cert'), key: readSiteFile(site, httpTls.key, '/http/tls/key') } : undefined;
        store = openStore(site.dataDir, logger.child({ part: 'store' }));
        const s = store;
        started.push({ name: 'store', stop: () => s.close() });

        // The check-config check (issue 13 M5): demo and common passwords refused outside demo mode, users and MQTT logins.
        const weak = await weakPasswordProblems(site, {
          cacheFile: passwordCheckFile(site.dataDir),
          remember: true,
          // Tens of seconds at the first start after logins change: say why the start waits.
          onUnchecked: (count) => logger.info('checking new password hashes against the demo and common passwords (once per hash)', { count }),
        });
        if (weak.length > 0) throw new ConfigError(weak);
        users = createUsers(store, clock, config.http?.sessionHours ?? 12, { demo: site.demo });
        await users.syncFromConfig(config.users);

        dutyLog = createDutyLog(store, bus);
        const log = dutyLog;
        const u = users;
        // A2: who is on duty in that role now, from the published roster; where the roster names nobody
        // (no month published yet, or the role is not rostered, like the manager), the config's users with it.
        const onDutyNow = (role: Role, at: number): UserView[] => {
          const rostered = roster?.onDuty(role, at) ?? [];
          return rostered.length > 0 ? rostered : u.withRole(role);
        };
        const roomIds = new Set(config.rooms.map((r) => r.id));
        const playbooks = createPlaybooks({ store, dutyLog, clock, roomIds });
        const webhook = config.alarms?.escalation?.webhook;
        alarms = createAlarmService({
          store,
          site,
          dutyLog,
          bus,
          clock,
          logger: logger.child({ part: 'alarms' }),
          latest: (key) => latest.get(key),
          onDuty: onDutyNow,
          playbooks,
          notifiers: webhook ? [webhookNotifier(webhook, logger.child({ part: 'escalation' }))] : [],
        });
        alarms.start();
        const a = alarms;
        bus.on('deviceStatus', 'alarms', (status) => a.deviceStatus(status));
        bus.on('deviceConfig', 'alarms', (status) => a.deviceConfig(status));
        // P1/P3: an overdue patrol is an alarm; the next round recorded (in the duty log) returns it to normal.
        bus.on('patrolOverdue', 'alarms', (o) => a.patrolOverdue(o));
        bus.on('dutyLog', 'alarms', (e) => {
          if (e.kind === 'patrol.done' && typeof e.params['schedule'] === 'string') a.patrolDone(e.params['schedule']);
        });
        const equipment = createEquipmentEvents({ site, dutyLog });
        equipmentEvents = equipment;
        bus.on('deviceStatus', 'equipment-events', (st) => equipment.deviceStatus(st));
        // Shelve expiry, escalation deadlines and overnight isolations are checked every second; their
        // deadlines live in the store, so a restart loses none of them.
        const ticker = setInterval(() => {
          try {
            a.tick();
            equipment.tick(clock.now()); // P2: hourly run log of running equipment
          } catch (err) {
            logger.error('alarm tick failed', { err: String((err as Error)?.stack ?? err) });
          }
        }, 1000);
        started.push({ name: 'alarm timers', stop: () => { clearInterval(ticker); bus.off('alarms'); } });
        roster = createRoster({ store, plan: shiftPlan, dutyLog, clock });
        const attachments = createAttachments({ store, dutyLog, clock, dataDir: site.dataDir });
        const handoverLogger = logger.child({ part: 'handover' });
        handover = createHandover({
          store, dutyLog, plan: shiftPlan, roster, alarms, config: config.handover, clock, logger: handoverLogger,
          latestReadings: () => [...latest.values()],
          equipmentModes: () => operatingModes(site, (key) => latest.get(key)),
          openPlaybooks: () => playbooks.list(true),
        });
        const patrols = createPatrols({ store, dutyLog, plan: shiftPlan, schedules: config.patrols ?? [], clock, bus, latestReadings: () => [...latest.values()], supervisors: (at) => onDutyNow('supervisor', at) });
        journal = createJournal({ store, dutyLog, plan: shiftPlan, roster, attachments, clock, roomIds, managerSignature: config.dutyLog?.managerSignature === true });
        const entryRegister = createEntryRegister({ store, dutyLog, roster, users, clock, roomIds });

        // Issue 6: InfluxDB through the durable outbox when configured, else the embedded local history store.
        const history = createHistory({
          config, dataDir: site.dataDir, logger: logger.child({ part: 'historian' }), clock, alarmPeriods: alarmPeriodsFrom(store),
          onLoss: historianLossReport({ alarms, dutyLog, clock }),
        });
        await history.start();
        bus.on('readings', 'historian', (readings) => history.writeReadings(readings));
        bus.on('alarm', 'historian', (t) => history.writeAlarmTransition(t));
        started.push({ name: 'historian', stop: async () => { bus.off('historian'); await history.stop(); } });
        // The report's readings come from the historian's rollups, so they cover the whole shift across restarts.
        const shiftReport = createShiftReport({ plan: shiftPlan, journal, handover, history, points: reportPoints(site), clock, logger: logger.child({ part: 'shift-report' }) });
        const periodReports = createPeriodReports({ db: store.db, dutyLog, site, plan: shiftPlan, schedules: config.patrols ?? [], history, clock, logger: logger.child({ part: 'period-report' }) });

        // MQTT: embedded broker or external one, the source as its client, simulated devices (src/sources/mqtt/start.ts).
        const m = await startMqtt({ site, clock, logger, ...(options.brokerPort !== undefined ? { brokerPort: options.brokerPort } : {}), emit: ingest, onStatus: (s) => bus.emit('deviceStatus', s) });
        mqtt = m;
        brokerPort = m.brokerPorts?.mqtt ?? null;
        started.push({ name: 'mqtt', stop: () => m.stop() });

        for (const bus of simulatedBuses(site.modbusDevices)) {
          const sim = await startBusSimulator({ ...bus, logger: logger.child({ part: 'simulator' }) });
          for (const [id, unitId] of bus.deviceUnits) simulators.set(id, sim.units.get(unitId)!);
          started.push({ name: `simulator ${bus.host}:${bus.port}`, stop: () => sim.stop() });
        }
        const controlPort = options.simulatorControlPort ?? config.simulators?.controlPort;
        if (simulators.size + m.simulators.size > 0 && controlPort !== undefined) {
          const control = await startSimulatorControl({ simulators, mqttSimulators: m.simulators, host: '127.0.0.1', port: controlPort, logger: logger.child({ part: 'simulator-control' }) });
          simulatorControlPort = control.port;
          started.push({ name: 'simulator control', stop: () => control.stop() });
        }

        // Built here so the console can serve its diagnostics; it polls only once started, after the console.
        const modbus =
          options.pollDevices === false
            ? null
            : createModbusSource({
                devices: site.modbusDevices,
                clock,
                logger: logger.child({ part: 'modbus' }),
                emit: ingest,
                status: (s) => bus.emit('deviceStatus', s),
                config: (s) => bus.emit('deviceConfig', s),
                ...(options.onCycle ? { onCycle: options.onCycle } : {}),
              });
        const server = createConsoleServer({
          site,
          users,
          loginThrottle: createLoginThrottle(clock, logger.child({ part: 'login' })),
          publicUrl: () => config.http?.publicUrl ?? consoleUrl,
          alarms,
          dutyLog,
          bus,
          clock,
          logger: logger.child({ part: 'http' }),
          latestReadings: () => [...latest.values()].map((r) => freshOrStale(r, clock.now(), staleAfter.get(r.deviceId) ?? staleAfterMs(600_000))),
          mqttDiagnostics: () => m.diagnostics(),
          ...(modbus ? { modbusDiagnostics: () => modbus.diagnostics() } : {}),
          shiftPlan,
          roster,
          journal,
          attachments,
          handover,
          patrols,
          entryRegister,
          shiftReport,
          playbooks,
          history,
          periodReports,
        }, tls ? { https: tls } : {});
        const httpHost = config.http?.host ?? '127.0.0.1';
        consoleUrl = await server.listen(httpHost, options.httpPort ?? config.http?.port ?? 8080);
        consoleRoutes = server.routeTable();
        started.push({ name: 'console', stop: () => server.close() });
        if (tls && config.http?.redirectHttpPort !== undefined) consoleRedirectPort = await server.listenRedirect(httpHost, config.http.redirectHttpPort);

        if (modbus) {
          await modbus.start();
          started.push({ name: 'modbus', stop: () => modbus.stop() });
        }

        // L1/L6: an unclean previous stop is logged with its blind period before this start's entry.
        const run = createGatewayRun({ store, dutyLog: log, clock, timeZone: site.timezone });
        const startedAt = clock.now();
        const { firstStart } = run.open(startedAt);
        const heartbeat = setInterval(() => {
          try {
            run.beat();
          } catch (err) {
            logger.error('heartbeat failed', { err: String(err) });
          }
        }, HEARTBEAT_MS);
        started.push({ name: 'heartbeat', stop: () => { clearInterval(heartbeat); run.close(); } });
        log.append({ ts: startedAt, kind: 'gateway.started', params: { devices: site.devices.length } });
        // The demo starts with a published roster (who is on duty, the handover's incoming team); before the
        // shift marks so the shift's page names its people. Never over a roster a supervisor has made.
        if (site.demo && config.site.demoRoster === true) seedDemoRoster({ roster, plan: shiftPlan, now: clock.now(), logger: logger.child({ part: 'demo-roster' }) });

        // L1: shift start/end entries, after the start-up entry so a shift's page opens after it.
        const marks = createShiftMarks({ store, dutyLog, plan: shiftPlan, roster, clock, logger: logger.child({ part: 'shift-marks' }) });
        marks.start();
        started.push({ name: 'shift marks', stop: () => marks.stop() });
        const late = handover;
        const r = roster;
        const lateTimer = setInterval(() => {
          try {
            // Nobody is held to periods before the site's first start (a fresh install is not "late").
            late.flagLate(firstStart); // S6: late or missing handovers are flagged in the duty log
            patrols.tick(firstStart); // P1/P3: overdue patrols are logged and raise an alarm
            a.staffing(staffingShortage(shiftPlan, r, clock.now())); // R2: the shift in progress is staffed
            a.coverageAhead(coverageAhead(shiftPlan, r, clock.now())); // R2: and so are the next 24 h
          } catch (err) {
            logger.error('handover/patrol check failed', { err: String((err as Error)?.stack ?? err) });
          }
        }, options.dutyCheckMs ?? 60_000);
        started.push({ name: 'handover and patrol checks', stop: () => clearInterval(lateTimer) });

        // L5: the gateway applies the two-year retention itself, at start and daily (`npm run retention` stays for
        // a manual or dry run); its `retention.purged` entry reaches the open consoles like any other entry.
        const retentionLogger = logger.child({ part: 'retention' });
        const retain = (): void => {
          try {
            purgeExpired({ store: s, dutyLog: log, attachments, clock, logger: retentionLogger, plan: shiftPlan });
          } catch (err) {
            retentionLogger.error('retention failed', { err: String((err as Error)?.stack ?? err) });
          }
        };
        retain();
        const retentionTimer = setInterval(retain, 86_400_000);
        started.push({ name: 'retention', stop: () => clearInterval(retentionTimer) });
      } catch (err) {
        await this.stop();
        throw err;
      }
    },

    async stop() {
      // Readings already taken are evaluated before the store closes: an alarm they raise is not lost.
      if (evaluation) {
        clearImmediate(evaluation);
        evaluatePending();
      }
      if (dutyLog && started.some((p) => p.name === 'console')) {
        dutyLog.append({ ts: clock.now(), kind: 'gateway.stopped', params: {} });
      }
      while (started.length > 0) {
        const part = started.pop()!;
        try {
          await part.stop();
        } catch (err) {
          logger.error('stop failed', { part: part.name, err: String(err) });
        }
      }
      simulators.clear();
      mqtt = null;
    },
  };
}
