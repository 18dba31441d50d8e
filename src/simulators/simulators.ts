// The one place that starts the simulated devices (`simulate: true`), Modbus and MQTT alike, from the site's one
// device list (issue 14): a Modbus bus per endpoint (several units per TCP gateway), an MQTT client per device on
// the broker's device listener, then the loopback control port `npm run sim` talks to. A gateway part
// (src/gateway/parts.ts), started after the MQTT part and before the pollers; stop() undoes it in reverse.
import type { AnySiteDevice } from '../config/load.ts';
import type { Logger } from '../core/logger.ts';
import { stopParts, type Part, type Stoppable } from '../core/part.ts';
import type { DeviceEndpoint } from '../sources/mqtt/mqtt-part.ts';
import { startBusSimulator, type ModbusSimulator } from './modbus-simulator.ts';
import { startMqttSimulator, type MqttSimulator } from './mqtt-simulator.ts';
import { simulatedBuses } from './simulated-buses.ts';
import { startSimulatorControl } from './control-server.ts';

export interface Simulators extends Part {
  /** Simulated Modbus devices by device id (each a unit of its bus). */
  readonly modbus: ReadonlyMap<string, ModbusSimulator>;
  /** Simulated MQTT devices by device id. */
  readonly mqtt: ReadonlyMap<string, MqttSimulator>;
  /** The control port, once listening (null without simulated devices or without simulators.controlPort). */
  readonly controlPort: number | null;
}

export interface SimulatorsOptions {
  /** Every device of the site; those with `simulate: true` are started. */
  devices: readonly AnySiteDevice[];
  /** Where MQTT devices connect, known once the MQTT part has started (null: no broker). */
  mqttEndpoint(): DeviceEndpoint | null;
  /** Loopback port of the control API (0 = any free port); undefined: no control API. */
  controlPort: number | undefined;
  logger: Logger;
}

export function createSimulators(options: SimulatorsOptions): Simulators {
  const { logger } = options;
  const modbus = new Map<string, ModbusSimulator>();
  const mqtt = new Map<string, MqttSimulator>();
  const stops: Stoppable[] = [];
  let controlPort: number | null = null;

  const stop = async (): Promise<void> => {
    await stopParts(stops, logger);
    modbus.clear();
    mqtt.clear();
    controlPort = null;
  };

  const start = async (): Promise<void> => {
    const simulated = options.devices.filter((d) => d.config.simulate === true);
    try {
      const modbusDevices = simulated.flatMap((d) => (d.protocol === 'modbus' ? [d] : []));
      for (const bus of simulatedBuses(modbusDevices)) {
        const sim = await startBusSimulator({ ...bus, logger: logger.child({ part: 'simulator' }) });
        stops.push({ name: `simulator ${bus.host}:${bus.port}`, stop: () => sim.stop() });
        for (const [id, unitId] of bus.deviceUnits) modbus.set(id, sim.units.get(unitId)!);
      }
      const endpoint = options.mqttEndpoint();
      for (const device of simulated) {
        if (device.protocol !== 'mqtt') continue;
        const password = device.config.connection.password;
        if (endpoint === null || password === undefined) continue; // the config check requires both for simulated devices
        const sim = await startMqttSimulator({ device, url: endpoint.url, password, clientOptions: endpoint.clientOptions, logger: logger.child({ part: 'simulator', device: device.config.id }) });
        stops.push({ name: `simulator ${device.config.id}`, stop: () => sim.stop() });
        mqtt.set(device.config.id, sim);
      }
      if (modbus.size + mqtt.size > 0 && options.controlPort !== undefined) {
        const control = await startSimulatorControl({ simulators: modbus, mqttSimulators: mqtt, host: '127.0.0.1', port: options.controlPort, logger: logger.child({ part: 'simulator-control' }) });
        stops.push({ name: 'simulator control', stop: () => control.stop() });
        controlPort = control.port;
      }
    } catch (err) {
      await stop();
      throw err;
    }
  };

  return {
    name: 'simulators',
    modbus,
    mqtt,
    get controlPort() {
      return controlPort;
    },
    start,
    stop,
  };
}
