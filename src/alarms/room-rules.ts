// Limits the duty regulations set per kind of room, applied unless the site config overrides them.
import type { LimitConfig, RoomKind } from '../config/schema.ts';
import type { Quantity } from '../devices/profile-schema.ts';

/**
 * R1: the distribution room is kept below 40 °C (000 配電房管理規定 2; 004 配电室管理制度 8); a warning
 * before it is expected, 35 °C by default. Deadband 1 °C and a 10 s on-delay keep a noisy sensor from chattering.
 */
const distributionTemperature: LimitConfig = {
  high: 35,
  highHigh: 40,
  deadband: 1,
  onDelaySeconds: 10,
  priority: 'high',
  rule: 'R1',
};

const byRoomKind: Partial<Record<RoomKind, Partial<Record<Quantity, LimitConfig>>>> = {
  distribution: { temperature: distributionTemperature },
};

export function roomDefaultLimits(kind: RoomKind, quantity: Quantity): LimitConfig | undefined {
  return byRoomKind[kind]?.[quantity];
}
