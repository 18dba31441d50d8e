// Room tiles: one per room, its devices' points with value, unit, quality and the age of the reading.
// A reading is shown as a live number only when its quality is good and the feed is connected; otherwise the
// tile says why (comm lost, stale, bad, no connection) and shows the last value marked "not live".
import type { PointView } from '../../../src/contract/api.ts';
import { h, setText } from './dom.ts';
import { now } from './clock.ts';
import { formatAge, formatNumber, formatValue, withUnit } from './format.ts';
import { loc, tr } from './lang.ts';
import { conditionText, isDeviceLevel, limitsText, severity, type Severity } from './alarm-text.ts';
import { ACTIVE, UNACKED, type Store } from './store.ts';
import { deviceTagView, type DeviceTagView } from './device-tag-view.ts';
import type { LiveSocket } from './socket.ts';

interface PointRefs {
  point: PointView;
  row: HTMLElement;
  value: HTMLElement;
  unit: HTMLElement;
  status: HTMLElement;
  age: HTMLElement;
  alarm: HTMLElement;
}

interface TileRefs {
  roomId: string;
  tile: HTMLElement;
  status: HTMLElement;
  points: PointRefs[];
  tags: DeviceTagView[];
}

export interface RoomsView {
  el: HTMLElement;
  update(): void;
  tick(now: number): void;
  /** Bring a room's detail into view and focus it (from the overview or an alarm row). */
  show(roomId: string): void;
}

