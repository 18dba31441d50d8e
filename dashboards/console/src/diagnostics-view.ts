// The console's device diagnostics page (issue 3; a page of its own in the navigation since issue 15, no longer
// a collapsed panel at the bottom of the board): a section per source (MQTT, Modbus), each filled from its
// GET /api/diagnostics/<source> every 5 s while the page is open. A section stays hidden while the site has no
// devices of that source. The cells every source shows (device
// name, link, last error, a time) are made here, so the sections read the same way.
import type { MessageKey } from '../../../src/i18n/index.ts';
import { h } from './dom.ts';
import { formatDateTime } from './format.ts';
import { loc, tr } from './lang.ts';
import type { Store } from './store.ts';

export interface DiagnosticsSection {
  el: HTMLElement;
  refresh(): Promise<void>;
}

const REFRESH_MS = 5000;

/** A table with its header row; rows go into `body`. */
export function diagTable(testId: string, columns: readonly MessageKey[]): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const body = h('tbody');
  const table = h('table', { class: 'diag-table scroll-x', 'data-testid': testId }, h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, tr(c))))), body);
  return { table, body };
}

/**
 * A source's section: a heading, a status line and its tables. `render` fills the tables from the source's
 * view and says what the status line reads and whether the site has devices of this source at all.
 */
export function diagSection<V>(source: string, title: MessageKey, tables: readonly HTMLElement[], fetch: () => Promise<V>, render: (view: V) => { status: string; shown: boolean }): DiagnosticsSection {
  const status = h('p', { class: 'muted', 'data-testid': `${source}-diag-status` });
  const el = h('section', { class: 'diag-section', 'data-testid': `${source}-diagnostics`, hidden: true }, h('h3', { class: 'diag-title' }, tr(title)), status, ...tables);
  return {
    el,
    refresh: () =>
      fetch().then(
        (view) => {
          const r = render(view);
          status.textContent = r.status;
          el.hidden = !r.shown;
        },
        () => {
          status.textContent = tr('diag.unavailable');
        },
      ),
  };
}

export const diagCell = {
  device: (store: Store, id: string): HTMLElement => {
    const d = store.index.devices.get(id);
    return h('td', {}, d ? loc(d.name) : id);
  },
  link: (online: boolean | null): HTMLElement =>
    h('td', { class: online === false ? 'diag-offline' : '' }, tr(online === null ? 'diag.unknown' : online ? 'diag.online' : 'diag.offline')),
  count: (n: number, bad = false): HTMLElement => h('td', { class: bad && n > 0 ? 'num diag-bad' : 'num' }, n),
  error: (lastError: string | null, at: number | null): HTMLElement => h('td', { class: 'diag-error' }, lastError ? `${at ? formatDateTime(at) + ' ' : ''}${lastError}` : '—'),
  time: (ts: number | null): HTMLElement => h('td', {}, ts ? formatDateTime(ts) : '—'),
};

export function diagnosticsPage(sections: readonly DiagnosticsSection[]): { el: HTMLElement; destroy(): void } {
  const none = h('p', { class: 'muted', 'data-testid': 'diagnostics-none', hidden: true }, tr('diag.none'));
  const el = h('section', { class: 'panel diag-panel', 'data-testid': 'diagnostics-page' }, h('h2', { class: 'panel-title' }, tr('diag.title')), none, ...sections.map((s) => s.el));
  const refresh = (): void => {
    void Promise.all(sections.map((s) => s.refresh())).then(() => {
      none.hidden = sections.some((s) => !s.el.hidden);
    });
  };
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return { el, destroy: () => clearInterval(timer) };
}
