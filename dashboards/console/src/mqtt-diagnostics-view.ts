// MQTT section of the diagnostics panel (issue 3): per device link, messages, malformed payloads with the last
// error and when, and what the broker refused for its login (GET /api/diagnostics/mqtt).
import type { MqttDeviceDiagnosticsView, MqttDiagnosticsView } from '../../../src/contract/api.ts';
import { api } from './api.ts';
import { h, replaceChildren } from './dom.ts';
import { diagCell, diagSection, diagTable, type DiagnosticsSection } from './diagnostics-view.ts';
import { tr } from './lang.ts';
import type { Store } from './store.ts';

export function mqttDiagnosticsSection(store: Store): DiagnosticsSection {
  const { table, body } = diagTable('mqtt-diagnostics-table', [
    'diag.col.device',
    'diag.col.link',
    'mqtt.diag.col.messages',
    'mqtt.diag.col.malformed',
    'diag.col.lastError',
    'mqtt.diag.col.lastMessage',
    'mqtt.diag.col.refused',
  ]);
  const row = (d: MqttDeviceDiagnosticsView): HTMLElement => {
    // The kinds the broker tells (an external Mosquitto's log tells only some; the others are null).
    const known = Object.values(d.refused ?? {}).filter((n): n is number => n !== null);
    const refused = known.length > 0 ? known.reduce((a, b) => a + b, 0) : null;
    return h(
      'tr',
      { 'data-testid': `mqtt-diag-${d.deviceId}`, 'data-online': String(d.online), 'data-malformed': d.malformed },
      diagCell.device(store, d.deviceId),
      diagCell.link(d.online),
      diagCell.count(d.messages),
      diagCell.count(d.malformed, true),
      diagCell.error(d.lastError, d.lastErrorAt),
      diagCell.time(d.lastMessageAt),
      h('td', { class: 'num' }, refused === null ? '—' : refused),
    );
  };
  return diagSection('mqtt', 'mqtt.diag.title', [table], api.mqttDiagnostics, (v: MqttDiagnosticsView) => {
    replaceChildren(body, v.devices.map(row));
    return { status: tr(v.connected ? 'mqtt.diag.connected' : 'mqtt.diag.disconnected', { broker: tr(`mqtt.diag.broker.${v.broker}`) }), shown: v.devices.length > 0 };
  });
}
