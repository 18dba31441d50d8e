// Emergency playbooks (E1–E4): open, tick steps, close with the written report (L7).
import { Type } from '@sinclair/typebox';
import { StoreId, PlaybookOpenRequest, PlaybookReport, PlaybookStepRequest, routes } from '../../contract/api.ts';
import { requireUser, type ConsoleModule } from '../context.ts';

const params = Type.Object({ id: StoreId, step: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,40}$' })) }, { additionalProperties: false });

export const playbooksModule: ConsoleModule = {
  routes(app, { playbooks }) {
    app.get<{ Querystring: { open?: boolean } }>(routes.playbooks, { schema: { querystring: { type: 'object', properties: { open: { type: 'boolean' } }, additionalProperties: false } }, config: { access: 'console.view' } }, async (req) =>
      playbooks.list(req.query.open ?? false),
    );
    app.post<{ Body: PlaybookOpenRequest }>(routes.playbooks, { schema: { body: PlaybookOpenRequest }, config: { access: 'playbook.run' } }, async (req) => playbooks.open(req.body, requireUser(req)));
    app.post<{ Params: { id: number; step: string }; Body: PlaybookStepRequest }>('/api/playbooks/:id/steps/:step', { schema: { params, body: PlaybookStepRequest }, config: { access: 'playbook.run' } }, async (req) =>
      playbooks.step(req.params.id, req.params.step, req.body.note, requireUser(req)),
    );
    app.post<{ Params: { id: number }; Body: PlaybookReport }>('/api/playbooks/:id/report', { schema: { params, body: PlaybookReport }, config: { access: 'playbook.run' } }, async (req) =>
      playbooks.close(req.params.id, req.body, requireUser(req)),
    );
  },
};
