// The alarm parts of a point that do not depend on its protocol: the profile's discrete alarm with the
// site's overrides applied, and the site's suppression by design. Modbus and MQTT points share it.
import type { DiscreteAlarmSpec } from '../devices/profile-schema.ts';
import type { DeviceConfig, SuppressWhen } from './schema.ts';

export interface PointAlarms {
  alarm?: DiscreteAlarmSpec;
  suppress?: SuppressWhen;
}

export function pointAlarms(device: DeviceConfig, name: string, profileAlarm: DiscreteAlarmSpec | undefined): PointAlarms {
  const override = device.alarms?.[name];
  const alarm = profileAlarm || override ? ({ activeWhen: true, ...profileAlarm, ...override } as DiscreteAlarmSpec) : undefined;
  const suppress = device.suppress?.[name];
  return { ...(alarm ? { alarm } : {}), ...(suppress ? { suppress } : {}) };
}
