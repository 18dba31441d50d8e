// Who may open and sign the period reports (M1): the actions live in the one permission table
// (src/auth/permissions.ts). Users are not bound to rooms in the config, so a duty officer has no "own room":
// duty staff open no period report (403); shift leads open a room's; supervisors, managers and admins the
// site's and every room's; supervisors and managers sign the meeting record (M1: they hold the meeting).
import type { Role } from '../contract/common.ts';
import { can } from './permissions.ts';

export type ReportAction = 'report.room.read' | 'report.site.read' | 'report.meeting.sign';

export const canReport = (action: ReportAction, role: Role): boolean => can(action, role);
