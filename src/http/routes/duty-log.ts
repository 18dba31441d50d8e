// The duty log, newest first, paged backwards by id.
import { DutyLogQuery, routes } from '../../contract/api.ts';
import type { ConsoleModule } from '../context.ts';

export const dutyLogModule: ConsoleModule = {
  routes(app, { dutyLog }) {
    app.get<{ Querystring: DutyLogQuery }>(routes.dutyLog, { schema: { querystring: DutyLogQuery }, config: { access: 'console.view' } }, async (req) =>
      dutyLog.list({ limit: req.query.limit ?? 100, ...(req.query.beforeId ? { beforeId: req.query.beforeId } : {}) }),
    );
  },
};
