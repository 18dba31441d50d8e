// The Modbus source: one shared link per serial port or endpoint (devices.md §5 implication 1), one poller
// per device on it. Start opens nothing by itself (links connect on the first request); stop stops the
// pollers first, then closes the links.
import type { SiteDevice } from '../../config/load.ts';
import { resolveLink } from '../../config/modbus-connection.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import type { DeviceStatus } from '../../core/bus.ts';
import { createModbusLink, type ModbusLink } from './link.ts';
import { createModbusPoller, type ModbusPoller } from './poller.ts';

export interface ModbusSourceDeps {
  devices: readonly SiteDevice[];
  clock: Clock;
  logger: Logger;
  emit: (readings: Reading[]) => void;
  status?: (status: DeviceStatus) => void;
}

export interface ModbusSource {
  /** Link keys and the devices on each, for diagnostics and tests. */
  readonly links: ReadonlyMap<string, readonly string[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createModbusSource(deps: ModbusSourceDeps): ModbusSource {
  const links = new Map<string, ModbusLink>();
  const members = new Map<string, string[]>();
  const pollers: ModbusPoller[] = [];
  return {
    links: members,
    async start() {
      for (const device of deps.devices) {
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
        });
        pollers.push(poller);
        await poller.start();
      }
    },
    async stop() {
      await Promise.all(pollers.splice(0).map((p) => p.stop()));
      await Promise.all([...links.values()].map((l) => l.close()));
      links.clear();
      members.clear();
    },
  };
}
