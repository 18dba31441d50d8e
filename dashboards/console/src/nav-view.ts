// Navigation between the console's pages (Board / Duty log / Roster …). The board stays mounted while
// another page is shown, so live alarms keep their state and sound; other pages are built when opened.
import { h, replaceChildren } from './dom.ts';
import { tr } from './lang.ts';
import type { MessageKey } from '../../../src/i18n/index.ts';

export interface Page {
  id: string;
  label: MessageKey;
  /** Builds the page; called each time it is opened. Returns its element and a clean-up. */
  open(): { el: HTMLElement; destroy?(): void };
}

export interface NavView {
  nav: HTMLElement;
  /** Where the other pages are shown; hidden while the board is. */
  host: HTMLElement;
  destroy(): void;
}

export function navView(board: HTMLElement, pages: readonly Page[]): NavView {
  const host = h('main', { class: 'page-host', 'data-testid': 'page-host', hidden: true });
  let current: { destroy?(): void } | null = null;
  const buttons = new Map<string, HTMLButtonElement>();

  const show = (id: string): void => {
    current?.destroy?.();
    current = null;
    board.hidden = id !== 'board';
    host.hidden = id === 'board';
    for (const [key, b] of buttons) b.setAttribute('aria-current', String(key === id));
    const page = pages.find((p) => p.id === id);
    if (page) {
      const opened = page.open();
      current = opened;
      replaceChildren(host, opened.el);
    } else replaceChildren(host);
  };

  const tab = (id: string, label: MessageKey): HTMLButtonElement => {
    const b = h('button', { type: 'button', class: 'nav-tab', 'data-testid': `nav-${id}`, 'aria-current': String(id === 'board') }, tr(label));
    b.addEventListener('click', () => {
      // The page is remembered in the address, so a language switch (which rebuilds the console) and a reload
      // come back to it.
      history.replaceState(null, '', id === 'board' ? location.pathname + location.search : `#${id}`);
      show(id);
    });
    buttons.set(id, b);
    return b;
  };

  const nav = h('nav', { class: 'nav', 'aria-label': tr('nav.label') }, tab('board', 'nav.board'), pages.map((p) => tab(p.id, p.label)));
  // A link such as a room's QR code (#patrols/<id>) opens its page right after login.
  const linked = /^#([a-z]+)/.exec(location.hash)?.[1];
  if (linked && pages.some((p) => p.id === linked)) show(linked);
  return { nav, host, destroy: () => current?.destroy?.() };
}
