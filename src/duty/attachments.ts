// Photos and documents of major events (L3), stored locally under <dataDir>/attachments. Only images
// (JPEG, PNG, WebP) and PDF are accepted, recognised by their magic bytes, not by the name or the
// declared type alone; size is limited. Each upload is itself a duty-log entry (who, when, SHA-256), so
// the record of attachments is append-only and joins the journal's chain.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import type { UserView } from '../contract/api.ts';
import type { AttachmentView } from '../contract/duty-journal.ts';
import { DomainError } from '../core/errors.ts';
import { can } from '../auth/permissions.ts';
import { entryById } from './entries.ts';

export const MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_ENTRY = 10;

/** Signatures: JPEG (JFIF/Exif SOI), PNG (RFC 2083 §12.11), WebP (RIFF....WEBP), PDF (ISO 32000 §7.5.2). */
const kinds: { type: string; ext: string; test: (b: Buffer) => boolean }[] = [
  { type: 'image/jpeg', ext: 'jpg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', ext: 'png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/webp', ext: 'webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
  { type: 'application/pdf', ext: 'pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
];
export const attachmentTypes = kinds.map((k) => k.type);

export interface Attachments {
  add(entryId: number, file: { name: string; contentType: string; bytes: Buffer }, by: UserView): AttachmentView;
  forEntries(entryIds: readonly number[]): AttachmentView[];
  read(id: number): { view: AttachmentView; bytes: Buffer } | null;
  /** Retention (L5): removes the rows and files of these entries' attachments; returns how many. */
  removeForEntries(entryIds: readonly number[]): number;
}

interface Row {
  id: number;
  entry_id: number;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_by: string;
  uploaded_at: number;
}

const view = (r: Row): AttachmentView => ({
  id: r.id,
  entryId: r.entry_id,
  fileName: r.file_name,
  contentType: r.content_type,
  size: r.size,
  sha256: r.sha256,
  uploadedBy: r.uploaded_by,
  uploadedAt: r.uploaded_at,
});

const refuse = (message: string, status = 415): DomainError => new DomainError('RW_ATTACHMENT_REFUSED', message, status);

export function createAttachments(deps: { store: Store; dutyLog: DutyLog; clock: Clock; dataDir: string }): Attachments {
  const { store, dutyLog, clock } = deps;
  const { db } = store;
  const dir = join(deps.dataDir, 'attachments');
  const fileOf = (r: Pick<Row, 'id' | 'content_type'>): string => join(dir, `${r.id}.${kinds.find((k) => k.type === r.content_type)?.ext ?? 'bin'}`);
  const rowsFor = (ids: readonly number[]): Row[] =>
    ids.length === 0 ? [] : (db.prepare(`SELECT * FROM duty_log_attachments WHERE entry_id IN (${ids.map(() => '?').join(',')}) ORDER BY id`).all(...ids) as unknown as Row[]);

  return {
    add(entryId, file, by) {
      const detected = kinds.find((k) => k.test(file.bytes));
      if (!detected) throw refuse('only JPEG, PNG or WebP photos and PDF documents are accepted (checked by content)');
      if (detected.type !== file.contentType.split(';')[0]!.trim().toLowerCase()) throw refuse(`the file is ${detected.type} but was sent as ${file.contentType}`);
      if (file.bytes.length > MAX_ATTACHMENT_BYTES) throw refuse(`larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MiB`, 413);
      const name = basename(file.name.replace(/\\/g, '/')).replace(/["]/g, '').replace(/\p{Cc}/gu, '').slice(0, 120) || `attachment.${detected.ext}`;
      const sha256 = createHash('sha256').update(file.bytes).digest('hex');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const temp = join(dir, `.upload-${process.pid}-${sha256.slice(0, 16)}`);
      writeFileSync(temp, file.bytes, { flush: true, mode: 0o600 }); // the rename keeps the mode
      try {
        const row = store.transaction(() => {
          const target = entryById(db, entryId);
          if (!target) throw new DomainError('RW_NOT_FOUND', `no duty-log entry ${entryId}`, 404);
          if (target.kind !== 'note.added' && target.kind !== 'note.corrected') throw refuse(`entry ${entryId} is not a manual entry`, 409);
          if (target.username !== by.username && !can('dutyLog.editOthers', by.role)) throw new DomainError('RW_FORBIDDEN', 'only the author or a supervisor may attach files to an entry', 403);
          if (rowsFor([entryId]).length >= MAX_ATTACHMENTS_PER_ENTRY) throw refuse(`an entry has at most ${MAX_ATTACHMENTS_PER_ENTRY} attachments`, 409);
          const now = clock.now();
          const r = db
            .prepare('INSERT INTO duty_log_attachments (entry_id, file_name, content_type, size, sha256, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *')
            .get(entryId, name, detected.type, file.bytes.length, sha256, by.username, now) as unknown as Row;
          dutyLog.insert({ ts: now, kind: 'note.attached', username: by.username, params: { entry: entryId, attachment: r.id, file: name, type: detected.type, size: file.bytes.length, sha256, user: by.displayName } });
          // Moved into place before the commit: a committed row always has its file.
          renameSync(temp, fileOf(r));
          return r;
        });
        return view(row);
      } finally {
        rmSync(temp, { force: true });
      }
    },

    forEntries: (ids) => rowsFor(ids).map(view),

    read(id) {
      const row = db.prepare('SELECT * FROM duty_log_attachments WHERE id = ?').get(id) as Row | undefined;
      if (!row) return null;
      return { view: view(row), bytes: readFileSync(fileOf(row)) };
    },

    removeForEntries(ids) {
      const rows = rowsFor(ids);
      for (const r of rows) {
        db.prepare('DELETE FROM duty_log_attachments WHERE id = ?').run(r.id);
        rmSync(fileOf(r), { force: true });
      }
      return rows.length;
    },
  };
}
