// The console's view of the site: rooms, devices and points with their effective limits.
import type { SiteView } from '../contract/api.ts';
import type { Site } from '../config/load.ts';
import { shelveLimits } from '../alarms/shelve-limits.ts';

/** Everything but the gateway's time, which the route adds to each answer. */
export function siteView(site: Site): Omit<SiteView, 'serverTime'> {
  const { config } = site;
  return {
    id: config.site.id,
    name: config.site.name,
    timezone: site.timezone,
    demo: site.demo,
    language: config.site.language ?? 'zh-CN',
    shelveMaxMinutes: shelveLimits(config.alarms?.maxShelveMinutes),
    rooms: config.rooms.map((r) => ({ id: r.id, name: r.name, kind: r.kind })),
    devices: site.devices.map((d) => ({ id: d.config.id, roomId: d.config.room, name: d.name, profile: d.profile.id })),
    points: [...site.points.values()].map((p) => ({
      key: p.key,
      deviceId: p.deviceId,
      roomId: p.roomId,
      point: p.name,
      label: p.spec.label,
      unit: p.spec.unit,
      ...(p.spec.precision !== undefined ? { precision: p.spec.precision } : {}),
      ...(p.spec.values ? { values: p.spec.values } : {}),
      ...(p.limits
        ? {
            limits: {
              ...(p.limits.lowLow !== undefined ? { lowLow: p.limits.lowLow } : {}),
              ...(p.limits.low !== undefined ? { low: p.limits.low } : {}),
              ...(p.limits.high !== undefined ? { high: p.limits.high } : {}),
              ...(p.limits.highHigh !== undefined ? { highHigh: p.limits.highHigh } : {}),
              deadband: p.limits.deadband,
              onDelaySeconds: p.limits.onDelaySeconds,
            },
          }
        : {}),
    })),
  };
}
