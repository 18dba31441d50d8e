// The board after login: header (site, clock, connection, user, sound, language, logout), the warning
// banners, the alarm list, the room tiles and the duty log.
import { h, setText } from './dom.ts';
import { clockOffset, NOTICE_MS, now } from './clock.ts';
import { formatClock, formatClockOffset } from './format.ts';
import { loc, tr } from './lang.ts';
import { langSwitch } from './lang-switch.ts';
import { alarmsView } from './alarms-view.ts';
import { dutyLogView } from './duty-log-view.ts';
import { roomsView } from './rooms-view.ts';
import { overviewView } from './overview-view.ts';
import { floodBanner } from './flood-banner.ts';
import { navView } from './nav-view.ts';
import { consolePages } from './pages.ts';
import { historianIndicator } from './historian-status.ts';
import { trendView } from './trend-view.ts';
import { rosterApi } from './roster-api.ts';
import type { AlarmSound } from './sound.ts';
import type { LiveSocket } from './socket.ts';
import type { Store } from './store.ts';

export interface BoardContext {
  store: Store;
  socket: LiveSocket;
  sound: AlarmSound;
  onLogout(): void;
}

export interface BoardView {
  el: HTMLElement;
  /** The sound was enabled or disabled (by the user or by the browser). */
  soundChanged(): void;
  destroy(): void;
}

