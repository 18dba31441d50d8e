// The period report (M1): the page's figures, each table as CSV (same rows as the page: src/contract/report-tables.ts),
// and the meeting record signed on it. Who may open which scope is decided by one table (src/auth/report-access.ts);
// the rest of the API stays behind the session check of server.ts.
import { routes, MeetingRecordRequest, PeriodReportQuery, ReportTableParams, type ReportTable } from '../../contract/api.ts';
import { reportTables } from '../../contract/report-tables.ts';
import { canReport } from '../../auth/report-access.ts';
import { DomainError } from '../../core/errors.ts';
import { isLang, t, type Lang } from '../../i18n/index.ts';
import { toCsv } from '../../shifts/csv.ts';
import { siteView } from '../site-view.ts';
import { requireUser, type ConsoleModule } from '../context.ts';
import type { UserView } from '../../contract/api.ts';

/** The scope's read permission, or 403 naming what is missing. */
function mayRead(user: UserView, roomId: string | null): void {
  const action = roomId === null ? 'report.site.read' : 'report.room.read';
  if (!canReport(action, user.role)) throw new DomainError('RW_FORBIDDEN', roomId === null ? 'the site\'s report is for supervisors' : `the report of room ${roomId} is not open to the role ${user.role}`, 403);
}

export const periodReportModule: ConsoleModule = {
  routes(app, { periodReports, site }) {
    const names = siteView(site);

    app.get<{ Querystring: PeriodReportQuery }>(routes.periodReport, { schema: { querystring: PeriodReportQuery }, config: { access: 'report.room.read' } }, async (req) => {
      const room = req.query.room ?? null;
      mayRead(requireUser(req), room);
      return periodReports.report(req.query.period, room);
    });

    app.get<{ Params: { table: ReportTable }; Querystring: PeriodReportQuery & { lang?: string } }>(
      '/api/period-report/:table.csv',
      { schema: { params: ReportTableParams, querystring: { ...PeriodReportQuery, properties: { ...PeriodReportQuery.properties, lang: { type: 'string', enum: ['en', 'zh-CN'] } } } }, config: { access: 'report.room.read' } },
      async (req, reply) => {
        const room = req.query.room ?? null;
        mayRead(requireUser(req), room);
        const report = await periodReports.report(req.query.period, room);
        const lang: Lang = isLang(req.query.lang) ? req.query.lang : 'en';
        const table = reportTables(report, names, { tr: (key, params) => t(lang, key, params), loc: (text) => text[lang] }).find((x) => x.table === req.params.table)!;
        // A byte-order mark so Excel opens the Chinese text as UTF-8.
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${report.period.key}-${room ?? site.config.site.id}-${table.table}.csv"`)
          .send(`\uFEFF${toCsv([table.columns, ...table.rows])}`);
      },
    );

    app.post<{ Querystring: PeriodReportQuery; Body: MeetingRecordRequest }>(routes.periodReportMeeting, { schema: { querystring: PeriodReportQuery, body: MeetingRecordRequest }, config: { access: 'report.meeting.sign' } }, async (req) => {
      const user = requireUser(req);
      const room = req.query.room ?? null;
      mayRead(user, room);
      if (!canReport('report.meeting.sign', user.role)) throw new DomainError('RW_FORBIDDEN', 'the meeting record is signed by a supervisor or manager (M1)', 403);
      if (!req.query.period) throw new DomainError('RW_INVALID_REQUEST', 'period: the period the meeting reviewed', 400);
      return periodReports.signMeeting(req.query.period, room, req.body, user);
    });
  },
};
