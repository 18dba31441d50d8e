// The duty log as pages per shift, manual entries and their corrections, attachments and the daily
// sign-off (L1–L4). Entries are only ever added: there is no update or delete route.
import { idParam, CorrectionRequest, DayQuery, NoteRequest, ResolveRequest, SignRequest, routes } from '../../contract/api.ts';
import { DomainError } from '../../core/errors.ts';
import { MAX_ATTACHMENT_BYTES, attachmentTypes } from '../../duty/attachments.ts';
import { requireUser, type ConsoleModule } from '../context.ts';

const idParams = { params: idParam };

export const dutyJournalModule: ConsoleModule = {
  routes(app, { journal, attachments }) {
    // Photos and PDFs arrive as the raw request body, typed by Content-Type (checked again by content).
    app.addContentTypeParser(attachmentTypes, { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_req, body, done) => done(null, body));

    app.post<{ Body: NoteRequest }>(routes.notes, { schema: { body: NoteRequest }, config: { access: 'dutyLog.write' } }, async (req) => journal.addNote(req.body, requireUser(req)));
    app.post<{ Params: { id: number }; Body: CorrectionRequest }>('/api/duty-log/notes/:id/corrections', { schema: { ...idParams, body: CorrectionRequest }, config: { access: 'dutyLog.write' } }, async (req) =>
      journal.correct(req.params.id, req.body, requireUser(req)),
    );

    // S5/S7: an incident or follow-up is closed with how and when, by whoever handled it; kept open until then.
    app.post<{ Params: { id: number }; Body: ResolveRequest }>('/api/duty-log/notes/:id/resolve', { schema: { ...idParams, body: ResolveRequest }, config: { access: 'dutyLog.write' } }, async (req) =>
      journal.resolve(req.params.id, req.body, requireUser(req)),
    );
    app.get(routes.openItems, { config: { access: 'console.view' } }, async () => journal.openItems());

    app.post<{ Params: { id: number } }>('/api/duty-log/notes/:id/attachments', { schema: idParams, bodyLimit: MAX_ATTACHMENT_BYTES, config: { access: 'dutyLog.write' } }, async (req) => {
      const user = requireUser(req);
      if (!Buffer.isBuffer(req.body)) throw new DomainError('RW_ATTACHMENT_REFUSED', `send the file as the body with Content-Type ${attachmentTypes.join(', ')}`, 415);
      let name = 'attachment';
      try {
        name = decodeURIComponent(String(req.headers['x-file-name'] ?? name));
      } catch {
        // a malformed percent-encoding: keep the neutral name; the content decides the type anyway
      }
      return attachments.add(req.params.id, { name, contentType: String(req.headers['content-type']), bytes: req.body }, user);
    });
    app.get<{ Params: { id: number } }>('/api/duty-log/attachments/:id', { schema: idParams, config: { access: 'console.view' } }, async (req, reply) => {
      const found = attachments.read(req.params.id);
      if (!found) throw new DomainError('RW_NOT_FOUND', `no attachment ${req.params.id}`, 404);
      return reply
        .header('content-type', found.view.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(found.view.fileName)}`)
        .send(found.bytes);
    });

    app.get<{ Querystring: DayQuery }>(routes.dutyLogDay, { schema: { querystring: DayQuery }, config: { access: 'console.view' } }, async (req) => journal.day(req.query.date));
    app.post<{ Body: SignRequest }>(routes.dutyLogSign, { schema: { body: SignRequest }, config: { access: 'dutyLog.sign' } }, async (req) => journal.sign(req.body.date, req.body.comment, requireUser(req)));
    app.get<{ Querystring: { days?: number } }>(
      routes.dutyLogUnsigned,
      { schema: { querystring: { type: 'object', properties: { days: { type: 'integer', minimum: 1, maximum: 366 } }, additionalProperties: false } }, config: { access: 'console.view' } },
      async (req) => journal.unsigned(req.query.days ?? 31),
    );
  },
};
