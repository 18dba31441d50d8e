// The composition root (style.md §6): wires the pipeline sources (Modbus, MQTT) → readings → alarm rules → sinks
// (duty log, historian, console). Constructors do nothing; start() is three steps: open the store, build the
// services on it (src/gateway/services.ts), start the parts in order (src/gateway/parts.ts); stop() stops the
// parts in reverse and closes the store last.
import type { Site } from './config/load.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './core/logger.ts';
import type { Reading } from './core/reading.ts';
import { createBus, type Bus } from './core/bus.ts';
import { startParts, stopParts, type Part } from './core/part.ts';
import { openStore, type Store } from './store/store.ts';
import { readSiteFile } from './config/site-files.ts';
import type { Users } from './auth/users.ts';
import type { DutyLog } from './sinks/duty-log/duty-log.ts';
import type { AlarmService } from './alarms/alarm-service.ts';
import type { RouteEntry } from './http/server.ts';
import { createMqttPart, type MqttPart } from './sources/mqtt/mqtt-part.ts';
import type { ModbusSourceDeps } from './sources/modbus/source.ts';
import type { ModbusSimulator } from './simulators/modbus-simulator.ts';
import type { MqttSimulator } from './simulators/mqtt-simulator.ts';
import { createSimulators } from './simulators/simulators.ts';
import { createShiftPlan, type ShiftPlan } from './shifts/shift-plan.ts';
import type { Roster } from './shifts/roster.ts';
import type { Journal } from './duty/journal.ts';
import type { Handover } from './duty/handover.ts';
import { buildServices, type Core, type Services } from './gateway/services.ts';
import {
  alarmsPart, consolePart, demoRosterPart, dutyChecksPart, historianPart, pollersPart, retentionPart, runPart, shiftMarksPart, type ConsolePart,
} from './gateway/parts.ts';

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
  /** Simulated Modbus devices by id, while started (src/simulators/simulators.ts starts both protocols). */
  readonly simulators: ReadonlyMap<string, ModbusSimulator>;
  /** Simulated MQTT devices by id, while started. */
  readonly mqttSimulators: ReadonlyMap<string, MqttSimulator>;
  /** The MQTT part (broker, source), while started; null before start and after stop. */
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

export function createGateway(options: GatewayOptions): Gateway {
  const { site, clock, logger } = options;
  const { config } = site;
  const bus = createBus(logger.child({ part: 'bus' }));
  const latest = new Map<string, Reading>();
  const plan = createShiftPlan(config.shifts ?? [], site.timezone);
  /** What runs, in start order: the store first, then the parts of start(). */
  const started: Part[] = [];
  let store: Store | undefined;
  let services: Services | undefined;
  let consoleServer: ConsolePart | undefined;

  // Readings of one event-loop turn are evaluated together: one durable transaction (one fsync) for a burst of
  // MQTT messages instead of one each (bench/alarm-burst.ts), at the cost of less than one turn of delay.
  const toEvaluate: Reading[] = [];
  let evaluation: NodeJS.Immediate | null = null;
  const evaluatePending = (): void => {
    evaluation = null;
    const batch = toEvaluate.splice(0);
    try {
      services?.alarms.evaluate(batch);
    } catch (err) {
      logger.error('alarm evaluation failed', { err: String((err as Error)?.stack ?? err), readings: batch.length });
    }
  };

  /** The pipeline's one entry: every source hands its readings here. */
  const ingest = (readings: Reading[]): void => {
    for (const r of readings) latest.set(r.pointKey, r);
    toEvaluate.push(...readings);
    evaluation ??= setImmediate(evaluatePending);
    services?.equipmentEvents.evaluate(readings);
    bus.emit('readings', readings);
  };

  // The parts that need no store: the MQTT broker and source, and the simulated devices of both protocols.
  const mqtt = createMqttPart({ site, clock, logger, ...(options.brokerPort !== undefined ? { brokerPort: options.brokerPort } : {}), emit: ingest, onStatus: (s) => bus.emit('deviceStatus', s) });
  const simulators = createSimulators({
    devices: site.devices,
    mqttEndpoint: () => mqtt.deviceEndpoint,
    controlPort: options.simulatorControlPort ?? config.simulators?.controlPort,
    logger,
  });

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`gateway not started: ${what} is not available`);
    return v;
  };
  const service = <K extends keyof Services>(key: K, what: string): Services[K] => need(services, what)[key];

  /** Step 3's list, in start order. */
  const partsOf = (core: Core, s: Services, tls: { cert: Buffer; key: Buffer } | undefined): Part[] => {
    const pollers = options.pollDevices === false ? null : pollersPart(core, { emit: ingest, ...(options.onCycle ? { onCycle: options.onCycle } : {}) });
    consoleServer = consolePart(core, s, {
      plan, latest, tls, port: options.httpPort,
      mqttDiagnostics: () => mqtt.diagnostics(),
      ...(pollers ? { modbusDiagnostics: () => pollers.diagnostics() } : {}),
    });
    const run = runPart(core, s);
    return [
      alarmsPart(core, s),
      historianPart(core, s.history),
      mqtt,
      simulators,
      consoleServer,
      ...(pollers ? [pollers] : []),
      run,
      ...(site.demo && config.site.demoRoster === true ? [demoRosterPart(core, s, plan)] : []),
      shiftMarksPart(core, s, plan),
      dutyChecksPart(core, s, { plan, firstStart: () => run.firstStart, everyMs: options.dutyCheckMs ?? 60_000 }),
      retentionPart(core, s, plan),
    ];
  };

  return {
    bus,
    simulators: simulators.modbus,
    mqttSimulators: simulators.mqtt,
    get consoleUrl() {
      return consoleServer?.url ?? '';
    },
    get consoleRoutes() {
      return consoleServer?.routes ?? [];
    },
    get consoleRedirectPort() {
      return consoleServer?.redirectPort ?? null;
    },
    get brokerPort() {
      return started.includes(mqtt) ? (mqtt.brokerPorts?.mqtt ?? null) : null;
    },
    get mqtt() {
      return started.includes(mqtt) ? mqtt : null;
    },
    get simulatorControlPort() {
      return simulators.controlPort;
    },
    get store() {
      return need(store, 'store');
    },
    get users() {
      return service('users', 'users');
    },
    get alarms() {
      return service('alarms', 'alarms');
    },
    get dutyLog() {
      return service('dutyLog', 'duty log');
    },
    shiftPlan: plan,
    get roster() {
      return service('roster', 'roster');
    },
    get journal() {
      return service('journal', 'journal');
    },
    get handover() {
      return service('handover', 'handover');
    },

    ingest,

    async start() {
      try {
        // Read first: a missing certificate stops start-up before anything is written or listens.
        const httpTls = config.http?.tls;
        const tls = httpTls ? { cert: readSiteFile(site, httpTls.cert, '/http/tls/cert'), key: readSiteFile(site, httpTls.key, '/http/tls/key') } : undefined;
        // 1. Open the store.
        const s = openStore(site.dataDir, logger.child({ part: 'store' }));
        store = s;
        started.push({ name: 'store', start() {}, stop: () => s.close() });
        // 2. Build the services on it.
        const core: Core = { store: s, clock, logger, bus, site };
        services = await buildServices(core, { plan, latest });
        // 3. Start the parts in order.
        await startParts(partsOf(core, services, tls), started, logger);
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
      await stopParts(started, logger);
    },
  };
}
