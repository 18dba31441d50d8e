// Shifts and the monthly roster (S1, S2, R2): shift occurrences, who is on duty, editing, CSV, publishing,
// swaps. The roster service checks roles and locking, so every path into it is held to the same rules.
import {
  MonthParams,
  idParam,
  RosterCsvImport,
  RosterSaveRequest,
  ShiftsQuery,
  SwapDecision,
  SwapRequest,
  routes,
  type OnDutyView,
  type Role,
} from '../../contract/api.ts';
import { DomainError } from '../../core/errors.ts';
import { requireUser, type ConsoleModule } from '../context.ts';

const monthParams = { params: MonthParams };
const roles: readonly Role[] = ['duty', 'supervisor', 'admin'];

export const rosterModule: ConsoleModule = {
  routes(app, { roster, shiftPlan, clock }) {
    app.get<{ Querystring: ShiftsQuery }>(routes.shifts, { schema: { querystring: ShiftsQuery }, config: { access: 'console.view' } }, async (req) => {
      const { from, to } = req.query;
      // A query is bounded to 62 days so a typo cannot ask for centuries of shifts.
      if (!(to > from) || to - from > 62 * 86_400_000) throw new DomainError('RW_INVALID_REQUEST', 'expected from < to, at most 62 days apart', 400);
      return shiftPlan.shiftsBetween(from, to);
    });

    app.get(routes.onDuty, { config: { access: 'console.view' } }, async (): Promise<OnDutyView> => {
      const at = clock.now();
      const shifts = shiftPlan.currentShifts(at);
      const people = shifts.flatMap((s) => roster.staffOf(s).map((u) => ({ ...u, shiftKey: s.key })));
      return { at, shifts, people: people.filter((p) => roles.includes(p.role)) };
    });

    app.get<{ Params: MonthParams }>('/api/roster/:month', { schema: monthParams, config: { access: 'console.view' } }, async (req) => roster.get(req.params.month));
    app.put<{ Params: MonthParams; Body: RosterSaveRequest }>('/api/roster/:month', { schema: { ...monthParams, body: RosterSaveRequest }, config: { access: 'roster.manage' } }, async (req) =>
      roster.saveDraft(req.params.month, req.body.assignments, requireUser(req)),
    );
    app.post<{ Params: MonthParams }>('/api/roster/:month/publish', { schema: monthParams, config: { access: 'roster.manage' } }, async (req) => roster.publish(req.params.month, requireUser(req)));
    app.get<{ Params: MonthParams }>('/api/roster/:month/csv', { schema: monthParams, config: { access: 'console.view' } }, async (req, reply) =>
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="roster-${req.params.month}.csv"`)
        .send(roster.exportCsv(req.params.month)),
    );
    app.post<{ Params: MonthParams; Body: RosterCsvImport }>('/api/roster/:month/csv', { schema: { ...monthParams, body: RosterCsvImport }, config: { access: 'roster.manage' } }, async (req) =>
      roster.importCsv(req.params.month, req.body.csv, requireUser(req)),
    );

    app.get<{ Querystring: { month: string } }>(routes.swaps, { schema: { querystring: { type: 'object', required: ['month'], properties: { month: MonthParams.properties.month } } }, config: { access: 'console.view' } }, async (req) =>
      roster.swaps(req.query.month),
    );
    app.post<{ Body: SwapRequest }>(routes.swaps, { schema: { body: SwapRequest }, config: { access: 'roster.requestSwap' } }, async (req) => roster.requestSwap(req.body, requireUser(req)));
    app.post<{ Params: { id: number }; Body: SwapDecision }>(
      '/api/roster-swaps/:id/decision',
      { schema: { body: SwapDecision, params: idParam }, config: { access: 'roster.manage' } },
      async (req) => roster.decideSwap(req.params.id, req.body.approve, req.body.comment, requireUser(req)),
    );
  },
};
