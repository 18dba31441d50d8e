// The historian's state in the header (issue 6): hidden while InfluxDB takes every reading as it comes; while
// it is down or behind, duty staff see that readings are kept on disk, how many wait, and since when.
import type { HistorianStatusView } from '../../../src/contract/api.ts';
import { api } from './api.ts';
import { h, setText } from './dom.ts';
import { formatNumber } from './format.ts';
import { tr } from './lang.ts';

const POLL_MS = 5000;

export function historianIndicator(): { el: HTMLElement; destroy(): void } {
  const el = h('span', { class: 'hist', role: 'status', 'data-testid': 'historian-status', hidden: true });

  const show = (s: HistorianStatusView): void => {
    el.dataset['state'] = s.state;
    el.hidden = s.state === 'ok' && s.dropped === 0;
    const minutes = Math.round((s.oldestAgeMs ?? 0) / 60_000);
    const params = { count: formatNumber(s.outboxPoints, 0), minutes };
    setText(el, s.state === 'down' ? tr('historian.down', params) : s.state === 'backlog' ? tr('historian.backlog', params) : tr('historian.dropped', { count: s.dropped }));
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
