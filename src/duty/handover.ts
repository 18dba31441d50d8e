// The handover between shifts (交接班, S3–S7). The screen gathers what the outgoing shift hands over (S4);
// the handover is refused, with its reasons, while an incident is being handled, major equipment is
// starting or stopping, the checklist is incomplete, fewer incoming people than the minimum are present,
// or an incoming person is unfit with no substitute (S5). The outgoing person signs in their session,
// the incoming person then signs with their own password; until then the outgoing shift stays open (S6).
// Late handovers are flagged in the duty log.
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type { DutyLog, NewDutyLogEntry } from '../sinks/duty-log/duty-log.ts';
import type { AlarmService } from '../alarms/alarm-service.ts';
import type { DutyLogEntryView, Role, UserView } from '../contract/api.ts';
import type { EquipmentModeView, HandoverRecordView, HandoverView, IncomingSignRequest, OutgoingSignRequest, Refusal } from '../contract/handover.ts';
import type { HandoverConfig } from './handover-config.ts';
import type { PlaybookView } from '../contract/playbooks.ts';
import type { ShiftInstance, ShiftPlan } from '../shifts/shift-plan.ts';
import { requiredStaff } from '../shifts/shift-plan.ts';
import type { Roster } from '../shifts/roster.ts';
import { can } from '../auth/permissions.ts';
import { DomainError } from '../core/errors.ts';
import { verifyOrDummy } from '../auth/passwords.ts';
import { entriesBetween, openItems } from './entries.ts';
import { firstStartOnRecord } from './gateway-run.ts';

export interface HandoverDeps {
  store: Store;
  dutyLog: DutyLog;
  plan: ShiftPlan;
  roster: Roster;
  alarms: Pick<AlarmService, 'open' | 'tags'>;
  latestReadings: () => readonly Reading[];
  /** S4: operating modes of key equipment now. */
  equipmentModes?: () => EquipmentModeView[];
  config: HandoverConfig | undefined;
  /** E1–E4 playbooks still open: incidents being handled (S5). */
  openPlaybooks?: () => PlaybookView[];
  clock: Clock;
  logger: Logger;
}

export type SignResult = { ok: true; record: HandoverRecordView } | { ok: false; refusals: Refusal[] };

export interface Handover {
  view(): HandoverView;
  signOutgoing(request: OutgoingSignRequest, by: UserView): SignResult;
  signIncoming(request: IncomingSignRequest): Promise<SignResult>;
  /** S3: an incoming person reports arrival; the time goes on record (once per shift). */
  arrive(by: UserView): HandoverView;
  /**
   * Writes handover.late once for every recent shift whose handover is overdue; returns how many. Shifts that
   * ended before `watchedSince` (the site's first start) had no gateway to hand over on and are skipped.
   */
  flagLate(watchedSince?: number): number;
  /** The handover record of a shift (as the outgoing one), or null. */
  recordFor(shiftKey: string): HandoverRecordView | null;
}

interface Row {
  id: number;
  shift_key: string;
  next_shift_key: string | null;
  state: HandoverRecordView['state'];
  outgoing_user: string;
  outgoing_signed_at: number;
  incoming_user: string | null;
  incoming_signed_at: number | null;
  checklist: string;
  present: string;
  unfit: string;
  note: string;
}

const MINUTE = 60_000;
const isNote = (e: DutyLogEntryView): boolean => e.kind === 'note.added' || e.kind === 'note.corrected';

