// Reading the duty log by time and kind for pages, corrections and sign-offs. Reads only: every entry is
// written through the DutyLog service (insert/append), so it joins the journal's hash chain.
import type { DatabaseSync } from 'node:sqlite';
import type { DutyLogEntryView } from '../contract/api.ts';
import { toView } from '../sinks/duty-log/duty-log.ts';

type Row = Parameters<typeof toView>[0];

export function entriesBetween(db: DatabaseSync, from: number, to: number): DutyLogEntryView[] {
  return (db.prepare('SELECT * FROM duty_log WHERE ts >= ? AND ts < ? ORDER BY id').all(from, to) as unknown as Row[]).map(toView);
}

export function entryById(db: DatabaseSync, id: number): DutyLogEntryView | null {
  const row = db.prepare('SELECT * FROM duty_log WHERE id = ?').get(id) as Row | undefined;
  return row ? toView(row) : null;
}

/** The correction that replaces an entry, if any (a correction is itself an entry, L1 append-only). */
export function correctionOf(db: DatabaseSync, id: number): number | null {
  const row = db.prepare(`SELECT id FROM duty_log WHERE kind = 'note.corrected' AND json_extract(params, '$.corrects') = ? ORDER BY id LIMIT 1`).get(id) as { id: number } | undefined;
  return row?.id ?? null;
}

/** entry id → the correction replacing it, for corrections written since `from` (a correction is always younger than what it corrects). */
export function correctionsSince(db: DatabaseSync, from: number, of: ReadonlySet<number>): Record<string, number> {
  const rows = db.prepare(`SELECT id, json_extract(params, '$.corrects') AS corrects FROM duty_log WHERE ts >= ? AND kind = 'note.corrected' ORDER BY id`).all(from) as { id: number; corrects: number }[];
  const found: Record<string, number> = {};
  for (const r of rows) if (of.has(r.corrects) && found[String(r.corrects)] === undefined) found[String(r.corrects)] = r.id;
  return found;
}

export function countBetween(db: DatabaseSync, from: number, to: number): number {
  return (db.prepare('SELECT count(*) AS n FROM duty_log WHERE ts >= ? AND ts < ?').get(from, to) as { n: number }).n;
}

/**
 * Incidents (major notes) and follow-ups not yet closed, however old (S5, S7: kept until closed): the latest
 * version of each manual note (corrections replace what they correct) that is major or has a follow-up, was not
 * written as resolved, and has no `note.resolved` entry. Oldest first.
 */
export function openItems(db: DatabaseSync): DutyLogEntryView[] {
  const rows = db
    .prepare(
      `SELECT * FROM duty_log n
       WHERE n.kind IN ('note.added', 'note.corrected')
         AND (json_extract(n.params, '$.major') = 1 OR trim(coalesce(json_extract(n.params, '$.followUp'), '')) <> '')
         AND coalesce(json_extract(n.params, '$.category'), '') <> 'instruction'
         AND coalesce(json_extract(n.params, '$.resolved'), 0) = 0
         AND NOT EXISTS (SELECT 1 FROM duty_log c WHERE c.kind = 'note.corrected' AND json_extract(c.params, '$.corrects') = n.id)
         AND NOT EXISTS (SELECT 1 FROM duty_log r WHERE r.kind = 'note.resolved' AND json_extract(r.params, '$.resolves') = n.id)
       ORDER BY n.id`,
    )
    .all() as unknown as Row[];
  return rows.map(toView);
}
