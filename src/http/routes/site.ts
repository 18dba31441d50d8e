// The site (rooms, devices, points with limits), the latest reading of every point, and the gateway's clock:
// the site answer carries it and `clock:sync` gives it on request, so the console's "now" is the gateway's (L6).
import { routes } from '../../contract/api.ts';
import { siteView } from '../site-view.ts';
import { answer } from '../socket-answer.ts';
import type { ConsoleModule } from '../context.ts';

export const siteModule: ConsoleModule = {
  routes(app, { site, latestReadings, clock }) {
    const view = siteView(site);
    app.get(routes.site, { config: { access: 'console.view' } }, async () => ({ ...view, serverTime: clock.now() }));
    app.get(routes.readings, { config: { access: 'console.view' } }, async () => latestReadings());
  },
  socket(socket, { logger, clock }, user) {
    socket.on('clock:sync', (_request, reply) => answer(logger, socket, user, reply, () => ({ serverTime: clock.now() })));
  },
};
