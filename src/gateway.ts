// The composition root (style.md §6): builds every part from the site config and wires the pipeline
// sources (Modbus) → readings → alarm rules → sinks (duty log, historian, console).
// Constructors do nothing; start() starts the parts in order, stop() stops them in reverse.
import type { Site } from './config/load.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './core/logger.ts';
import type { Reading } from './core/reading.ts';
import { createBus, type Bus } from './core/bus.ts';
import { openStore, type Store } from './store/store.ts';
import { createUsers, type Users } from './auth/users.ts';
import { createDutyLog, type DutyLog } from './sinks/duty-log/duty-log.ts';
import { createAlarmService, type AlarmService } from './alarms/alarm-service.ts';
import { createConsoleServer } from './http/server.ts';
import { createEmbeddedBroker } from './broker/embedded-broker.ts';
import { createModbusPoller } from './sources/modbus/poller.ts';
import { startModbusSimulator, type ModbusSimulator } from './simulators/modbus-simulator.ts';
import { startSimulatorControl } from './simulators/control-server.ts';
import { createHistory } from './sinks/historian/history.ts';
import { alarmPeriodsFrom } from './sinks/historian/alarm-periods.ts';

export interface GatewayOptions {
  site: Site;
  clock: Clock;
  logger: Logger;
  /** Overrides of the config's ports, for tests (0 = any free port). */
  httpPort?: number;
  brokerPort?: number;
  simulatorControlPort?: number;
}

export interface Gateway {
  readonly bus: Bus;
  readonly simulators: ReadonlyMap<string, ModbusSimulator>;
  /** Set by start(). */
  readonly consoleUrl: string;
  readonly brokerPort: number | null;
  readonly simulatorControlPort: number | null;
  readonly store: Store;
  readonly users: Users;
  readonly alarms: AlarmService;
  readonly dutyLog: DutyLog;
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
  const started: Part[] = [];
  let store: Store | undefined;
  let users: Users | undefined;
  let alarms: AlarmService | undefined;
  let dutyLog: DutyLog | undefined;
  let consoleUrl = '';
  let brokerPort: number | null = null;
  let simulatorControlPort: number | null = null;

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`gateway not started: ${what} is not available`);
    return v;
  };

  /** The pipeline's one entry: every source hands its readings here. */
  const ingest = (readings: Reading[]): void => {
    for (const r of readings) latest.set(r.pointKey, r);
    alarms!.evaluate(readings);
    bus.emit('readings', readings);
  };

  return {
    bus,
    simulators,
    get consoleUrl() {
      return consoleUrl;
    },
    get brokerPort() {
      return brokerPort;
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

    async start() {
      try {
        store = openStore(site.dataDir, logger.child({ part: 'store' }));
        const s = store;
        started.push({ name: 'store', stop: () => s.close() });

        users = createUsers(store, clock, config.http?.sessionHours ?? 12);
        await users.syncFromConfig(config.users);
        if (!site.demo) {
          const weak = await users.usersWithDemoPasswords();
          if (weak.length > 0) throw new Error(`refusing to start: users ${weak.join(', ')} still have a demo password and site.demo is not true`);
        }

        dutyLog = createDutyLog(store);
        const log = dutyLog;
        alarms = createAlarmService({ store, site, dutyLog, bus, clock, logger: logger.child({ part: 'alarms' }) });
        alarms.start();

        // Issue 6: InfluxDB through the durable outbox when configured, else the embedded local history store.
        const history = createHistory({ config, dataDir: site.dataDir, logger: logger.child({ part: 'historian' }), clock, alarmPeriods: alarmPeriodsFrom(store) });
        await history.start();
        bus.on('readings', 'historian', (readings) => history.writeReadings(readings));
        bus.on('alarm', 'historian', (t) => history.writeAlarmTransition(t));
        started.push({ name: 'historian', stop: async () => { bus.off('historian'); await history.stop(); } });

        const brokerConfig = config.broker?.embedded;
        if (brokerConfig) {
          const broker = createEmbeddedBroker({
            host: brokerConfig.host ?? '127.0.0.1',
            port: options.brokerPort ?? brokerConfig.port,
            credentials: { check: () => false },
            logger: logger.child({ part: 'broker' }),
          });
          brokerPort = await broker.start();
          started.push({ name: 'broker', stop: () => broker.stop() });
        }

        for (const device of site.devices.filter((d) => d.config.simulate)) {
          const sim = await startModbusSimulator({
            profile: device.profile,
            host: device.config.connection.host,
            port: device.config.connection.port,
            unitId: device.config.connection.unitId ?? device.profile.defaults.unitId,
            logger: logger.child({ part: 'simulator', device: device.config.id }),
          });
          simulators.set(device.config.id, sim);
          started.push({ name: `simulator ${device.config.id}`, stop: () => sim.stop() });
        }
        const controlPort = options.simulatorControlPort ?? config.simulators?.controlPort;
        if (simulators.size > 0 && controlPort !== undefined) {
          const control = await startSimulatorControl({ simulators, host: '127.0.0.1', port: controlPort, logger: logger.child({ part: 'simulator-control' }) });
          simulatorControlPort = control.port;
          started.push({ name: 'simulator control', stop: () => control.stop() });
        }

        const server = createConsoleServer({
          site,
          users,
          alarms,
          dutyLog,
          bus,
          clock,
          logger: logger.child({ part: 'http' }),
          latestReadings: () => [...latest.values()],
          history,
        });
        consoleUrl = await server.listen(config.http?.host ?? '127.0.0.1', options.httpPort ?? config.http?.port ?? 8080);
        started.push({ name: 'console', stop: () => server.close() });

        for (const device of site.devices) {
          const poller = createModbusPoller({ device, clock, logger: logger.child({ part: 'modbus', device: device.config.id }), emit: ingest });
          await poller.start();
          started.push({ name: `poller ${device.config.id}`, stop: () => poller.stop() });
        }

        log.append({ ts: clock.now(), kind: 'gateway.started', params: { devices: site.devices.length } });
      } catch (err) {
        await this.stop();
        throw err;
      }
    },

    async stop() {
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
    },
  };
}