export function roomsView(store: Store, socket: LiveSocket): RoomsView {
  const tiles: TileRefs[] = store.site.rooms.map((room) => {
    const status = h('span', { class: 'tile-status', 'data-testid': `room-status-${room.id}` });
    const points: PointRefs[] = [];
    const tags: DeviceTagView[] = [];
    const devices = (store.index.devicesByRoom.get(room.id) ?? []).map((device) => {
      // R5: the maintenance tag (挂牌) hangs on the device in its tile, for everyone to see.
      const tag = deviceTagView(store, socket, device);
      tags.push(tag);
      return h(
        'section',
        { class: 'device', 'data-testid': `device-${device.id}` },
        h('div', { class: 'device-head' }, h('h4', { class: 'device-name' }, loc(device.name)), tag.button),
        tag.el,
        (store.index.pointsByDevice.get(device.id) ?? []).map((point) => {
          const refs = pointRow(point);
          points.push(refs);
          return refs.row;
        }),
      );
    });
    const back = h('button', { type: 'button', class: 'btn btn--small btn--plain', 'data-back-from-room': room.id, 'data-testid': `room-back-${room.id}` }, tr('overview.back'));
    const tile = h(
      'article',
      { class: 'tile', 'data-testid': `room-tile-${room.id}`, tabindex: -1, 'aria-label': loc(room.name) },
      h(
        'header',
        { class: 'tile-head' },
        h('div', {}, h('h3', { class: 'tile-name' }, loc(room.name)), h('span', { class: 'tile-kind' }, roomKind(room.kind))),
        h('div', { class: 'tile-tools' }, status, back),
      ),
      devices.length ? devices : h('p', { class: 'muted' }, tr('room.noPoints')),
    );
    return { roomId: room.id, tile, status, points, tags };
  });

  const el = h(
    'section',
    { class: 'panel rooms', 'aria-labelledby': 'rooms-title' },
    h('h2', { id: 'rooms-title', class: 'panel-title' }, tr('rooms.title')),
    tiles.length ? h('div', { class: 'tiles' }, tiles.map((t) => t.tile)) : h('p', { class: 'muted' }, tr('rooms.empty')),
  );

  function update(): void {
    const at = now();
    const live = store.connection === 'live';
    for (const tile of tiles) {
      let worst: Severity | null = null;
      let unacked = false;
      for (const tag of tile.tags) tag.update();
      for (const refs of tile.points) {
        const s = updatePoint(refs, live, at);
        if (s.severity === 'alarm' || (s.severity === 'warning' && worst === null)) worst = s.severity;
        unacked ||= s.unacked;
      }
      // Device-level alarms (comm loss, isolation overnight) colour their room too, when annunciated.
      for (const alarm of store.alarms.values()) {
        if (alarm.roomId !== tile.roomId || !isDeviceLevel(alarm) || alarm.state === 'normal' || store.annunciationOf(alarm) !== 'annunciated') continue;
        const s = severity(alarm);
        if (ACTIVE.has(alarm.state) && (s === 'alarm' || worst === null)) worst = s;
        unacked ||= UNACKED.has(alarm.state);
      }
      // A room with a device tagged out of service is not "Normal": its alarms are not being annunciated (R5).
      const tagged = tile.tags.some((t) => t.active());
      tile.tile.dataset['severity'] = worst ?? (tagged ? 'tagged' : 'normal');
      tile.tile.classList.toggle('blink', unacked);
      const status = worst === 'alarm' ? 'room.status.alarm' : worst === 'warning' ? 'room.status.warning' : tagged ? 'lifecycle.tile.tagged' : 'room.status.normal';
      setText(tile.status, tr(status));
    }
  }

  function updatePoint(refs: PointRefs, live: boolean, now: number): { severity: Severity | null; unacked: boolean } {
    const reading = store.readings.get(refs.point.key);
    const fresh = live && reading?.quality === 'good';
    refs.row.dataset['quality'] = !reading ? 'none' : live ? reading.quality : 'offline';
    refs.row.classList.toggle('not-live', !fresh);
    if (fresh) {
      // An enumerated value reads as the manual names it: "57 Dry running", "Run" (profile `values`).
      const text = loc(refs.point.values?.[String(reading.value)]);
      const shown = formatValue(reading.value, refs.point.precision);
      setText(refs.value, !text ? shown : typeof reading.value === 'boolean' ? text : `${shown} ${text}`);
      setText(refs.unit, reading.unit || refs.point.unit);
      setText(refs.status, '');
    } else {
      // Never a frozen number as if fresh: the big text says why, the last value is small and marked.
      setText(refs.value, !reading ? '—' : live ? tr(`quality.${reading.quality}`) : tr('conn.offlineShort'));
      setText(refs.unit, '');
      setText(
        refs.status,
        reading && reading.value !== null
          ? tr('point.lastValue', { value: withUnit(formatValue(reading.value, refs.point.precision), reading.unit || refs.point.unit) })
          : reading?.detail ?? (reading ? '' : tr('point.noReading')),
      );
    }
    setText(refs.age, reading ? formatAge(reading.ts, now) : '');

    // Alarms on this point: the worst active one colours the row; an unacknowledged one makes it blink.
    let worst: Severity | null = null;
    let label = '';
    let unacked = false;
    for (const alarm of store.alarmsOfPoint(refs.point.key)) {
      // Shelved, suppressed and out-of-service alarms neither colour nor flash the tile (ISA-18.2 G/H/I).
      if (store.annunciationOf(alarm) !== 'annunciated') continue;
      unacked ||= store.sounds(alarm);
      // A latched fire alarm (A4) keeps its colour after the contact clears, until it is reset.
      if (!ACTIVE.has(alarm.state) && !alarm.latched) continue;
      const s = severity(alarm);
      if (worst === null || s === 'alarm') {
        worst = s;
        label = conditionText(alarm.condition);
      }
    }
    refs.row.dataset['severity'] = worst ?? 'normal';
    refs.row.classList.toggle('blink', unacked);
    setText(refs.alarm, label);
    refs.alarm.hidden = !label;
    return { severity: worst, unacked };
  }

  function tick(now: number): void {
    for (const tile of tiles) {
      for (const refs of tile.points) {
        const reading = store.readings.get(refs.point.key);
        if (reading) setText(refs.age, formatAge(reading.ts, now));
      }
    }
  }

  function show(roomId: string): void {
    for (const t of tiles) t.tile.toggleAttribute('data-selected', t.roomId === roomId);
    const tile = tiles.find((t) => t.roomId === roomId)?.tile;
    tile?.scrollIntoView({ block: 'start' });
    tile?.focus();
  }

  update();
  return { el, update, tick, show };
}

function pointRow(point: PointView): PointRefs {
  const key = point.key;
  const value = h('span', { class: 'point-value', 'data-testid': `point-value-${key}` });
  const unit = h('span', { class: 'point-unit', 'data-testid': `point-unit-${key}` });
  const status = h('span', { class: 'point-status', 'data-testid': `point-status-${key}` });
  const age = h('span', { class: 'point-age', 'data-testid': `point-age-${key}` });
  const alarm = h('span', { class: 'point-alarm', 'data-testid': `point-alarm-${key}`, hidden: true });
  const limits = limitsText(point.limits, formatNumber);
  const row = h(
    'div',
    { class: 'point', 'data-testid': `point-${key}` },
    h('div', { class: 'point-label' }, loc(point.label), alarm),
    h('div', { class: 'point-reading' }, value, unit),
    h('div', { class: 'point-meta' }, status, age),
    limits ? h('div', { class: 'point-limits' }, `${tr('point.limits')}: ${limits}${point.unit ? ` ${point.unit}` : ''}`) : null,
  );
  return { point, row, value, unit, status, age, alarm };
}

function roomKind(kind: string): string {
  switch (kind) {
    case 'distribution':
    case 'pump':
    case 'chiller':
    case 'fire-control':
    case 'cctv':
      return tr(`room.kind.${kind}`);
    default:
      return tr('room.kind.other');
  }
}
