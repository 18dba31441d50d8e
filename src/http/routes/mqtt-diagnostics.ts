// GET /api/diagnostics/mqtt: per MQTT device the messages heard, malformed payloads (count, last error, when),
// last message time, link status, and the embedded broker's refusals. Needs a session like every /api route.
import { routes, type MqttDiagnosticsView } from '../../contract/api.ts';
import type { ConsoleModule } from '../context.ts';

const none: MqttDiagnosticsView = { broker: 'none', connected: false, reconnects: 0, unrouted: 0, refusedTotal: null, devices: [] };

export const mqttDiagnosticsModule: ConsoleModule = {
  routes(app, { mqttDiagnostics }) {
    app.get(routes.mqttDiagnostics, async (): Promise<MqttDiagnosticsView> => mqttDiagnostics?.() ?? none);
  },
};
