// Alarms over REST and the socket (same service, same checks): list, acknowledge, reset a latched alarm,
// shelve and unshelve, the fire-alarm confirmation workflow (A4), a CCTV alarm's evidence kept (A7), emergency escalation (A2), and reporting a fault
// upwards (A8).
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { idParam, AckRequest, ClassifyRequest, DispatchRequest, EmergencyEscalationRequest, KeepEvidenceRequest, ReportUpRequest, ShelveRequest, routes, type AlarmView, type UserView } from '../../contract/api.ts';
import { requireUser, type ConsoleDeps, type ConsoleModule } from '../context.ts';
import { answer } from '../socket-answer.ts';
import { Value } from '@sinclair/typebox/value';

type AlarmAction<B> = (deps: ConsoleDeps, id: number, user: UserView, body: B) => AlarmView;

/** One table of actions, served by one REST route and one socket event each. */
const actions = {
  ack: { schema: AckRequest, run: ((d, id, u, b) => d.alarms.acknowledge(id, u, b.note)) as AlarmAction<AckRequest> },
  reset: { schema: AckRequest, run: ((d, id, u, b) => d.alarms.reset(id, u, b.note)) as AlarmAction<AckRequest> },
  shelve: { schema: ShelveRequest, run: ((d, id, u, b) => d.alarms.shelve(id, u, b.minutes, b.reason)) as AlarmAction<ShelveRequest> },
  unshelve: { schema: Type.Object({}, { additionalProperties: false }), run: ((d, id, u) => d.alarms.unshelve(id, u)) as AlarmAction<object> },
  dispatch: { schema: DispatchRequest, run: ((d, id, u, b) => d.alarms.dispatch(id, u, b.to)) as AlarmAction<DispatchRequest> },
  classify: { schema: ClassifyRequest, run: ((d, id, u, b) => d.alarms.classify(id, u, b.classification, b.note)) as AlarmAction<ClassifyRequest> },
  keepEvidence: { schema: KeepEvidenceRequest, run: ((d, id, u, b) => d.alarms.keepEvidence(id, u, b.reference)) as AlarmAction<KeepEvidenceRequest> },
  escalate: { schema: EmergencyEscalationRequest, run: ((d, id, u, b) => d.alarms.escalateNow(id, u, b.role, b.reason)) as AlarmAction<EmergencyEscalationRequest> },
  reportUp: { schema: ReportUpRequest, run: ((d, id, u, b) => d.alarms.reportUp(id, u, b.note)) as AlarmAction<ReportUpRequest> },
} satisfies Record<string, { schema: TSchema; run: AlarmAction<never> }>;


function register(app: FastifyInstance, deps: ConsoleDeps, name: keyof typeof actions): void {
  const action = actions[name] as { schema: TSchema; run: AlarmAction<unknown> };
  app.post<{ Params: { id: number }; Body: unknown }>(`/api/alarms/:id/${name}`, { schema: { body: action.schema, params: idParam }, config: { access: `alarm.${name}` } }, async (req) =>
    action.run(deps, req.params.id, requireUser(req), req.body ?? {}),
  );
}

export const alarmsModule: ConsoleModule = {
  routes(app, deps) {
    app.get(routes.alarms, { config: { access: 'console.view' } }, async () => deps.alarms.open());
    app.get(routes.alarmSummary, { config: { access: 'console.view' } }, async () => deps.alarms.summary());
    for (const name of Object.keys(actions) as (keyof typeof actions)[]) register(app, deps, name);
  },
  socket(socket, deps, user) {
    for (const name of Object.keys(actions) as (keyof typeof actions)[]) {
      const action = actions[name] as { schema: TSchema; run: AlarmAction<unknown> };
      // Socket events are validated against the same schemas as the REST bodies.
      socket.on(`alarm:${name}` as 'alarm:ack', (request: unknown, reply: unknown) =>
        answer(deps.logger, socket, user, reply, () => {
          const { id, ...body } = (request ?? {}) as { id?: unknown };
          if (!Number.isInteger(id) || (id as number) < 1) return { invalid: 'expected a positive integer id' };
          if (!Value.Check(action.schema, body)) return { invalid: [...Value.Errors(action.schema, body)].map((e) => `${e.path || '/'} ${e.message}`).join('; ') };
          return { alarm: action.run(deps, id as number, user()!, body) };
        }),
      );
    }
  },
};
