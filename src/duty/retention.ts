// L5: duty records are kept for 2 years (001 SOP (一)5(6)); older ones are removed by this job, which
// removes nothing younger than the retention, and says what it removed (in the log and as a duty-log
// entry). Run by `npm run retention -- --config <site.yaml> [--dry-run]` (e.g. from a daily cron/timer).
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import type { Attachments } from './attachments.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import { addDays, formatDate, localDateOf, type LocalDate } from '../shifts/zoned-time.ts';
import { logDayRange } from './journal.ts';

export const RETENTION_YEARS = 2;

export interface RetentionResult {
  /** Records strictly older than this instant were (or, in a dry run, would be) removed. */
  cutoff: number;
  entries: number;
  attachments: number;
  signoffs: number;
  rosterMonths: number;
  dryRun: boolean;
}

/** The same calendar day and time, `years` earlier (29 February falls back to 1 March). */
export function retentionCutoff(now: number, years = RETENTION_YEARS): number {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.getTime();
}

/**
 * The last site day whose whole log lies before the cutoff: its night shift included, which ends the next
 * morning (S2). Sign-offs of this day and before go, and roster months that end by it.
 */
export function lastDayGone(cutoff: number, plan: ShiftPlan): LocalDate {
  // A site day (L6): the UTC date is a day off the site's for hours of every day.
  let day = addDays(localDateOf(cutoff, plan.timeZone), -1);
  while (logDayRange(plan, formatDate(day)).to > cutoff) day = addDays(day, -1);
  return day;
}

export function purgeExpired(
  deps: { store: Store; dutyLog: DutyLog; attachments: Attachments; clock: Clock; logger: Logger; /** The site's days and shifts. */ plan: ShiftPlan },
  dryRun = false,
): RetentionResult {
  const { store, dutyLog, attachments, clock, logger } = deps;
  const { db } = store;
  const cutoff = retentionCutoff(clock.now());
  // Day and month keys compare as text; a whole day/month goes only once all of its log is past the cutoff.
  const last = lastDayGone(cutoff, deps.plan);
  const lastDay = formatDate(last);
  const cutoffMonth = formatDate(addDays(last, 1)).slice(0, 7); // the months before it end by the last day gone

  // A5: the chain's new first link, recorded in the retention entry so verify-journal accepts the cut (and only it).
  let anchor: { firstKeptId: number; anchorHash: string } | null = null;
  const result = store.transaction((): RetentionResult => {
    const ids = (db.prepare('SELECT id FROM duty_log WHERE ts < ? ORDER BY id').all(cutoff) as { id: number }[]).map((r) => r.id);
    const counts = {
      attachments: (db.prepare(`SELECT count(*) AS n FROM duty_log_attachments WHERE entry_id IN (SELECT id FROM duty_log WHERE ts < ?)`).get(cutoff) as { n: number }).n,
      signoffs: (db.prepare('SELECT count(*) AS n FROM duty_log_signoffs WHERE date <= ?').get(lastDay) as { n: number }).n,
      rosterMonths: (db.prepare('SELECT count(*) AS n FROM roster_months WHERE month < ?').get(cutoffMonth) as { n: number }).n,
    };
    if (!dryRun) {
      for (let i = 0; i < ids.length; i += 500) attachments.removeForEntries(ids.slice(i, i + 500));
      db.prepare('DELETE FROM shift_marks WHERE entry_id IN (SELECT id FROM duty_log WHERE ts < ?)').run(cutoff);
      db.prepare('DELETE FROM duty_log_signoffs WHERE date <= ?').run(lastDay);
      db.prepare('DELETE FROM patrol_overdue WHERE entry_id IN (SELECT id FROM duty_log WHERE ts < ?)').run(cutoff);
      db.prepare('DELETE FROM duty_log WHERE ts < ?').run(cutoff);
      const first = db.prepare('SELECT id, prev_hash FROM duty_log ORDER BY id LIMIT 1').get() as { id: number; prev_hash: string } | undefined;
      if (first && ids.length > 0) anchor = { firstKeptId: first.id, anchorHash: first.prev_hash };
      db.prepare('DELETE FROM patrol_rounds WHERE ts < ?').run(cutoff);
      db.prepare('DELETE FROM handovers WHERE outgoing_signed_at < ?').run(cutoff);
      db.prepare('DELETE FROM room_entries WHERE in_at < ? AND out_at IS NOT NULL').run(cutoff);
      db.prepare(`DELETE FROM playbook_steps WHERE playbook_id IN (SELECT id FROM playbooks WHERE state = 'closed' AND closed_at < ?)`).run(cutoff);
      db.prepare(`DELETE FROM playbooks WHERE state = 'closed' AND closed_at < ?`).run(cutoff);
      db.prepare('DELETE FROM roster_swaps WHERE month < ?').run(cutoffMonth);
      db.prepare('DELETE FROM roster_assignments WHERE month < ?').run(cutoffMonth);
      db.prepare('DELETE FROM roster_months WHERE month < ?').run(cutoffMonth);
    }
    return { cutoff, entries: ids.length, ...counts, dryRun };
  });

  logger.info(dryRun ? 'retention dry run: would remove' : 'retention removed', { ...result, cutoffIso: new Date(cutoff).toISOString() });
  if (!dryRun && result.entries + result.signoffs + result.rosterMonths > 0) {
    dutyLog.append({ ts: clock.now(), kind: 'retention.purged', params: { before: new Date(cutoff).toISOString(), entries: result.entries, attachments: result.attachments, signoffs: result.signoffs, rosterMonths: result.rosterMonths, ...(anchor ?? {}) } });
  }
  return result;
}
