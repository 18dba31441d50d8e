// The console's pages besides the board, in navigation order. A new area adds one line here.
import type { Page } from './nav-view.ts';
import { rosterView } from './roster-view.ts';
import { journalView } from './journal-view.ts';
import { handoverView } from './handover-view.ts';
import { patrolsView } from './patrols-view.ts';
import { entriesView } from './entries-view.ts';
import { reportView } from './report-view.ts';
import { historyView } from './history-view.ts';
import { playbooksView } from './playbooks-view.ts';
import { securityView } from './security-view.ts';
import { periodView } from './period-view.ts';
import { diagnosticsPage } from './diagnostics-view.ts';
import { modbusDiagnosticsSection } from './modbus-diagnostics-view.ts';
import { mqttDiagnosticsSection } from './mqtt-diagnostics-view.ts';
import { canReport } from '../../../src/auth/report-access.ts';
import type { Store } from './store.ts';

export function consolePages(store: Store): Page[] {
  return [
    { id: 'journal', label: 'nav.journal', open: () => journalView(store) },
    { id: 'history', label: 'nav.history', open: () => historyView(store) },
    { id: 'handover', label: 'nav.handover', open: () => handoverView(store) },
    { id: 'playbooks', label: 'nav.playbooks', open: () => playbooksView(store) },
    { id: 'roster', label: 'nav.roster', open: () => rosterView(store) },
    { id: 'patrols', label: 'nav.patrols', open: () => patrolsView(store) },
    { id: 'entries', label: 'nav.entries', open: () => entriesView(store) },
    { id: 'report', label: 'nav.report', open: () => reportView(store) },
    // Device diagnostics (issue 3), a page of its own so it is found (issue 15).
    { id: 'diagnostics', label: 'nav.diagnostics', open: () => diagnosticsPage([modbusDiagnosticsSection(store), mqttDiagnosticsSection(store)]) },
    // Only for those the permission table lets see every session (the gateway refuses the others anyway).
    ...(store.can('security.admin') ? [{ id: 'security', label: 'nav.security', open: () => securityView(store) } as const] : []),
    // M1: the period report, for those the permission table lets open one (src/auth/report-access.ts).
    ...(canReport('report.room.read', store.user.role) ? [{ id: 'period', label: 'nav.period' as const, open: () => periodView(store) }] : []),
  ];
}
