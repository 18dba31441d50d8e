// The shift report, for the last ended shift or a named one (?shift=2026-11-23/day).
import { routes } from '../../contract/api.ts';
import type { ConsoleModule } from '../context.ts';

export const shiftReportModule: ConsoleModule = {
  routes(app, { shiftReport }) {
    app.get<{ Querystring: { shift?: string } }>(
      routes.shiftReport,
      { schema: { querystring: { type: 'object', properties: { shift: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}/[a-z0-9][a-z0-9-]{0,30}$' } }, additionalProperties: false } }, config: { access: 'console.view' } },
      async (req) => shiftReport.report(req.query.shift),
    );
  },
};
