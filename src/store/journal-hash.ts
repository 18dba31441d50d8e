// The duty log's hash chain (A5: alarm records are never lost, nor silently changed). Each entry's hash
// covers its own fields and the previous entry's hash, so editing, deleting or reordering any entry
// breaks every link after it; `npm run verify-journal` finds the first broken one.
import { createHash } from 'node:crypto';

export interface ChainedFields {
  id: number;
  ts: number;
  kind: string;
  room_id: string | null;
  device_id: string | null;
  point_key: string | null;
  username: string | null;
  alarm_id: number | null;
  params: string;
}

export function entryHash(prevHash: string, e: ChainedFields): string {
  const body = JSON.stringify([e.id, e.ts, e.kind, e.room_id, e.device_id, e.point_key, e.username, e.alarm_id, e.params]);
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
