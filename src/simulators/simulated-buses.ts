// Groups the devices a site wants simulated (`simulate: true`) by endpoint: devices on one host:port are
// units of one simulated bus (a Modbus TCP gateway, or a serial device server for RTU over TCP).
import type { SiteDevice } from '../config/load.ts';
import type { BusSimulatorOptions } from './modbus-simulator.ts';

export interface SimulatedBus extends Omit<BusSimulatorOptions, 'logger'> {
  /** Device id → its unit id on this bus. */
  deviceUnits: [string, number][];
}

export function simulatedBuses(devices: readonly SiteDevice[]): SimulatedBus[] {
  const buses = new Map<string, SimulatedBus>();
  for (const d of devices) {
    const c = d.config.connection;
    if (!d.config.simulate || c.type === 'rtu') continue; // serial ports are refused at config load
    const key = `${c.host}:${c.port}`;
    const unitId = c.unitId ?? d.profile.defaults.unitId;
    let bus = buses.get(key);
    if (!bus) {
      bus = { host: c.host, port: c.port, framing: c.type === 'tcp' ? 'tcp' : 'rtu', units: [], deviceUnits: [] };
      buses.set(key, bus);
    }
    (bus.units as { profile: SiteDevice['profile']; unitId: number }[]).push({ profile: d.profile, unitId });
    bus.deviceUnits.push([d.config.id, unitId]);
  }
  return [...buses.values()];
}
