// The one permission table (issue 14 item 6, style.md "one meaning per word"): what each role may do.
// Services, HTTP routes, socket events and the console all ask `can(action, role)`; the console gets the
// list of its user's actions in the session answer and never keeps role lists of its own.
// Roles: domain.md "People and roles" — duty staff, shift lead, supervisor, manager; admin runs the gateway.
// A manager counts as a supervisor everywhere (alarms, isolations, duty-log sign-off L4, roster).
import type { Role } from '../contract/common.ts';

const everyone = ['duty', 'lead', 'supervisor', 'manager', 'admin'] as const satisfies readonly Role[];
const leads = ['lead', 'supervisor', 'manager', 'admin'] as const satisfies readonly Role[];
const supervisors = ['supervisor', 'manager', 'admin'] as const satisfies readonly Role[];
const admins = ['admin'] as const satisfies readonly Role[];

/** Every action a role may be allowed, with who may do it. The route table names one of these per route. */
export const permissionTable = {
  /** Read the console's views: site, readings, alarms, duty log, roster, handover, patrols, reports, trends. */
  'console.view': everyone,
  'alarm.ack': everyone,
  'alarm.shelve': everyone,
  'alarm.unshelve': everyone,
  'alarm.dispatch': everyone,
  'alarm.classify': everyone,
  /** A7: say where a CCTV alarm's recording is kept as evidence. */
  'alarm.keepEvidence': everyone,
  /** A2: in an emergency the duty staff and shift leads call the supervisor or manager at once, skipping levels. */
  'alarm.escalate': ['duty', 'lead'],
  /** A8: an acknowledged fault the shift cannot fix is reported upwards. */
  'alarm.reportUp': everyone,
  /** Resetting a latched (fire) alarm needs at least a shift lead (A4). */
  'alarm.reset': leads,
  'device.tag': everyone,
  'device.untag': everyone,
  /** A6: an isolation takes a supervisor's approval; a supervisor's own isolation is approved by itself. */
  'device.approveTag': supervisors,
  'dutyLog.write': everyone,
  /** Correct or attach to someone else's entry. */
  'dutyLog.editOthers': supervisors,
  /** L4: the daily sign-off. */
  'dutyLog.sign': supervisors,
  /** L4: where the site asks for it, the manager in charge signs each day after the supervisor's check. */
  'dutyLog.countersign': ['manager', 'admin'],
  'handover.sign': everyone,
  /** Hand over a shift one is not rostered on. */
  'handover.signForOthers': supervisors,
  'patrol.record': everyone,
  /** P1: stepping up a schedule's patrols (peak load, bad weather). */
  'patrol.stepUp': supervisors,
  'roomEntry.record': everyone,
  /** R3: who may approve a room entry. */
  'roomEntry.approve': supervisors,
  'playbook.run': everyone,
  'roster.requestSwap': everyone,
  /** Ask a swap on someone else's behalf, edit, import and publish the roster, decide swaps (S1). */
  'roster.manage': supervisors,
  /** M1 period reports: a room's (shift leads up), the whole site's, and signing the meeting record. */
  'report.room.read': leads,
  'report.site.read': supervisors,
  'report.meeting.sign': ['supervisor', 'manager'],
  /** Sessions and login throttles of every user (issue 13). */
  'security.admin': admins,
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof permissionTable;
export const actions = Object.keys(permissionTable) as Action[];

export function can(action: Action, role: Role): boolean {
  return (permissionTable[action] as readonly Role[]).includes(role);
}

/** The actions a role may take, as the session answer gives them to the console. */
export function permissionsOf(role: Role): Action[] {
  return actions.filter((a) => can(a, role));
}

/**
 * What a route or socket event requires: `public` (only logging in), `session` (any logged-in user, for the
 * session itself), or an action of the table. Every route declares one; the server refuses to start otherwise.
 */
export type Access = 'public' | 'session' | Action;

export function allows(access: Access, role: Role | null): boolean {
  if (access === 'public') return true;
  if (role === null) return false;
  return access === 'session' || can(access, role);
}
