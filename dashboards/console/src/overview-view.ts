// The overview (ISA-101 level 1, issue 15): every room of the site in one row of small tiles that fit one
// 1920×1080 screen, each with its state and its few key values. Grey is normal; only an abnormal state has
// colour, and every state has its own shape and word too (never colour alone): ◆ critical, ▲ high, ■ medium,
// ● low alarm, ✕ communication lost, ⊘ out of service, ◇ shelved. A tile opens its room's detail (board-view).
import type { AlarmView, PointView, Priority } from '../../../src/contract/api.ts';
import { h, replaceChildren, setText } from './dom.ts';
import { formatValue } from './format.ts';
import { loc, tr } from './lang.ts';
import { ACTIVE, type Store } from './store.ts';
import type { MessageKey } from '../../../src/i18n/index.ts';

export type RoomState = `alarm-${Priority}` | 'commLost' | 'outOfService' | 'shelved' | 'normal';

const PRIORITY_ORDER: readonly Priority[] = ['critical', 'high', 'medium', 'low'];
/** The shape that goes with each state (legend and tiles). */
export const STATE_MARK: Readonly<Record<RoomState, string>> = {
  'alarm-critical': '◆',
  'alarm-high': '▲',
  'alarm-medium': '■',
  'alarm-low': '●',
  commLost: '✕',
  outOfService: '⊘',
  shelved: '◇',
  normal: '',
};
const STATE_TEXT: Readonly<Record<RoomState, MessageKey>> = {
  'alarm-critical': 'overview.state.alarm-critical',
  'alarm-high': 'overview.state.alarm-high',
  'alarm-medium': 'overview.state.alarm-medium',
  'alarm-low': 'overview.state.alarm-low',
  commLost: 'overview.state.commLost',
  outOfService: 'overview.state.outOfService',
  shelved: 'overview.state.shelved',
  normal: 'overview.state.normal',
};

/** Every state a room is in, worst first: annunciated alarms by priority, comm loss, out of service, shelved. */
export function roomStates(store: Store, roomId: string): RoomState[] {
  const states: RoomState[] = [];
  const inRoom = [...store.alarms.values()].filter((a) => a.roomId === roomId && a.state !== 'normal');
  const annunciated = inRoom.filter((a) => store.annunciationOf(a) === 'annunciated' && (ACTIVE.has(a.state) || a.latched || store.sounds(a)));
  const worst = PRIORITY_ORDER.find((p) => annunciated.some((a) => a.priority === p && a.condition !== 'commLoss'));
  if (worst) states.push(`alarm-${worst}`);
  const devices = store.index.devicesByRoom.get(roomId) ?? [];
  // A comm-loss alarm that returned (the device answers again, the alarm awaits acknowledgement) is no loss now.
  const lost = inRoom.some((a) => a.condition === 'commLoss' && ACTIVE.has(a.state)) || devices.some((d) => (store.index.pointsByDevice.get(d.id) ?? []).some((p) => store.readings.get(p.key)?.quality === 'comm_lost'));
  if (lost) states.push('commLost');
  if (devices.some((d) => store.tags.get(d.id)?.state === 'active')) states.push('outOfService');
  if (inRoom.some((a) => store.annunciationOf(a) === 'shelved')) states.push('shelved');
  return states.length ? states : ['normal'];
}

/** The few values that say how a room is: points with limits (R1 temperature …), else its first points. */
function keyPoints(store: Store, roomId: string): PointView[] {
  const points = (store.index.devicesByRoom.get(roomId) ?? []).flatMap((d) => store.index.pointsByDevice.get(d.id) ?? []);
  const limited = points.filter((p) => p.limits);
  return (limited.length ? limited : points).slice(0, 4);
}

export interface OverviewView {
  el: HTMLElement;
  update(): void;
}

export function overviewView(store: Store): OverviewView {
  const tiles = store.site.rooms.map((room) => {
    const state = h('span', { class: 'ov-state', 'data-testid': `overview-state-${room.id}` });
    const values = h('ul', { class: 'ov-values' });
    const tile = h(
      'button',
      { type: 'button', class: 'ov-tile', 'data-testid': `overview-tile-${room.id}`, 'data-room': room.id },
      h('span', { class: 'ov-name' }, loc(room.name)),
      state,
      values,
    );
    return { room, tile, state, values };
  });

  const legend = h(
    'p',
    { class: 'ov-legend', 'data-testid': 'overview-legend' },
    (Object.keys(STATE_TEXT) as RoomState[]).map((s) => h('span', { class: 'ov-legend-item', 'data-state': s }, h('span', { class: 'ov-mark' }, STATE_MARK[s] || '—'), tr(STATE_TEXT[s]))),
  );
  const el = h(
    'section',
    { class: 'panel overview', 'aria-labelledby': 'overview-title', 'data-testid': 'overview' },
    h('h2', { id: 'overview-title', class: 'panel-title' }, tr('overview.title')),
    h('div', { class: 'ov-tiles' }, tiles.map((t) => t.tile)),
    legend,
  );

  function update(): void {
    for (const t of tiles) {
      const states = roomStates(store, t.room.id);
      const first = states[0]!;
      t.tile.dataset['state'] = first;
      t.tile.dataset['states'] = states.join(' ');
      const count = (s: RoomState): string => {
        const n = countOf(store, t.room.id, s);
        return n > 1 ? ` ×${n}` : '';
      };
      setText(t.state, states.map((s) => `${STATE_MARK[s] ? `${STATE_MARK[s]} ` : ''}${tr(STATE_TEXT[s])}${count(s)}`).join(' · '));
      replaceChildren(
        t.values,
        keyPoints(store, t.room.id).map((p) => {
          const r = store.readings.get(p.key);
          const text = r && r.quality === 'good' ? (loc(p.values?.[String(r.value)]) || `${formatValue(r.value, p.precision)}${p.unit ? ` ${p.unit}` : ''}`) : '—';
          const device = store.index.devices.get(p.deviceId);
          return h('li', { 'data-point': p.key }, h('span', { class: 'ov-point' }, `${device && (store.index.devicesByRoom.get(p.roomId)?.length ?? 0) > 1 ? `${loc(device.name)} · ` : ''}${loc(p.label)}`), h('span', { class: 'ov-value' }, text));
        }),
      );
    }
  }

  update();
  return { el, update };
}

function countOf(store: Store, roomId: string, state: RoomState): number {
  if (!state.startsWith('alarm-')) return 0;
  const priority = state.slice('alarm-'.length);
  return [...store.alarms.values()].filter((a: AlarmView) => a.roomId === roomId && a.priority === priority && a.state !== 'normal' && store.annunciationOf(a) === 'annunciated').length;
}
