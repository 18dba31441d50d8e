// The site (rooms, devices, points with limits) and the latest reading of every point.
import { routes } from '../../contract/api.ts';
import { siteView } from '../site-view.ts';
import type { ConsoleModule } from '../context.ts';

export const siteModule: ConsoleModule = {
  routes(app, { site, latestReadings }) {
    const view = siteView(site);
    app.get(routes.site, async () => view);
    app.get(routes.readings, async () => latestReadings());
  },
};
