// The demo site's roster (`site.demoRoster`, demo mode only): `npm run demo` starts with a published roster
// for the current and the next month, so the handover screen has an incoming team (S5, S6) and "who is on
// duty" (A2's escalation, the duty log's shift pages) names people, instead of waiting for a supervisor to
// publish a month (S1). Each shift gets its minimum staffing per role (R2) from the site's users of that role,
// taken in turn: with two duty officers and a day and a night shift, one works the days and the other the
// nights, so every handover is between two people. A month that already has a roster, draft or published,
// is left as it is: the supervisor's, never overwritten (Roster.publishCompiled).
import type { Role, UserView } from '../contract/api.ts';
import type { RosterAssignment } from '../contract/shifts.ts';
import { DEMO_SEED } from '../contract/routes.ts';
import type { Logger } from '../core/logger.ts';
import { DomainError } from '../core/errors.ts';
import type { Roster } from './roster.ts';
import { requiredStaff, type ShiftPlan } from './shift-plan.ts';
import { localDateOf } from './zoned-time.ts';

/** A month's assignments: every shift its minimum per role (R2), the role's people in turn (by username). */
export function demoAssignments(plan: ShiftPlan, people: readonly UserView[], month: string): RosterAssignment[] {
  const byRole = new Map<Role, UserView[]>();
  for (const p of [...people].sort((a, b) => a.username.localeCompare(b.username))) byRole.set(p.role, [...(byRole.get(p.role) ?? []), p]);
  const turn = new Map<Role, number>();
  const out: RosterAssignment[] = [];
  for (const shift of plan.monthShifts(month)) {
    for (const [role, need] of requiredStaff(shift)) {
      const pool = byRole.get(role) ?? [];
      // Fewer people than the minimum leave a gap, and publishing refuses the month (R2).
      for (let i = 0; i < Math.min(need, pool.length); i++) {
        const next = turn.get(role) ?? 0;
        turn.set(role, next + 1);
        out.push({ date: shift.date, shiftId: shift.shiftId, username: pool[next % pool.length]!.username });
      }
    }
  }
  return out;
}

/** A roster month, `YYYY-MM`. */
const monthOf = (y: number, m: number): string => `${y}-${String(m).padStart(2, '0')}`;

/**
 * The months the demo needs: the current and the next one in the site's time zone, and the month of a shift
 * still running from the last day of the previous one (a night shift at 02:00 on the 1st).
 */
export function demoMonths(plan: ShiftPlan, now: number): string[] {
  const { y, m } = localDateOf(now, plan.timeZone);
  const running = plan.currentShifts(now).map((s) => s.date.slice(0, 7));
  return [...new Set([...running, monthOf(y, m), m === 12 ? monthOf(y + 1, 1) : monthOf(y, m + 1)])].sort();
}

/** Publishes the demo roster of each month that has none; returns the months it published. */
export function seedDemoRoster(deps: { roster: Roster; plan: ShiftPlan; now: number; logger: Logger }): string[] {
  const { roster, plan, logger } = deps;
  const published: string[] = [];
  if (plan.definitions.length === 0) return published;
  for (const month of demoMonths(plan, deps.now)) {
    try {
      const done = roster.publishCompiled(month, demoAssignments(plan, roster.people(), month), DEMO_SEED);
      if (done) published.push(month);
      else logger.info('demo roster: the month already has a roster; left as it is', { month });
    } catch (err) {
      // Too few demo users for a shift's minimum (R2): the demo runs on, without a roster for that month.
      if (!(err instanceof DomainError)) throw err;
      logger.warn('demo roster not published', { month, reason: err.message });
    }
  }
  if (published.length > 0) logger.info('demo roster published', { months: published });
  return published;
}
