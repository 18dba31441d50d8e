// What the board shows, in one place: the site, the latest reading per point, the alarms that are not normal,
// and the newest duty-log entries. Views subscribe; the socket and the REST snapshot feed it.
import type {
  AlarmState,
  AlarmSummary,
  AlarmView,
  Annunciation,
  DeviceTagView,
  DeviceView,
  DutyLogEntryView,
  PointView,
  ReadingView,
  RoomView,
  SiteView,
  SessionView,
  Action,
} from '../../../src/contract/api.ts';

export type Connection = 'connecting' | 'live' | 'lost';

export type Topic = 'readings' | 'alarms' | 'dutyLog' | 'connection' | 'tags' | 'summary';

/** ISA-18.2: an alarm nobody has acknowledged yet (active, back to normal, or latched E) keeps sounding. */
export const UNACKED: ReadonlySet<AlarmState> = new Set<AlarmState>(['unack_active', 'rtn_unack', 'latched_unack']);
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
  | { type: 'dutyLog'; entry: DutyLogEntryView }
  | { type: 'tags'; tag: TagEvent }
  | { type: 'summary'; summary: AlarmSummary };

/** The `deviceTag` socket event: a tag as it is now, or its removal. */
export type TagEvent = DeviceTagView | { deviceId: string; removed: true };

export interface Snapshot {
  readings: ReadingView[];
  alarms: AlarmView[];
  dutyLog: DutyLogEntryView[];
  tags: DeviceTagView[];
  summary: AlarmSummary | null;
}

export class Store {
  /** Who is logged in and what they may do: the gateway's one permission table, never a list of our own. */
  readonly user: SessionView;
  readonly site: SiteView;
  readonly index: SiteIndex;
  readonly readings = new Map<string, ReadingView>();
  readonly alarms = new Map<number, AlarmView>();
  /** Newest first. */
  dutyLog: DutyLogEntryView[] = [];
  /** Maintenance tags and isolations by device (R5, A6). */
  readonly tags = new Map<string, DeviceTagView>();
  /** Alarm load (EEMUA 191): flood and chattering. */
  summary: AlarmSummary | null = null;
  connection: Connection = 'connecting';

  #listeners = new Map<Topic, Set<() => void>>();
  /** Live events that arrive while a snapshot is being fetched, replayed on top of it (A5: none is lost). */
  #pending: LiveEvent[] | null = null;

  constructor(user: SessionView, site: SiteView) {
    this.user = user;
    this.site = site;
    this.index = indexSite(site);
  }

  /** Whether the gateway's permission table lets this user do `action` (the gateway checks again anyway). */
  can(action: Action): boolean {
    return this.user.permissions.includes(action);
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
    this.tags.clear();
    for (const tag of snapshot.tags) this.tags.set(tag.deviceId, tag);
    this.summary = snapshot.summary;
    for (const event of pending) this.#apply(event);
    this.#emitAll();
  }

  /** A snapshot that failed: keep what we had and apply the queue. */
  abortSnapshot(): void {
    const pending = this.#pending ?? [];
    this.#pending = null;
    for (const event of pending) this.#apply(event);
    this.#emitAll();
  }

  #emitAll(): void {
    for (const topic of ['readings', 'tags', 'summary', 'alarms', 'dutyLog'] as const) this.#emit(topic);
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
    else if (event.type === 'tags') this.#putTag(event.tag);
    else if (event.type === 'summary') this.summary = event.summary;
    else this.#addDutyLog([event.entry]);
  }

  #putTag(event: TagEvent): void {
    if ('removed' in event) this.tags.delete(event.deviceId);
    else this.tags.set(event.deviceId, event);
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
      if (!this.sounds(alarm)) continue;
      if (alarm.priority === 'critical' || alarm.priority === 'high') return 'urgent';
      level = 'normal';
    }
    return level;
  }

  unackedCount(): number {
    let n = 0;
    for (const alarm of this.alarms.values()) if (this.sounds(alarm)) n++;
    return n;
  }

  /**
   * ISA-18.2 G/H/I as the console sees it now. The device's tag in this store is the truth for out of service:
   * approving or removing a tag changes the annunciation of the device's alarms without a new alarm event.
   */
  annunciationOf(alarm: AlarmView): Annunciation {
    if (this.tags.get(alarm.deviceId)?.state === 'active') return 'out_of_service';
    if (alarm.annunciation === 'out_of_service') return alarm.shelved ? 'shelved' : 'annunciated';
    return alarm.annunciation;
  }

  /**
   * Unacknowledged, still in alarm (or latched) and annunciated: it flashes and sounds. Shelved, suppressed, out
   * of service never do; neither does one that returned to normal unacknowledged: it waits in the list, first,
   * for its acknowledgement (ISA-18.2 state D, docs/alarms.md).
   */
  sounds(alarm: AlarmView): boolean {
    return UNACKED.has(alarm.state) && alarm.state !== 'rtn_unack' && this.annunciationOf(alarm) === 'annunciated';
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
