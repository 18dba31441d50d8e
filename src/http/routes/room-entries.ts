// The machine-room entry register (R3).
import { idParam, RoomEntryRequest, routes } from '../../contract/api.ts';
import { requireUser, type ConsoleModule } from '../context.ts';
import { withPasswordCheck } from './session.ts';

export const roomEntriesModule: ConsoleModule = {
  routes(app, { entryRegister, loginThrottle }) {
    app.get(routes.roomEntries, { config: { access: 'console.view' } }, async () => entryRegister.list(100));
    // R3: the approving supervisor confirms with their own password, a throttled password check like logging in.
    app.post<{ Body: RoomEntryRequest }>(routes.roomEntries, { schema: { body: RoomEntryRequest }, config: { access: 'roomEntry.record' } }, async (req, reply) =>
      withPasswordCheck(loginThrottle, req.body.approvedBy, req.ip, reply, () => entryRegister.enter(req.body, requireUser(req))),
    );
    app.post<{ Params: { id: number } }>('/api/room-entries/:id/exit', { schema: { params: idParam }, config: { access: 'roomEntry.record' } }, async (req) =>
      entryRegister.exit(req.params.id, requireUser(req)),
    );
  },
};
