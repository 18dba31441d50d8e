// A site's per-device variant of a Modbus point (PointOverride in schema.ts): the profile's point with its scale,
// unit and offset adjusted, so the codec reads the unit as it really is configured without a profile edit.
import type { ModbusPoint } from '../devices/profile-schema.ts';
import { isBoolean } from '../devices/profiles.ts';
import type { PointOverride } from './schema.ts';

/** The problems of an override on this point (path suffix and message), empty when it fits. */
export function overrideProblems(point: ModbusPoint, o: PointOverride): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (isBoolean(point)) out.push({ path: '', message: 'a contact or bit has no scale, unit or offset' });
  if (o.scale === 0) out.push({ path: '/scale', message: 'scale 0 turns every reading into 0' });
  if (o.unit === '°F' && point.unit !== '°C') out.push({ path: '/unit', message: `°F converts to °C; this point is in "${point.unit}"` });
  return out;
}

/**
 * The point as this unit reports it. °F: v°C = (v°F − 32) × 5/9, folded into scale and offset so the value path stays
 * raw → scale/offset → precision → range; the site's offset is in the profile's unit, added last.
 */
export function applyOverride(point: ModbusPoint, o: PointOverride): ModbusPoint {
  const scale = o.scale ?? point.scale ?? 1;
  const offset = point.offset ?? 0;
  const f = o.unit === '°F';
  // Without a precision a converted scale (5/9) would show 6 decimals: keep the profile's, or the raw scale's.
  const precision = o.precision ?? point.precision ?? (f || o.scale !== undefined ? decimalsFor(scale) : undefined);
  return {
    ...point,
    scale: f ? (scale * 5) / 9 : scale,
    offset: (f ? ((offset - 32) * 5) / 9 : offset) + (o.offset ?? 0),
    ...(precision !== undefined ? { precision } : {}),
  };
}

/** Decimals a raw multiplier carries (0.01 → 2), at least one. */
const decimalsFor = (scale: number): number => Math.max(1, Math.min(6, Math.ceil(-Math.log10(Math.abs(scale)) - 1e-9)));
