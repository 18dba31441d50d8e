// The Modbus source: one shared link per serial port or endpoint (devices.md §5 implication 1), one poller
// per device on it. Start opens nothing by itself (links connect on the first request); stop stops the
// pollers first, then closes the links.
import type { SiteDevice } from '../../config/load.ts';
import { resolveLink } from '../../config/modbus-connection.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import type { DeviceConfigStatus, DeviceStatus } from '../../core/bus.ts';
import type { ModbusDiagnosticsView } from '../../contract/api.ts';
import { modbusDeviceView } from './diagnostics.ts';
import { createModbusLink, type ModbusLink } from './link.ts';
import { createModbusPoller, type ModbusPoller, type ModbusPollerDeps } from './poller.ts';

export interface ModbusSourceDeps {
  devices: readonly SiteDevice[];
  clock: Clock;
  logger: Logger;
  emit: (readings: Reading[]) => void;
  status?: (status: DeviceStatus) => void;
  config?: (status: DeviceConfigStatus) => void;
  onCycle?: ModbusPollerDeps['onCycle'];
}

export interface ModbusSource {
  /** Link keys and the devices on each, for diagnostics and tests. */
  readonly links: ReadonlyMap<string, readonly string[]>;
  /** GET /api/diagnostics/modbus: every link and every device with its counters, in config order. */
  diagnostics(): ModbusDiagnosticsView;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createModbusSource(deps: ModbusSourceDeps): ModbusSource {
  const links = new Map<string, ModbusLink>();
  const members = new Map<string, string[]>();
  const pollers: { poller: ModbusPoller; link: string }[] = [];
  return {
    links: members,
    diagnostics() {
      return {
        links: [...links].map(([key, link]) => ({ key, ...link.status(), devices: [...(members.get(key) ?? [])] })),
        devices: pollers.map(({ poller, link }) => modbusDeviceView(poller.deviceId, link, poller.unitId, poller.counters)),
      };
    },
    async start() {
      for (const [i, device] of deps.devices.entries()) {
        // Settings were checked to agree across a link's devices at config load (sharedLinkProblems).
        const settings = resolveLink(device.config.connection, device.profile.defaults.serial);
        let link = links.get(settings.key);
        if (!link) {
          link = createModbusLink(settings, deps.logger);
          links.set(settings.key, link);
          members.set(settings.key, []);
        }
        members.get(settings.key)!.push(device.config.id);
        const poller = createModbusPoller({
          device,
          link,
          clock: deps.clock,
          logger: deps.logger.child({ device: device.config.id }),
          emit: deps.emit,
          ...(deps.status ? { status: deps.status } : {}),
          ...(deps.config ? { config: deps.config } : {}),
          ...(deps.onCycle ? { onCycle: deps.onCycle } : {}),
          // Spread the devices over their interval: 500 sensors do not all ask in the same millisecond.
          firstCycleDelayMs: Math.floor(((device.config.pollIntervalMs ?? 1000) * i) / deps.devices.length),
        });
        pollers.push({ poller, link: settings.key });
        await poller.start();
      }
    },
    async stop() {
      // Stop the loops, then close the links: that fails the requests still on the wire at once, so
      // stopping never waits for a device's timeout.
      const stopping = pollers.splice(0).map(({ poller }) => poller.stop());
      await Promise.all([...links.values()].map((l) => l.close()));
      await Promise.all(stopping);
      links.clear();
      members.clear();
    },
  };
}
