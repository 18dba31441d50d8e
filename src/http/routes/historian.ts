// The historian area (issue 6): its status (outbox depth, age of the oldest point, errors, replay rate) so duty
// staff see an InfluxDB outage while it lasts, and trend queries. Both need a session (deny by default);
// both only read, so nothing goes to the duty log.
import { routes, TrendQuery } from '../../contract/api.ts';
import { DomainError } from '../../core/errors.ts';
import type { ConsoleModule } from '../context.ts';

const MAX_POINTS = 20;
const HOUR_MS = 3_600_000;
/** Raw readings over more than a week would be millions of rows: ask for a rollup instead. */
const MAX_RAW_RANGE_MS = 7 * 24 * HOUR_MS;
/** Readings are not taken in the future; a day's margin covers a clock that is off. Far-future times would
 *  otherwise reach InfluxDB, which answers "overflowed duration" (issue 17). */
const MAX_FUTURE_MS = 24 * HOUR_MS;

export const historianModule: ConsoleModule = {
  routes(app, { history, site, clock }) {
    const need = () => {
      if (!history) throw new DomainError('RW_NOT_FOUND', 'no historian in this gateway', 404);
      return history;
    };

    app.get(routes.historianStatus, { config: { access: 'console.view' } }, async () => need().status());

    app.get<{ Querystring: TrendQuery }>(routes.trends, { schema: { querystring: TrendQuery }, config: { access: 'console.view' } }, async (req) => {
      const h = need();
      const keys = [...new Set(req.query.points.split(',').map((k) => k.trim()).filter(Boolean))];
      const unknown = keys.filter((k) => !site.points.has(k));
      if (keys.length === 0 || keys.length > MAX_POINTS) throw new DomainError('RW_INVALID_REQUEST', `points: 1 to ${MAX_POINTS} point keys`, 400);
      if (unknown.length > 0) throw new DomainError('RW_INVALID_REQUEST', `unknown points: ${unknown.join(', ')}`, 400);
      const to = req.query.to ?? clock.now();
      const from = req.query.from ?? to - HOUR_MS;
      if (from >= to) throw new DomainError('RW_INVALID_REQUEST', 'from must be before to', 400);
      if (to > clock.now() + MAX_FUTURE_MS) throw new DomainError('RW_INVALID_REQUEST', 'to is more than a day in the future', 400);
      const resolution = req.query.resolution ?? 'auto';
      if (resolution === 'raw' && to - from > MAX_RAW_RANGE_MS) throw new DomainError('RW_INVALID_REQUEST', 'raw resolution covers at most 7 days; use 1m or 1h', 400);
      return h.trend(keys, from, to, resolution);
    });
  },
};