export function createHandover(deps: HandoverDeps): Handover {
  const { store, dutyLog, plan, roster, alarms, clock, logger } = deps;
  const { db } = store;
  const config = deps.config ?? { checklist: [] };
  const lateMs = (config.lateAfterMinutes ?? 15) * MINUTE;
  const opensMs = (config.opensMinutesBefore ?? 60) * MINUTE;
  const quietMs = (config.equipmentQuietMinutes ?? 15) * MINUTE;

  const nameOf = (username: string | null): string | null =>
    username === null ? null : ((db.prepare('SELECT display_name FROM users WHERE username = ?').get(username) as { display_name: string } | undefined)?.display_name ?? username);
  const rowFor = (shiftKey: string): Row | undefined => db.prepare('SELECT * FROM handovers WHERE shift_key = ?').get(shiftKey) as Row | undefined;
  const isLate = (shift: ShiftInstance, row: Row | undefined, now: number): boolean => {
    const done = row?.state === 'completed' ? row.incoming_signed_at! : now;
    // A shift that ended before the site first started had no gateway to hand over on: not late (first run).
    return done > shift.end + lateMs && shift.end > (firstStartOnRecord(store) ?? Number.NEGATIVE_INFINITY);
  };
  const record = (r: Row, shift: ShiftInstance | null): HandoverRecordView => ({
    id: r.id,
    shiftKey: r.shift_key,
    nextShiftKey: r.next_shift_key,
    state: r.state,
    outgoing: r.outgoing_user,
    outgoingName: nameOf(r.outgoing_user)!,
    outgoingSignedAt: r.outgoing_signed_at,
    incoming: r.incoming_user,
    incomingName: nameOf(r.incoming_user),
    incomingSignedAt: r.incoming_signed_at,
    checklist: JSON.parse(r.checklist) as Record<string, boolean>,
    present: JSON.parse(r.present) as string[],
    unfit: JSON.parse(r.unfit) as HandoverRecordView['unfit'],
    note: r.note,
    late: shift ? isLate(shift, r, clock.now()) : false,
  });

  /** S3: the shift being handed over: the latest one that has started and ends within the opening window. */
  const outgoingShift = (now: number): ShiftInstance | null =>
    plan
      .shiftsBetween(now - 36 * 3_600_000, now + 1)
      .filter((s) => s.start <= now && s.end <= now + opensMs && s.end > now - 12 * 3_600_000)
      .sort((a, b) => b.end - a.end)[0] ?? null;

  /** The shift taking over: the one starting closest to the outgoing shift's end. */
  const incomingShift = (out: ShiftInstance): ShiftInstance | null =>
    plan
      .shiftsBetween(out.end - 3_600_000, out.end + 12 * 3_600_000)
      .filter((s) => s.key !== out.key && s.start > out.start)
      .sort((a, b) => Math.abs(a.start - out.end) - Math.abs(b.start - out.end))[0] ?? null;

  /** The latest version of every manual entry of the last week (corrections replace what they correct). */
  const currentNotes = (now: number): DutyLogEntryView[] => {
    const notes = entriesBetween(db, now - 7 * 86_400_000, now + 1).filter(isNote);
    const replaced = new Set(notes.map((e) => e.params['corrects']).filter((v): v is number => typeof v === 'number'));
    return notes.filter((e) => !replaced.has(e.id));
  };

  /** S5 refusals that hold whatever the outgoing person declares. */
  const standingRefusals = (now: number): Refusal[] => {
    const refusals: Refusal[] = [];
    const incidents = openItems(db).filter((e) => e.params['major'] === true);
    if (incidents.length > 0) refusals.push({ code: 'incidentOpen', params: { count: incidents.length, first: String(incidents[0]!.params['situation'] ?? '') } });
    const playbooks = deps.openPlaybooks?.() ?? [];
    if (playbooks.length > 0) refusals.push({ code: 'playbookOpen', params: { count: playbooks.length, first: playbooks[0]!.situation, rule: playbooks[0]!.rule } });
    const latest = new Map(deps.latestReadings().map((r) => [r.pointKey, r]));
    for (const m of config.majorEquipment ?? []) {
      const r = latest.get(m.point);
      if (r && r.quality === 'good' && r.value !== null && m.transitional.includes(r.value)) refusals.push({ code: 'equipmentTransition', params: { point: m.point, value: String(r.value) } });
    }
    // Starting or stopping, not an hourly run log or a mode change: those are no transition to wait for.
    const recent = entriesBetween(db, now - quietMs, now + 1).filter((e) => e.kind === 'equipment.started' || e.kind === 'equipment.stopped');
    if (recent.length > 0) refusals.push({ code: 'equipmentRecent', params: { minutes: quietMs / MINUTE, kind: recent.at(-1)!.kind } });
    return refusals;
  };

  /** The incoming team as declared: rostered and present, unfit people replaced by their substitutes. */
  const incomingTeam = (incoming: ShiftInstance | null, req: Pick<OutgoingSignRequest, 'present' | 'unfit'>): { team: UserView[]; refusals: Refusal[] } => {
    const refusals: Refusal[] = [];
    const rostered = incoming ? roster.staffOf(incoming) : [];
    const unfit = new Map(req.unfit.map((u) => [u.username, u.substitute]));
    const team: UserView[] = [];
    for (const u of rostered) {
      if (!req.present.includes(u.username)) continue;
      if (!unfit.has(u.username)) team.push(u);
    }
    for (const [username, substitute] of unfit) {
      const sub = substitute ? roster.person(substitute) : null;
      if (!sub) refusals.push({ code: 'unfitNoSubstitute', params: { user: nameOf(username) ?? username } });
      else team.push(sub);
    }
    if (incoming) {
      for (const [role, need] of requiredStaff(incoming)) {
        const have = team.filter((u) => u.role === role).length;
        if (have < need) refusals.push({ code: 'understaffed', params: { role, need, have } });
      }
    }
    return { team, refusals };
  };

  /** S3: who of the incoming shift reported arrival, and when. */
  const arrivalsFor = (inc: ShiftInstance): HandoverView['arrivals'] =>
    entriesBetween(db, inc.start - 12 * 3_600_000, inc.end)
      .filter((e) => e.kind === 'handover.arrived' && e.params['shift'] === inc.key && e.username !== null)
      .map((e) => ({ username: e.username!, name: String(e.params['user'] ?? e.username), at: e.ts, minutesEarly: Math.round((inc.start - e.ts) / MINUTE) }));

  const log = (entry: Omit<NewDutyLogEntry, 'ts'>): void => {
    dutyLog.append({ ts: clock.now(), ...entry });
  };
  const refuse = (refusals: Refusal[], shift: ShiftInstance, by: UserView, side: 'outgoing' | 'incoming'): SignResult => {
    log({ kind: 'handover.refused', username: by.username, params: { shift: shift.key, side, reasons: refusals.map((r) => r.code).join(', '), user: by.displayName } });
    return { ok: false, refusals };
  };

  return {
    view() {
      const now = clock.now();
      const out = outgoingShift(now);
      const inc = out ? incomingShift(out) : null;
      const row = out ? rowFor(out.key) : undefined;
      const notes = currentNotes(now);
      const open = (e: DutyLogEntryView) => e.params['resolved'] !== true;
      // S5/S7: incidents and follow-ups stay until someone closes them, whichever shift wrote them.
      const items = openItems(db);
      return {
        now,
        outgoing: out,
        incoming: inc,
        outgoingPeople: out ? roster.staffOf(out) : [],
        incomingPeople: inc ? roster.staffOf(inc) : [],
        people: roster.people(),
        openAlarms: alarms.open(),
        arrivals: inc ? arrivalsFor(inc) : [],
        // R3: whoever is still inside a machine room is handed over with the escort responsible.
        visitorsInside: (db.prepare('SELECT visitor, organisation, room_id, escort, in_at FROM room_entries WHERE out_at IS NULL ORDER BY in_at').all() as { visitor: string; organisation: string; room_id: string; escort: string; in_at: number }[]).map((r) => ({ visitor: r.visitor, organisation: r.organisation, roomId: r.room_id, escort: r.escort, inAt: r.in_at })),
        // S4: maintenance and isolation tags in force (or awaiting approval), handed over with their planned end.
        activeTags: alarms.tags(),
        openIncidents: items.filter((e) => e.params['major'] === true),
        openPlaybooks: deps.openPlaybooks?.() ?? [],
        // S7: follow-ups not yet done are handed over by name, shift after shift, until closed.
        unfinishedTasks: items.filter((e) => e.params['major'] !== true),
        // S4: every major issue of the shift, solved or not: the ones closed during it, with how.
        resolvedItems: out ? entriesBetween(db, out.start, now + 1).filter((e) => e.kind === 'note.resolved') : [],
        equipmentChanges: out ? entriesBetween(db, out.start, now + 1).filter((e) => e.kind.startsWith('equipment.')) : [],
        equipmentModes: deps.equipmentModes?.() ?? [],
        instructions: notes.filter((e) => e.params['category'] === 'instruction' && open(e)),
        checklist: config.checklist,
        refusals: standingRefusals(now),
        record: row ? record(row, out) : null,
        late: out ? isLate(out, row, now) : false,
      };
    },

    arrive(by) {
      const now = clock.now();
      const out = outgoingShift(now);
      const inc = out ? incomingShift(out) : null;
      if (!inc || !roster.staffOf(inc).some((u) => u.username === by.username)) throw new DomainError('RW_HANDOVER_STATE', `${by.username} is not rostered on the shift being taken over now`, 409);
      if (!arrivalsFor(inc).some((a) => a.username === by.username)) {
        log({ kind: 'handover.arrived', username: by.username, params: { shift: inc.key, minutesEarly: Math.round((inc.start - now) / MINUTE), user: by.displayName } });
      }
      return this.view();
    },

    signOutgoing(req, by) {
      const now = clock.now();
      const out = outgoingShift(now);
      if (!out || out.key !== req.shiftKey) throw new DomainError('RW_HANDOVER_STATE', `no handover of ${req.shiftKey} is due now${out ? ` (due: ${out.key})` : ''}`, 409);
      if (!can('handover.signForOthers', by.role) && !roster.staffOf(out).some((u) => u.username === by.username)) throw new DomainError('RW_FORBIDDEN', `only the people rostered on ${out.key} (or a supervisor) hand it over`, 403);
      if (rowFor(out.key)) throw new DomainError('RW_HANDOVER_STATE', `${out.key} is already signed by the outgoing shift`, 409);
      const inc = incomingShift(out);
      const missing = config.checklist.filter((item) => req.checklist[item.id] !== true).map((item) => item.id);
      const refusals = [...standingRefusals(now), ...(missing.length > 0 ? [{ code: 'checklistIncomplete' as const, params: { missing: missing.join(', '), count: missing.length } }] : []), ...incomingTeam(inc, req).refusals];
      if (refusals.length > 0) return refuse(refusals, out, by, 'outgoing');
      const row = store.transaction(() => {
        const r = db
          .prepare(
            `INSERT INTO handovers (shift_key, next_shift_key, state, outgoing_user, outgoing_signed_at, checklist, present, unfit, note)
             VALUES (?, ?, 'awaitingIncoming', ?, ?, ?, ?, ?, ?) RETURNING *`,
          )
          .get(out.key, inc?.key ?? null, by.username, now, JSON.stringify(req.checklist), JSON.stringify(req.present), JSON.stringify(req.unfit), req.note) as unknown as Row;
        return r;
      });
      log({ kind: 'handover.outgoingSigned', username: by.username, params: { shift: out.key, next: inc?.key ?? null, note: req.note, user: by.displayName } });
      return { ok: true, record: record(row, out) };
    },

    async signIncoming(req) {
      const row = db.prepare('SELECT * FROM handovers WHERE id = ?').get(req.handoverId) as Row | undefined;
      if (!row) throw new DomainError('RW_NOT_FOUND', `no handover ${req.handoverId}`, 404);
      if (row.state !== 'awaitingIncoming') throw new DomainError('RW_HANDOVER_STATE', `handover ${row.id} is already completed`, 409);
      // S6: the incoming person signs with their own credentials, whoever's console it is.
      const user = db.prepare('SELECT username, display_name, role, password_hash FROM users WHERE username = ? AND active = 1').get(req.username) as
        | { username: string; display_name: string; role: Role; password_hash: string }
        | undefined;
      // Issue 13 medium 4: an unknown user costs the same hash as a wrong password, and both get the same answer.
      if (!(await verifyOrDummy(req.password, user?.password_hash)) || !user) {
        logger.warn('handover signature refused: bad credentials', { handover: row.id, username: req.username });
        throw new DomainError('RW_BAD_CREDENTIALS', 'unknown user or wrong password', 403);
      }
      const by: UserView = { username: user.username, displayName: user.display_name, role: user.role };
      const out = plan.instance(row.shift_key.slice(0, 10), row.shift_key.slice(11));
      const inc = row.next_shift_key ? plan.instance(row.next_shift_key.slice(0, 10), row.next_shift_key.slice(11)) : null;
      if (!out) throw new DomainError('RW_HANDOVER_STATE', `shift ${row.shift_key} is no longer configured`, 409);
      if (by.username === row.outgoing_user) throw new DomainError('RW_FORBIDDEN', 'the incoming person signs, not the outgoing one', 403);
      const { team } = incomingTeam(inc, { present: JSON.parse(row.present) as string[], unfit: JSON.parse(row.unfit) as OutgoingSignRequest['unfit'] });
      if (!team.some((u) => u.username === by.username)) throw new DomainError('RW_FORBIDDEN', `${by.username} is not in the incoming team of ${row.next_shift_key ?? 'the next shift'}`, 403);
      const now = clock.now();
      const refusals = standingRefusals(now);
      if (refusals.length > 0) return refuse(refusals, out, by, 'incoming');
      const done = store.transaction(() => {
        const r = db
          .prepare(`UPDATE handovers SET state = 'completed', incoming_user = ?, incoming_signed_at = ? WHERE id = ? AND state = 'awaitingIncoming' RETURNING *`)
          .get(by.username, now, row.id) as Row | undefined;
        if (!r) throw new DomainError('RW_HANDOVER_STATE', `handover ${row.id} is already completed`, 409);
        return r;
      });
      const late = isLate(out, done, now);
      log({ kind: 'handover.completed', username: by.username, params: { shift: out.key, next: row.next_shift_key, outgoing: nameOf(row.outgoing_user), incoming: by.displayName, late, user: by.displayName } });
      return { ok: true, record: record(done, out) };
    },

    recordFor(shiftKey) {
      const row = rowFor(shiftKey);
      return row ? record(row, plan.instance(shiftKey.slice(0, 10), shiftKey.slice(11))) : null;
    },

    flagLate(watchedSince = Number.NEGATIVE_INFINITY) {
      const now = clock.now();
      let flagged = 0;
      for (const s of plan.shiftsBetween(now - 24 * 3_600_000, now + 1)) {
        if (s.end + lateMs > now || s.end <= watchedSince) continue;
        const row = rowFor(s.key);
        if (row?.state === 'completed' && !isLate(s, row, now)) continue;
        const entry = store.transaction(() => {
          if (db.prepare(`SELECT 1 FROM shift_marks WHERE shift_key = ? AND event = 'handover-late'`).get(s.key)) return null;
          const e = dutyLog.insert({ ts: now, kind: 'handover.late', params: { shift: s.key, state: row?.state ?? 'missing', minutes: Math.round((now - s.end) / MINUTE) } });
          db.prepare(`INSERT INTO shift_marks (shift_key, event, entry_id) VALUES (?, 'handover-late', ?)`).run(s.key, e.id);
          return e;
        });
        if (entry) flagged++;
      }
      return flagged;
    },
  };
}
