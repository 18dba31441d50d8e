// Modbus section of the diagnostics panel (issue 3): per link (serial port or endpoint) its state and
// reconnections; per device the requests, answers, silences, link errors, exceptions by code with their
// meaning, busy retries, failed cycles, whether its configuration matches (devices.md §5 implication 2), the
// last error and the last good answer (GET /api/diagnostics/modbus).
import type { ModbusDeviceDiagnosticsView, ModbusDiagnosticsView, ModbusExceptionCount, ModbusLinkDiagnosticsView } from '../../../src/contract/api.ts';
import { isMessageKey } from '../../../src/i18n/index.ts';
import { api } from './api.ts';
import { h, replaceChildren } from './dom.ts';
import { diagCell, diagSection, diagTable, type DiagnosticsSection } from './diagnostics-view.ts';
import { loc, tr } from './lang.ts';
import type { Store } from './store.ts';

/** "02 illegal data address ×12", the meaning in the console's language where it has one. */
function exceptionText(e: ModbusExceptionCount): string {
  const key = `modbus.exception.${e.code}`;
  const meaning = isMessageKey(key) ? tr(key) : e.meaning;
  return tr('modbus.diag.exception', { code: e.code.toString(16).toUpperCase().padStart(2, '0'), meaning, count: e.count });
}

export function modbusDiagnosticsSection(store: Store): DiagnosticsSection {
  const links = diagTable('modbus-links-table', ['modbus.diag.col.port', 'modbus.diag.col.state', 'modbus.diag.col.reconnects', 'modbus.diag.col.connectFailures', 'modbus.diag.col.staleBytes', 'modbus.diag.col.lateAnswers', 'diag.col.lastError', 'modbus.diag.col.devices']);
  const devices = diagTable('modbus-diagnostics-table', [
    'diag.col.device',
    'diag.col.link',
    'modbus.diag.col.requests',
    'modbus.diag.col.answers',
    'modbus.diag.col.noAnswer',
    'modbus.diag.col.badFrames',
    'modbus.diag.col.transportErrors',
    'modbus.diag.col.exceptions',
    'modbus.diag.col.busyRetries',
    'modbus.diag.col.cycles',
    'modbus.diag.col.config',
    'diag.col.lastError',
    'modbus.diag.col.lastGood',
  ]);
  const name = (id: string): string => {
    const d = store.index.devices.get(id);
    return d ? loc(d.name) : id;
  };
  const linkRow = (l: ModbusLinkDiagnosticsView): HTMLElement =>
    h(
      'tr',
      { 'data-testid': `modbus-link-${l.key}`, 'data-state': l.state },
      h('td', { class: 'diag-error' }, l.key),
      h('td', { class: l.state === 'disconnected' ? 'diag-offline' : '' }, tr(`modbus.diag.state.${l.state}`)),
      diagCell.count(l.reconnects),
      diagCell.count(l.connectFailures), // every failed reopen of a serial port or socket (issue 12)
      diagCell.count(l.staleBytesDropped), // late answers, stray frames, noise thrown away on an RTU line
      diagCell.count(l.lateAnswersDropped, true), // answers after their timeout: never taken for a later request's
      diagCell.error(l.lastError, null),
      h('td', {}, l.devices.map(name).join(tr('list.separator'))),
    );
  const deviceRow = (d: ModbusDeviceDiagnosticsView): HTMLElement =>
    h(
      'tr',
      {
        'data-testid': `modbus-diag-${d.deviceId}`,
        'data-online': String(d.online),
        'data-config': d.configProblem === null ? 'ok' : 'mismatch',
        'data-exceptions': d.exceptions.map((e) => `${e.code}:${e.count}`).join(' '),
      },
      diagCell.device(store, d.deviceId),
      diagCell.link(d.online),
      diagCell.count(d.requests),
      diagCell.count(d.answers),
      diagCell.count(d.noAnswer, true),
      diagCell.count(d.badFrames, true), // bad CRC, or not this request's answer (issue 12 §1b)
      diagCell.count(d.transportErrors, true),
      h('td', { class: d.exceptions.length > 0 ? 'diag-bad' : '' }, d.exceptions.length > 0 ? d.exceptions.map(exceptionText).join(', ') : '—'),
      diagCell.count(d.busyRetries),
      h('td', { class: d.failedCycles > 0 ? 'num diag-bad' : 'num' }, `${d.failedCycles} / ${d.cycles}`),
      h('td', { class: d.configProblem === null ? '' : 'diag-offline', title: d.configProblem ?? '' }, tr(d.configProblem === null ? 'modbus.diag.configOk' : 'modbus.diag.configMismatch')),
      diagCell.error(d.lastError, d.lastErrorAt),
      diagCell.time(d.lastGoodAt),
    );
  return diagSection('modbus', 'modbus.diag.title', [links.table, devices.table], api.modbusDiagnostics, (v: ModbusDiagnosticsView) => {
    replaceChildren(links.body, v.links.map(linkRow));
    replaceChildren(devices.body, v.devices.map(deviceRow));
    return { status: tr('modbus.diag.status', { links: v.links.length, devices: v.devices.length }), shown: v.devices.length > 0 };
  });
}
