// The duty log as the regulations want it kept (L1–L4): manual entries with an L2 category, corrections
// that never change the original (append-only: the correction is a new entry pointing at it), the log
// read as one page per shift with the rostered people, and the supervisor's daily signature.
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { DutyLog, NewDutyLogEntry } from '../sinks/duty-log/duty-log.ts';
import type { DutyLogEntryView, UserView } from '../contract/api.ts';
import type { CorrectionRequest, DutyLogDayView, EmergencyFormRequest, DutyLogPageView, NoteRequest, OpenItemsView, ResolveRequest, UnsignedDaysView } from '../contract/duty-journal.ts';
import type { ShiftPlan, ShiftInstance } from '../shifts/shift-plan.ts';
import type { Roster } from '../shifts/roster.ts';
import { can } from '../auth/permissions.ts';
import { DomainError } from '../core/errors.ts';
import { addDays, formatDate, formatSiteMinute, localDateOf, parseDate, zonedInstant } from '../shifts/zoned-time.ts';
import { correctionOf, correctionsSince, countBetween, entriesBetween, entryById, openItems, OPEN_UNTIL_RESOLVED } from './entries.ts';
import type { Attachments } from './attachments.ts';
import { firstStartOnRecord } from './gateway-run.ts';

export interface JournalDeps {
  store: Store;
  dutyLog: DutyLog;
  plan: ShiftPlan;
  roster: Roster;
  attachments: Attachments;
  clock: Clock;
  roomIds: ReadonlySet<string>;
  /** L4: the manager signs each day too, after the supervisor (site `dutyLog.managerSignature`). */
  managerSignature?: boolean;
}

export interface Journal {
  addNote(note: NoteRequest, by: UserView): DutyLogEntryView;
  correct(id: number, correction: CorrectionRequest, by: UserView): DutyLogEntryView;
  /** L3: the emergency handling form of a major event, an entry of its own that photos attach to. */
  addEmergencyForm(form: EmergencyFormRequest, by: UserView): DutyLogEntryView;
  /** Closes an open incident or follow-up with how and when (S5, S7); the note itself is never changed. */
  resolve(id: number, request: ResolveRequest, by: UserView): DutyLogEntryView;
  /** Incidents and follow-ups still open, however old. */
  openItems(): OpenItemsView;
  day(date: string): DutyLogDayView;
  sign(date: string, comment: string, by: UserView): DutyLogDayView;
  /** L4: the manager's signature of a day the supervisor has checked and signed, where the site asks for it. */
  countersign(date: string, comment: string, by: UserView): DutyLogDayView;
  /** Ended days of the last `days` without a signature (L4), newest first. */
  unsigned(days: number): UnsignedDaysView;
  /** [from, to) of a day's log: its shifts from the first start to the last end, or the local day. */
  dayRange(date: string): { from: number; to: number; shifts: ShiftInstance[] };
}

/** Late write-ups are allowed (L7: a night's event is written up the next day), within limits. */
const MAX_BACKDATE_MS = 7 * 86_400_000;
const MAX_AHEAD_MS = 60_000;

const bad = (message: string): DomainError => new DomainError('RW_INVALID_REQUEST', message, 400);

/** [from, to) of a day's log: its shifts from the first start to the last end (a night shift's next morning), or the local day. */
export function logDayRange(plan: ShiftPlan, date: string): { from: number; to: number; shifts: ShiftInstance[] } {
  const d = parseDate(date);
  if (!d) throw bad(`not a date: ${date}`);
  const shifts = plan.definitions.map((def) => plan.instance(date, def.id)!).sort((a, b) => a.start - b.start);
  if (shifts.length === 0) return { from: zonedInstant(d, 0, plan.timeZone), to: zonedInstant(addDays(d, 1), 0, plan.timeZone), shifts };
  return { from: Math.min(...shifts.map((s) => s.start)), to: Math.max(...shifts.map((s) => s.end)), shifts };
}