export function boardView(ctx: BoardContext): BoardView {
  const { store, sound } = ctx;
  const user = store.user;

  const clock = h('span', { class: 'clock', title: tr('header.clock'), 'data-testid': 'site-clock' });
  const connection = h('span', { class: 'conn', role: 'status', 'data-testid': 'connection-status' });
  // L6: this PC's clock is not the clock of record; say so when it is far off (times shown are the gateway's).
  const clockNote = h('span', { class: 'clock-note', 'data-testid': 'clock-offset', hidden: true });
  const soundButton = h('button', { type: 'button', class: 'btn btn--sound', 'data-testid': 'sound-button' });
  soundButton.addEventListener('click', () => void (sound.enabled ? sound.disable() : sound.enable()));
  const logout = h('button', { type: 'button', class: 'btn', 'data-testid': 'logout-button' }, tr('header.logout'));
  logout.addEventListener('click', () => ctx.onLogout());

  // "On shift" only for a person of the shift in progress (roster); anyone else is just signed in (issue 15).
  const userName = h('span', { class: 'user-name', 'data-testid': 'user-name' }, tr('header.signedInAs', { name: user.displayName }));
  const updateOnShift = (): void =>
    void rosterApi.onDuty().then(
      (d) => setText(userName, tr(d.people.some((p) => p.username === user.username) ? 'header.onShift' : 'header.signedInAs', { name: user.displayName })),
      () => undefined, // unknown: "signed in" stays, which is true either way
    );
  updateOnShift();
  const historian = historianIndicator();
  const trends = trendView(store);
  const header = h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'topbar-site' },
      h('span', { class: 'brand' }, 'Roomwatch'),
      h('span', { class: 'site-name', 'data-testid': 'site-name' }, loc(store.site.name)),
      store.site.demo ? h('span', { class: 'badge badge--demo', 'data-testid': 'demo-badge' }, tr('header.demo')) : null,
    ),
    h('div', { class: 'topbar-status' }, clock, clockNote, connection, historian.el),
    h(
      'div',
      { class: 'topbar-user' },
      userName,
      h('span', { class: 'badge badge--role', 'data-testid': 'user-role' }, tr(`role.${user.role}`)),
      soundButton,
      langSwitch(),
      logout,
    ),
  );

  const connBanner = h('div', { class: 'banner banner--conn', role: 'alert', 'data-testid': 'connection-banner', hidden: true });
  const soundBanner = h('div', { class: 'banner banner--sound blink', role: 'alert', 'data-testid': 'sound-warning', hidden: true });

  const flood = floodBanner(store);
  const alarms = alarmsView(store, ctx.socket);
  const rooms = roomsView(store, ctx.socket);
  const dutyLog = dutyLogView(store);

  // Room detail one click away (a tile of the overview, a room named in an alarm row) and back to where the
  // jump came from (issue 15). Any element with data-room opens that room; data-back-from-room returns.
  let cameFrom: HTMLElement | null = null;
  const overview = overviewView(store);
  const boardMain = h('main', { class: 'board-main' }, overview.el, alarms.el, h('div', { class: 'board-lower' }, rooms.el, dutyLog.el), trends.el);
  boardMain.addEventListener('click', (ev) => {
    const target = ev.target instanceof Element ? ev.target : null;
    const opener = target?.closest<HTMLElement>('[data-room]');
    if (opener?.dataset['room']) {
      ev.preventDefault();
      cameFrom = opener;
      rooms.show(opener.dataset['room']);
      return;
    }
    if (target?.closest('[data-back-from-room]')) {
      ev.preventDefault();
      const back = cameFrom?.isConnected ? cameFrom : overview.el;
      back.scrollIntoView({ block: 'center' });
      back.focus();
    }
  });
  const nav = navView(boardMain, consolePages(store));
  const el = h('div', { class: 'board', 'data-testid': 'board' }, header, nav.nav, connBanner, soundBanner, flood.el, boardMain, nav.host);

  function updateConnection(): void {
    el.dataset['connection'] = store.connection;
    connection.dataset['state'] = store.connection;
    setText(connection, store.connection === 'live' ? tr('conn.live') : store.connection === 'lost' ? tr('conn.offlineShort') : tr('conn.connecting'));
    setText(connBanner, store.connection === 'lost' ? tr('conn.lost') : tr('conn.connecting'));
    connBanner.hidden = store.connection === 'live';
    connBanner.dataset['state'] = store.connection;
    rooms.update();
    overview.update();
  }

  function updateSound(): void {
    sound.setLevel(store.soundLevel());
    const unacked = store.unackedCount();
    soundButton.setAttribute('aria-pressed', String(sound.enabled));
    soundButton.dataset['enabled'] = String(sound.enabled);
    // Plain text, no emoji: an air-gapped PC may have no emoji font.
    setText(soundButton, sound.enabled ? tr('sound.on') : tr('sound.enable'));
    soundButton.title = sound.enabled ? tr('sound.disable') : tr('sound.enable');
    if (!sound.supported) soundButton.disabled = true;
    const warn = !sound.enabled && unacked > 0;
    setText(soundBanner, sound.supported ? tr('sound.warning', { count: unacked }) : tr('sound.unsupported'));
    soundBanner.hidden = !warn;
  }

  const alarmsChanged = (): void => {
    alarms.update();
    rooms.update();
    overview.update();
    updateSound();
  };

  const unsubscribe = [
    store.on('readings', () => {
      rooms.update();
      overview.update();
    }),
    store.on('alarms', alarmsChanged),
    // The duty log names who acknowledged; the alarm rows read it.
    store.on('dutyLog', () => {
      if (store.dutyLog[0]?.kind.startsWith('shift.')) updateOnShift();
      dutyLog.update();
      alarms.update();
    }),
    store.on('connection', updateConnection),
    // A tag changes whether the device's alarms are annunciated (out of service, R5/A6).
    store.on('tags', alarmsChanged),
    // Chattering badges in the list follow the summary.
    store.on('summary', () => {
      flood.update();
      alarms.update();
    }),
  ];

  const tick = () => {
    const at = now();
    setText(clock, formatClock(at));
    const offset = clockOffset();
    clockNote.hidden = offset === null || Math.abs(offset) < NOTICE_MS;
    if (offset !== null && !clockNote.hidden) setText(clockNote, formatClockOffset(offset));
    rooms.tick(at);
    alarms.tick(at);
  };
  const timer = setInterval(tick, 1000);
  tick();
  updateConnection();
  updateSound();

  return {
    el,
    soundChanged: updateSound,
    destroy() {
      nav.destroy();
      clearInterval(timer);
      historian.destroy();
      trends.destroy();
      for (const off of unsubscribe) off();
      for (const dialog of document.querySelectorAll('dialog')) dialog.remove();
    },
  };
}
