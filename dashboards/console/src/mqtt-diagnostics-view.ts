// MQTT device diagnostics (issue 3): per device link, messages, malformed payloads with the last error and when,
// and what the broker refused for its login. Fetched from GET /api/diagnostics/mqtt while the panel is open.
import type { MqttDeviceDiagnosticsView, MqttDiagnosticsView } from '../../../src/contract/api.ts';
import { api } from './api.ts';
import { h, replaceChildren } from './dom.ts';
import { formatDateTime } from './format.ts';
import { loc, tr } from './lang.ts';
import type { Store } from './store.ts';

export interface MqttDiagnosticsPanel {
  el: HTMLElement;
  destroy(): void;
}

const REFRESH_MS = 5000;
const columns = ['device', 'link', 'messages', 'malformed', 'lastError', 'lastMessage', 'refused'] as const;

export function mqttDiagnosticsView(store: Store): MqttDiagnosticsPanel {
  const body = h('tbody');
  const status = h('p', { class: 'muted', 'data-testid': 'mqtt-diag-status' });
  const table = h(
    'table',
    { class: 'diag-table', 'data-testid': 'mqtt-diagnostics' },
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, tr(`mqtt.diag.col.${c}`))))),
    body,
  );
  // Hidden until the first answer shows the site has MQTT devices at all.
  const details = h('details', { class: 'panel diag-panel', 'data-testid': 'mqtt-diagnostics-panel', hidden: true }, h('summary', { class: 'panel-title' }, tr('mqtt.diag.title')), status, table);
  let timer: ReturnType<typeof setInterval> | undefined;

  const name = (id: string): string => {
    const d = store.index.devices.get(id);
    return d ? loc(d.name) : id;
  };
  const row = (d: MqttDeviceDiagnosticsView): HTMLElement => {
    // The kinds the broker tells (an external Mosquitto's log tells only some; the others are null).
    const known = Object.values(d.refused ?? {}).filter((n): n is number => n !== null);
    const refused = known.length > 0 ? known.reduce((a, b) => a + b, 0) : null;
    return h(
      'tr',
      { 'data-testid': `mqtt-diag-${d.deviceId}`, 'data-online': String(d.online), 'data-malformed': d.malformed },
      h('td', {}, name(d.deviceId)),
      h('td', { class: d.online === false ? 'diag-offline' : '' }, tr(d.online === null ? 'mqtt.diag.unknown' : d.online ? 'mqtt.diag.online' : 'mqtt.diag.offline')),
      h('td', { class: 'num' }, d.messages),
      h('td', { class: d.malformed > 0 ? 'num diag-bad' : 'num' }, d.malformed),
      h('td', { class: 'diag-error' }, d.lastError ? `${d.lastErrorAt ? formatDateTime(d.lastErrorAt) + ' ' : ''}${d.lastError}` : '—'),
      h('td', {}, d.lastMessageAt ? formatDateTime(d.lastMessageAt) : '—'),
      h('td', { class: 'num' }, refused === null ? '—' : refused),
    );
  };
  const render = (v: MqttDiagnosticsView): void => {
    details.hidden = v.devices.length === 0;
    status.textContent = tr(v.connected ? 'mqtt.diag.connected' : 'mqtt.diag.disconnected', { broker: tr(`mqtt.diag.broker.${v.broker}`) });
    replaceChildren(body, v.devices.map(row));
  };
  const refresh = (): void => {
    api.mqttDiagnostics().then(render, () => (status.textContent = tr('mqtt.diag.unavailable')));
  };
  details.addEventListener('toggle', () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (!details.open) return;
    refresh();
    timer = setInterval(refresh, REFRESH_MS);
  });
  refresh();
  return {
    el: details,
    destroy() {
      if (timer) clearInterval(timer);
    },
  };
}
