// The historian's state in the header (issue 6): hidden while InfluxDB takes every reading as it comes; while
// it is down or behind, duty staff see that readings are kept on disk, how many wait, and since when; at the
// outbox bound, that readings are being lost, how many and which (issue 17).
import type { HistorianStatusView } from '../../../src/contract/api.ts';
import { api } from './api.ts';
import { h, setText } from './dom.ts';
import { formatDateTime, formatNumber } from './format.ts';
import { tr } from './lang.ts';

const POLL_MS = 5000;

export function historianIndicator(): { el: HTMLElement; destroy(): void } {
  const el = h('span', { class: 'hist', role: 'status', 'data-testid': 'historian-status', hidden: true });

  const show = (s: HistorianStatusView): void => {
    const dropping = s.dropping;
    el.dataset['state'] = dropping ? 'dropping' : s.state;
    // Drops in the past are in the duty log and the historian alarm; the header shows what goes on now.
    el.hidden = s.state === 'ok' && !dropping;
    const minutes = Math.round((s.oldestAgeMs ?? 0) / 60_000);
    const params = { count: formatNumber(s.outboxPoints, 0), minutes };
    // At the bound the plain words say that readings are lost, how many, since when and which (issue 17).
    const text = dropping
      ? tr('historian.dropping', { ...params, lost: formatNumber(dropping.count, 0), since: formatDateTime(dropping.startedAt), what: tr(`historian.what.${dropping.what}`) })
      : tr(s.state === 'down' ? 'historian.down' : 'historian.backlog', params);
    setText(el, text);
    el.title = [tr('historian.detail', { rate: Math.round(s.writeRate), errors: s.writeErrors, rejected: s.rejected, dropped: s.dropped }), s.lastError ?? ''].join('\n');
  };

  const poll = async (): Promise<void> => {
    try {
      show(await api.historianStatus());
    } catch {
      el.hidden = true; // no historian in this gateway, or the console is offline: the connection badge says so
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), POLL_MS);
  return { el, destroy: () => clearInterval(timer) };
}