export function createJournal(deps: JournalDeps): Journal {
  const { store, dutyLog, plan, roster, clock, roomIds } = deps;
  const { db } = store;

  /** An event's own time: now by default, a little ahead at most, up to a week back (L7 write-ups). */
  const eventTime = (at: number | undefined, what: string): number => {
    const now = clock.now();
    const t = at ?? now;
    if (t > now + MAX_AHEAD_MS) throw bad(`${what} is in the future`);
    if (t < now - MAX_BACKDATE_MS) throw bad(`${what} is more than 7 days ago; write it as a new entry that says when it happened`);
    return t;
  };

  const noteParams = (n: NoteRequest, by: UserView): NonNullable<NewDutyLogEntry['params']> => {
    const occurredAt = eventTime(n.occurredAt, 'occurredAt');
    // L2: a complaint is logged with the complainant.
    if (n.category === 'complaint' && !n.complainant?.trim()) throw bad('a complaint needs the complainant (L2)');
    if (n.roomId !== undefined && !roomIds.has(n.roomId)) throw bad(`unknown room "${n.roomId}"`);
    return {
      category: n.category,
      occurredAt,
      situation: n.situation,
      handling: n.handling,
      followUp: n.followUp,
      complainant: n.complainant ?? null,
      major: n.major ?? false,
      resolved: n.resolved ?? false,
      user: by.displayName,
    };
  };

  const dayRange = (date: string): { from: number; to: number; shifts: ShiftInstance[] } => logDayRange(plan, date);

  const signatureOf = (table: 'duty_log_signoffs' | 'duty_log_countersigns', date: string): DutyLogDayView['signoff'] => {
    const s = db.prepare(`SELECT s.*, u.display_name FROM ${table} s JOIN users u ON u.username = s.signed_by WHERE date = ?`).get(date) as
      | { signed_by: string; display_name: string; signed_at: number; comment: string }
      | undefined;
    return s ? { by: s.signed_by, byName: s.display_name, at: s.signed_at, comment: s.comment } : null;
  };

  const day = (date: string): DutyLogDayView => {
    const { from, to, shifts } = dayRange(date);
    const pages = new Map<string, DutyLogPageView>(shifts.map((s) => [s.key, { shift: s, people: roster.staffOf(s), entries: [] }]));
    const loose: DutyLogPageView = { shift: null, people: [], entries: [] };
    // Shift-end entries are written just after the end; an hour's margin catches them. The shifts around
    // the day are computed once: time-zone arithmetic per entry would dominate a busy day.
    const around = plan.shiftsBetween(from, to + 3_600_000);
    const shiftAt = (ts: number): string | undefined => around.filter((s) => s.start <= ts && ts < s.end).at(-1)?.key;
    for (const e of entriesBetween(db, from, to + 3_600_000)) {
      const key = typeof e.params['shift'] === 'string' ? e.params['shift'] : shiftAt(e.ts);
      if (key !== undefined) pages.get(key)?.entries.push(e);
      else if (e.ts < to && formatDate(localDateOf(e.ts, plan.timeZone)) === date) loose.entries.push(e);
    }
    const all = [...pages.values(), ...(loose.entries.length > 0 ? [loose] : [])];
    const ids = all.flatMap((p) => p.entries.map((e) => e.id));
    const correctedBy = correctionsSince(db, from, new Set(ids));
    const sign = signatureOf('duty_log_signoffs', date);
    const counter = signatureOf('duty_log_countersigns', date);
    return {
      date,
      pages: all,
      correctedBy,
      attachments: deps.attachments.forEntries(ids),
      signoff: sign,
      countersignRequired: deps.managerSignature === true,
      countersign: counter,
    };
  };

  return {
    dayRange,
    day,

    addNote(note, by) {
      return dutyLog.append({ ts: clock.now(), kind: 'note.added', username: by.username, roomId: note.roomId ?? null, params: noteParams(note, by) });
    },

    addEmergencyForm(form, by) {
      const occurredAt = eventTime(form.occurredAt, 'occurredAt');
      if (form.relatesTo !== undefined) {
        const target = entryById(db, form.relatesTo);
        if (!target || (target.kind !== 'note.added' && target.kind !== 'note.corrected') || target.params['major'] !== true) throw bad(`entry ${form.relatesTo} is not a major event`);
      }
      return dutyLog.append({
        ts: clock.now(),
        kind: 'emergency.form',
        username: by.username,
        params: {
          relatesTo: form.relatesTo ?? null,
          occurredAt,
          occurredAtText: formatSiteMinute(occurredAt, plan.timeZone),
          place: form.place.trim(),
          situation: form.situation.trim(),
          actions: form.actions.trim(),
          people: form.people.trim(),
          result: form.result.trim(),
          user: by.displayName,
          rule: 'L3',
        },
      });
    },

    correct(id, correction, by) {
      const params = { ...noteParams(correction, by), corrects: id, reason: correction.reason };
      return store.transaction(() => {
        const target = entryById(db, id);
        if (!target) throw new DomainError('RW_NOT_FOUND', `no duty-log entry ${id}`, 404);
        if (target.kind !== 'note.added' && target.kind !== 'note.corrected') throw new DomainError('RW_NOT_CORRECTABLE', `entry ${id} (${target.kind}) was written by the gateway and cannot be corrected; add a note instead`, 409);
        if (target.username !== by.username && !can('dutyLog.editOthers', by.role)) throw new DomainError('RW_FORBIDDEN', 'only the author or a supervisor may correct an entry', 403);
        const newer = correctionOf(db, id);
        if (newer !== null) throw new DomainError('RW_ALREADY_CORRECTED', `entry ${id} was already corrected by entry ${newer}; correct that one`, 409);
        return dutyLog.insert({ ts: clock.now(), kind: 'note.corrected', username: by.username, roomId: correction.roomId ?? null, params });
      });
    },

    resolve(id, request, by) {
      const how = request.how.trim();
      if (how === '') throw bad('say how it was resolved');
      const resolvedAt = eventTime(request.resolvedAt, 'resolvedAt');
      return store.transaction(() => {
        const target = entryById(db, id);
        if (!target) throw new DomainError('RW_NOT_FOUND', `no duty-log entry ${id}`, 404);
        if (target.kind !== 'note.added' && target.kind !== 'note.corrected' && !OPEN_UNTIL_RESOLVED.includes(target.kind)) throw new DomainError('RW_NOT_CORRECTABLE', `entry ${id} (${target.kind}) is not an incident or a follow-up`, 409);
        const newer = correctionOf(db, id);
        if (newer !== null) throw new DomainError('RW_ALREADY_CORRECTED', `entry ${id} was corrected by entry ${newer}; resolve that one`, 409);
        if (!openItems(db).some((e) => e.id === id)) throw new DomainError('RW_INVALID_REQUEST', `entry ${id} is not open (already resolved, or neither a major event nor a follow-up)`, 409);
        const occurredAt = typeof target.params['occurredAt'] === 'number' ? target.params['occurredAt'] : target.ts;
        if (resolvedAt < occurredAt) throw bad('resolvedAt is before the event itself');
        return dutyLog.insert({
          ts: clock.now(),
          kind: 'note.resolved',
          username: by.username,
          roomId: target.roomId,
          params: { resolves: id, how, resolvedAt, resolvedAtText: formatSiteMinute(resolvedAt, plan.timeZone), situation: String(target.params['situation'] ?? ''), major: target.params['major'] === true, user: by.displayName },
        });
      });
    },

    openItems() {
      return { items: openItems(db) };
    },

    sign(date, comment, by) {
      if (!can('dutyLog.sign', by.role)) throw new DomainError('RW_FORBIDDEN', 'only a supervisor signs the duty log (L4; a manager counts as one)', 403);
      const { to } = dayRange(date);
      if (clock.now() < to) throw bad(`the log of ${date} is still being written (until ${new Date(to).toISOString()}); sign it once its last shift has ended`);
      store.transaction(() => {
        if (db.prepare('SELECT 1 FROM duty_log_signoffs WHERE date = ?').get(date)) throw new DomainError('RW_ALREADY_SIGNED', `the log of ${date} is already signed`, 409);
        const e = dutyLog.insert({ ts: clock.now(), kind: 'log.signed', username: by.username, params: { date, comment, user: by.displayName } });
        db.prepare('INSERT INTO duty_log_signoffs (date, signed_by, signed_at, comment, entry_id) VALUES (?, ?, ?, ?, ?)').run(date, by.username, e.ts, comment, e.id);
      });
      return day(date);
    },

    countersign(date, comment, by) {
      if (deps.managerSignature !== true) throw new DomainError('RW_INVALID_REQUEST', 'this site does not ask for the manager\'s signature (dutyLog.managerSignature)', 409);
      if (!can('dutyLog.countersign', by.role)) throw new DomainError('RW_FORBIDDEN', 'the manager in charge signs here (L4)', 403);
      store.transaction(() => {
        const first = db.prepare('SELECT signed_by FROM duty_log_signoffs WHERE date = ?').get(date) as { signed_by: string } | undefined;
        if (!first) throw new DomainError('RW_INVALID_REQUEST', `the log of ${date} is not yet checked and signed by a supervisor`, 409);
        // Two signatures are two people: a manager who did the check as supervisor does not sign again.
        if (first.signed_by === by.username) throw new DomainError('RW_FORBIDDEN', `${by.displayName} already signed the log of ${date}; the second signature is someone else's (L4)`, 403);
        if (db.prepare('SELECT 1 FROM duty_log_countersigns WHERE date = ?').get(date)) throw new DomainError('RW_ALREADY_SIGNED', `the manager has already signed the log of ${date}`, 409);
        const e = dutyLog.insert({ ts: clock.now(), kind: 'log.countersigned', username: by.username, params: { date, comment, user: by.displayName, rule: 'L4' } });
        db.prepare('INSERT INTO duty_log_countersigns (date, signed_by, signed_at, comment, entry_id) VALUES (?, ?, ?, ?, ?)').run(date, by.username, e.ts, comment, e.id);
      });
      return day(date);
    },

    unsigned(days) {
      const signed = new Set((db.prepare('SELECT date FROM duty_log_signoffs').all() as { date: string }[]).map((r) => r.date));
      const countersigned = new Set((db.prepare('SELECT date FROM duty_log_countersigns').all() as { date: string }[]).map((r) => r.date));
      const now = clock.now();
      // A day over before the site first started had no gateway to write its log: nobody is asked to sign it (a new
      // install owes no signatures). One a supervisor signed anyway still waits for the manager's, as any other.
      const firstStart = firstStartOnRecord(store) ?? Number.NEGATIVE_INFINITY;
      const result: UnsignedDaysView['days'] = [];
      let d = localDateOf(now, plan.timeZone);
      for (let n = 0; n <= days; n++, d = addDays(d, -1)) {
        const date = formatDate(d);
        const { from, to } = dayRange(date);
        const awaiting = !signed.has(date) ? 'supervisor' : deps.managerSignature === true && !countersigned.has(date) ? 'manager' : null;
        if (to > now || awaiting === null || (awaiting === 'supervisor' && to <= firstStart)) continue;
        result.push({ date, entries: countBetween(db, from, to), awaiting });
      }
      return { days: result };
    },
  };
}
