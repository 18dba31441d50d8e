// What the board shows, in one place: the site, the latest reading per point, the alarms that are not normal,
// and the newest duty-log entries. Views subscribe; the socket and the REST snapshot feed it.
import type {
  AlarmState,
  AlarmView,
  DeviceView,
  DutyLogEntryView,
  PointView,
  ReadingView,
  RoomView,
  SiteView,
  UserView,
} from '../../../src/contract/api.ts';

export type Connection = 'connecting' | 'live' | 'lost';

export type Topic = 'readings' | 'alarms' | 'dutyLog' | 'connection';

/** ISA-18.2: an alarm nobody has acknowledged yet, active or already back to normal, keeps sounding. */
export const UNACKED: ReadonlySet<AlarmState> = new Set<AlarmState>(['unack_active', 'rtn_unack']);
/** The condition is still present (the tile stays coloured). */
export const ACTIVE: ReadonlySet<AlarmState> = new Set<AlarmState>(['unack_active', 'ack_active']);

const DUTY_LOG_KEEP = 200;

export interface SiteIndex {
  rooms: Map<string, RoomView>;
  devices: Map<string, DeviceView>;
  points: Map<string, PointView>;
  devicesByRoom: Map<string, DeviceView[]>;
  pointsByDevice: Map<string, PointView[]>;
}

export function indexSite(site: SiteView): SiteIndex {
  const index: SiteIndex = {
    rooms: new Map(site.rooms.map((r) => [r.id, r])),
    devices: new Map(site.devices.map((d) => [d.id, d])),
    points: new Map(site.points.map((p) => [p.key, p])),
    devicesByRoom: new Map(),
    pointsByDevice: new Map(),
  };
  for (const device of site.devices) push(index.devicesByRoom, device.roomId, device);
  for (const point of site.points) push(index.pointsByDevice, point.deviceId, point);
  return index;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

type LiveEvent =
  | { type: 'readings'; readings: ReadingView[] }
  | { type: 'alarm'; alarm: AlarmView }
  | { type: 'dutyLog'; entry: DutyLogEntryView };

export interface Snapshot {
  readings: ReadingView[];
  alarms: AlarmView[];
  dutyLog: DutyLogEntryView[];
}

export class Store {
  readonly user: UserView;
  readonly site: SiteView;
  readonly index: SiteIndex;
  readonly readings = new Map<string, ReadingView>();
  readonly alarms = new Map<number, AlarmView>();
  /** Newest first. */
  dutyLog: DutyLogEntryView[] = [];
  connection: Connection = 'connecting';

  #listeners = new Map<Topic, Set<() => void>>();
  /** Live events that arrive while a snapshot is being fetched, replayed on top of it (A5: none is lost). */
  #pending: LiveEvent[] | null = null;

  constructor(user: UserView, site: SiteView) {
    this.user = user;
    this.site = site;
    this.index = indexSite(site);
  }

  /** Subscribe; returns the unsubscribe function. */
  on(topic: Topic, listener: () => void): () => void {
    let set = this.#listeners.get(topic);
    if (!set) this.#listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  #emit(topic: Topic): void {
    for (const listener of this.#listeners.get(topic) ?? []) listener();
  }

  setConnection(connection: Connection): void {
    if (this.connection === connection) return;
    this.connection = connection;
    this.#emit('connection');
  }

  /** From now until applySnapshot(), live events are queued instead of applied. */
  beginSnapshot(): void {
    this.#pending ??= [];
  }

  /** Replace the state with a REST snapshot, then replay the live events that came in meanwhile. */
  applySnapshot(snapshot: Snapshot): void {
    const pending = this.#pending ?? [];
    this.#pending = null;
    this.alarms.clear();
    for (const alarm of snapshot.alarms) if (alarm.state !== 'normal') this.alarms.set(alarm.id, alarm);
    for (const reading of snapshot.readings) this.#putReading(reading);
    this.dutyLog = [];
    this.#addDutyLog(snapshot.dutyLog);
    for (const event of pending) this.#apply(event);
    this.#emit('readings');
    this.#emit('alarms');
    this.#emit('dutyLog');
  }

  /** A snapshot that failed: keep what we had and apply the queue. */
  abortSnapshot(): void {
    const pending = this.#pending ?? [];
    this.#pending = null;
    for (const event of pending) this.#apply(event);
    this.#emit('readings');
    this.#emit('alarms');
    this.#emit('dutyLog');
  }

  receive(event: LiveEvent): void {
    if (this.#pending) {
      this.#pending.push(event);
      return;
    }
    this.#apply(event);
    this.#emit(event.type === 'alarm' ? 'alarms' : event.type);
  }

  #apply(event: LiveEvent): void {
    if (event.type === 'readings') for (const r of event.readings) this.#putReading(r);
    else if (event.type === 'alarm') this.#putAlarm(event.alarm);
    else this.#addDutyLog([event.entry]);
  }

  /** Keep the newer reading: a snapshot must not roll a point back. */
  #putReading(reading: ReadingView): void {
    const have = this.readings.get(reading.pointKey);
    if (!have || have.ts <= reading.ts) this.readings.set(reading.pointKey, reading);
  }

  #putAlarm(alarm: AlarmView): void {
    if (alarm.state === 'normal') this.alarms.delete(alarm.id);
    else this.alarms.set(alarm.id, alarm);
  }

  #addDutyLog(entries: DutyLogEntryView[]): void {
    const seen = new Set(this.dutyLog.map((e) => e.id));
    const fresh = entries.filter((e) => !seen.has(e.id));
    if (fresh.length === 0) return;
    this.dutyLog = [...fresh, ...this.dutyLog].sort((a, b) => b.id - a.id).slice(0, DUTY_LOG_KEEP);
  }

  /** Not-normal alarms, the ones needing attention first: unacknowledged, then by priority, then newest. */
  alarmList(): AlarmView[] {
    const rank = { critical: 0, high: 1, medium: 2, low: 3 } as const;
    return [...this.alarms.values()].sort(
      (a, b) =>
        Number(UNACKED.has(b.state)) - Number(UNACKED.has(a.state)) ||
        rank[a.priority] - rank[b.priority] ||
        b.raisedAt - a.raisedAt ||
        b.id - a.id,
    );
  }

  /** What the alarm tone should be: urgent while a critical/high alarm is unacknowledged. */
  soundLevel(): 'urgent' | 'normal' | null {
    let level: 'urgent' | 'normal' | null = null;
    for (const alarm of this.alarms.values()) {
      if (!UNACKED.has(alarm.state)) continue;
      if (alarm.priority === 'critical' || alarm.priority === 'high') return 'urgent';
      level = 'normal';
    }
    return level;
  }

  unackedCount(): number {
    let n = 0;
    for (const alarm of this.alarms.values()) if (UNACKED.has(alarm.state)) n++;
    return n;
  }

  /** Alarms of one point. */
  alarmsOfPoint(pointKey: string): AlarmView[] {
    return [...this.alarms.values()].filter((a) => a.pointKey === pointKey);
  }

  /** Who acknowledged, as the person's name at the time (the gateway records it with the acknowledgement). */
  ackerName(alarm: AlarmView): string | null {
    return alarm.ackedByName ?? alarm.ackedBy;
  }
}
