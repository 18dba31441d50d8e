// R2: rooms are staffed around the clock. Checked live, not only when a roster is published: the shift in
// progress, by the published roster with its approved swaps, against the shift's minimum staff per role.
import type { Roster } from './roster.ts';
import { requiredStaff, type ShiftPlan } from './shift-plan.ts';

/** What is missing on the shift in progress ("2026-11-23/night: duty 0/1"), or null when staffed or unrostered. */
export function staffingShortage(plan: ShiftPlan, roster: Pick<Roster, 'get' | 'staffOf'>, now: number): string | null {
  for (const shift of plan.currentShifts(now)) {
    // A month without a published roster has no one to hold to it; publishing checks coverage (S1).
    if (roster.get(shift.date.slice(0, 7)).state !== 'published') continue;
    const staff = roster.staffOf(shift);
    const short = requiredStaff(shift)
      .map(([role, need]) => ({ role, need, have: staff.filter((u) => u.role === role).length }))
      .filter((s) => s.have < s.need);
    if (short.length > 0) return `${shift.key}: ${short.map((s) => `${s.role} ${s.have}/${s.need}`).join(', ')}`;
  }
  return null;
}
