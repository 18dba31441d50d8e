// The alarm parts of a point that do not depend on its protocol: the profile's discrete alarm with the
// site's overrides applied, and the site's suppression by design. Modbus and MQTT points share it.
import type { DiscreteAlarmSpec } from '../devices/profile-schema.ts';
import type { DeviceConfig, SuppressWhen } from './schema.ts';

export interface PointAlarms {
  alarm?: DiscreteAlarmSpec;
  suppress?: SuppressWhen;
}

/**
 * A site's alarm overrides must name real points, and an `activeWhen` must fit the point: true/false on a contact
 * (false = normally closed: a fire panel's NC relay output reads closed while all is well), "nonzero" or codes on a
 * number. `isBoolean` says which points are contacts (Modbus coils and bits, MQTT points with true/false values).
 */
export function checkAlarmOverrides(
  device: DeviceConfig,
  index: number,
  points: Readonly<Record<string, { alarm?: DiscreteAlarmSpec }>>,
  isBoolean: (name: string) => boolean,
  at: (path: string, message: string) => void,
): void {
  for (const [name, override] of Object.entries(device.alarms ?? {})) {
    const where = `/devices/${index}/alarms/${name}`;
    if (!Object.hasOwn(points, name)) {
      at(where, `profile ${device.profile} has no point "${name}" (points: ${Object.keys(points).join(', ')})`);
      continue;
    }
    if (!points[name]!.alarm && !(override.message && override.priority)) {
      at(where, `profile ${device.profile} defines no alarm on point "${name}"; give at least message and priority to define one`);
    }
    const when = override.activeWhen;
    if (when === undefined) continue;
    const contact = isBoolean(name);
    if (contact !== (typeof when === 'boolean')) {
      at(`${where}/activeWhen`, contact ? `point "${name}" is a contact: activeWhen true (normally open) or false (normally closed)` : `point "${name}" is a number: activeWhen "nonzero" or a list of codes`);
    }
  }
}

export function pointAlarms(device: DeviceConfig, name: string, profileAlarm: DiscreteAlarmSpec | undefined): PointAlarms {
  const override = device.alarms?.[name];
  const alarm = profileAlarm || override ? ({ activeWhen: true, ...profileAlarm, ...override } as DiscreteAlarmSpec) : undefined;
  const suppress = device.suppress?.[name];
  return { ...(alarm ? { alarm } : {}), ...(suppress ? { suppress } : {}) };
}
