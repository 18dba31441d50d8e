// Who may open and sign the period reports (M1), in one table, so the route, the console and a later site-wide
// permission table read the same answer (style.md: one permission table, deny by default). Users are not bound
// to rooms in the config, so a duty officer has no "own room": duty staff open no period report (403); shift
// leads open a room's; supervisors, managers and admins open the site's and every room's, and supervisors and
// managers sign the meeting record (M1: they hold the meeting).
import type { Role } from '../contract/common.ts';

export type ReportAction = 'report.room.read' | 'report.site.read' | 'report.meeting.sign';

export const REPORT_PERMISSIONS: Readonly<Record<ReportAction, readonly Role[]>> = {
  'report.room.read': ['lead', 'supervisor', 'manager', 'admin'],
  'report.site.read': ['supervisor', 'manager', 'admin'],
  'report.meeting.sign': ['supervisor', 'manager'],
};

export const canReport = (action: ReportAction, role: Role): boolean => REPORT_PERMISSIONS[action].includes(role);
