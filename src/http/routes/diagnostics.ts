// Device diagnostics of the sources (issue 3), one route each, the same shape per device (src/contract/diagnostics.ts):
// GET /api/diagnostics/mqtt: per MQTT device the messages heard, malformed payloads (count, last error, when),
// last message time, link status, and the embedded broker's refusals.
// GET /api/diagnostics/modbus: per Modbus link its state and reconnections; per device requests, answers, no
// answer, transport errors, exceptions by code, busy retries, cycles, the last error and the last good answer.
// Both need a session like every /api route. A site without the source answers an empty view.
import { routes, type ModbusDiagnosticsView, type MqttDiagnosticsView } from '../../contract/api.ts';
import type { ConsoleModule } from '../context.ts';

const noMqtt: MqttDiagnosticsView = { broker: 'none', connected: false, reconnects: 0, unrouted: 0, refusedTotal: null, devices: [] };
const noModbus: ModbusDiagnosticsView = { links: [], devices: [] };

export const diagnosticsModule: ConsoleModule = {
  routes(app, { mqttDiagnostics, modbusDiagnostics }) {
    app.get(routes.mqttDiagnostics, { config: { access: 'console.view' } }, async (): Promise<MqttDiagnosticsView> => mqttDiagnostics?.() ?? noMqtt);
    app.get(routes.modbusDiagnostics, { config: { access: 'console.view' } }, async (): Promise<ModbusDiagnosticsView> => modbusDiagnostics?.() ?? noModbus);
  },
};
