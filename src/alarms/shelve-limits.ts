// How long an alarm of each priority may be shelved (issue 13 medium 8): the site's `alarms.maxShelveMinutes`
// (one number, or one per priority) over these defaults. A critical alarm out of sight for hours is what
// ISA-18.2 §11.7 shelving is not for; the console offers only durations within the alarm's limit.
import type { Priority } from '../contract/api.ts';
import type { AlarmsConfig } from '../config/schema.ts';

export const defaultShelveMinutes: Readonly<Record<Priority, number>> = { critical: 30, high: 60, medium: 120, low: 120 };

export function shelveLimits(config: AlarmsConfig['maxShelveMinutes']): Record<Priority, number> {
  if (typeof config === 'number') return { critical: config, high: config, medium: config, low: config };
  return { ...defaultShelveMinutes, ...config };
}
