// Which devices of a site are simulated, for the start banner: it says "simulated" only of devices that are
// (issue 12 §4). A demo site may mix simulators with real devices, and a real device is never called simulated.
import type { Site } from '../config/load.ts';
import { t, type Lang } from '../i18n/index.ts';

/** The banner line about simulators: which devices are simulated, or that none is. */
export function simulatedDevicesLine(site: Pick<Site, 'devices'>, lang: Lang): string {
  // site.devices is every device, Modbus and MQTT alike (one list, issue 14).
  const all = site.devices;
  const simulated = all.filter((d) => d.config.simulate === true).map((d) => d.config.id);
  if (simulated.length === 0) return t(lang, 'startup.noneSimulated', { total: all.length });
  if (simulated.length === all.length) return t(lang, 'startup.allSimulated', { total: all.length });
  return t(lang, 'startup.someSimulated', { count: simulated.length, total: all.length, devices: simulated.join(', ') });
}
