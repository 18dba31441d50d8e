// R2: rooms are staffed around the clock. Checked live, not only when a roster is published: the shift in
// progress, by the published roster with its approved swaps, against the shift's minimum staff per role; and the
// shifts of the coming 24 hours, so that a gap raises a warning while there is still time to fill it.
import type { Roster } from './roster.ts';
import { requiredStaff, type ShiftInstance, type ShiftPlan } from './shift-plan.ts';

type RosterView = Pick<Roster, 'get' | 'staffOf'>;

/** What one shift lacks ("2026-11-23/night: duty 0/1"), or null when staffed or its month has no published roster. */
function shortOf(shift: ShiftInstance, roster: RosterView): string | null {
  // A month without a published roster has no one to hold to it; publishing checks coverage (S1).
  if (roster.get(shift.date.slice(0, 7)).state !== 'published') return null;
  const staff = roster.staffOf(shift);
  const short = requiredStaff(shift)
    .map(([role, need]) => ({ role, need, have: staff.filter((u) => u.role === role).length }))
    .filter((s) => s.have < s.need);
  return short.length > 0 ? `${shift.key}: ${short.map((s) => `${s.role} ${s.have}/${s.need}`).join(', ')}` : null;
}

/** What is missing on the shift in progress, or null when staffed or unrostered. */
export function staffingShortage(plan: ShiftPlan, roster: RosterView, now: number): string | null {
  for (const shift of plan.currentShifts(now)) {
    const short = shortOf(shift, roster);
    if (short !== null) return short;
  }
  return null;
}

/** R2 look-ahead: how far ahead the coming shifts are checked, so a gap is known before it starts. */
export const COVERAGE_AHEAD_MS = 24 * 3_600_000;

/** What the shifts starting in the next 24 h lack ("…/night: duty 0/1; …/day: duty 0/1"), or null when all are staffed. */
export function coverageAhead(plan: ShiftPlan, roster: RosterView, now: number): string | null {
  const gaps = plan
    .shiftsBetween(now, now + COVERAGE_AHEAD_MS)
    .filter((s) => s.start > now && s.start <= now + COVERAGE_AHEAD_MS)
    .map((s) => shortOf(s, roster))
    .filter((g): g is string => g !== null);
  return gaps.length > 0 ? gaps.join('; ') : null;
}
