// Names the duty log refers to by id but the SiteView does not carry: shift definitions, patrol schedules
// and their checklist items, the handover checklist, people. Loaded with every snapshot (main.ts) so the
// record reads in words (issue 15), never in ids; a name the gateway does not answer for stays unknown.
import type { HandoverView, Localized, PatrolStatusView, ShiftView } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { call } from './api.ts';

export interface RecordNames {
  shifts: Map<string, Localized>;
  patrols: Map<string, { name: Localized; checklist: Map<string, Localized> }>;
  checklist: Map<string, Localized>;
  people: Map<string, string>;
}

const DAY = 86_400_000;
let names: RecordNames = { shifts: new Map(), patrols: new Map(), checklist: new Map(), people: new Map() };

export const recordNames = (): RecordNames => names;

/** Fetches what the gateway lets this user see; a refused or failed part leaves that part empty. */
export async function loadRecordNames(now: number): Promise<void> {
  const soft = <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);
  const [shifts, patrols, handover] = await Promise.all([
    soft(call<ShiftView[]>('GET', `${routes.shifts}?from=${now - 2 * DAY}&to=${now + 2 * DAY}`)),
    soft(call<PatrolStatusView[]>('GET', routes.patrols)),
    soft(call<HandoverView>('GET', routes.handover)),
  ]);
  names = {
    shifts: new Map((shifts ?? []).map((s) => [s.shiftId, s.name])),
    patrols: new Map((patrols ?? []).map((p) => [p.id, { name: p.name, checklist: new Map(p.checklist.map((c) => [c.id, c.name])) }])),
    checklist: new Map((handover?.checklist ?? []).map((c) => [c.id, c.name])),
    people: new Map((handover?.people ?? []).map((u) => [u.username, u.displayName])),
  };
}
