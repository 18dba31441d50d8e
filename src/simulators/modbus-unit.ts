// One simulated Modbus unit: a device profile's register map with scenario control (set, ramp, exception,
// offline, slow). Values are set in engineering units and encoded with the poller's own codec (decode.ts),
// so both sides share one truth. Behaviour of a real unit (devices.md §5): unknown registers answer
// exception 02; an offline unit sends nothing (the client times out); the gateway only reads (R4).
import type { ModbusProfile, RegisterTable } from '../devices/profile-schema.ts';
import { registerCount } from '../devices/profiles.ts';
import { compileCodec, type PointCodec } from '../sources/modbus/decode.ts';

/** The answer to one read: the words/bits, an exception code, or nothing at all (`silent`). */
export type UnitAnswer = { words: number[] } | { exception: number } | 'silent';

export interface SimulatedUnit {
  readonly unitId: number;
  readonly profile: ModbusProfile;
  /** The exception code every request currently answers with, or null. */
  readonly exception: number | null;
  readonly offline: boolean;
  readonly delayMs: number;
  /** RTU only: answers go out with a broken CRC (line noise, a failing transceiver). */
  readonly badCrc: boolean;
  /** Read requests addressed to this unit so far (answered or not): lets tests see backoff and retries. */
  readonly requests: number;
  /** Sets a point in engineering units. Throws for an unknown point, or RangeError if the registers cannot hold it. */
  set(point: string, value: number): void;
  /** The point's value as a client would decode it, in engineering units. */
  get(point: string): number;
  /** Writes raw register words, e.g. a fault sentinel 0x8000 or 0xFFFF that `set` cannot express. */
  setRaw(point: string, words: number[]): void;
  /** Moves a point linearly to `to` over `seconds` (steps every 100 ms); a new set or ramp cancels it. */
  ramp(point: string, to: number, seconds: number): void;
  /** Every request answers this Modbus exception code (1–255), or normally again with null. */
  setException(code: number | null): void;
  /** Offline: no answer at all, as a powered-off slave on a bus. */
  setOffline(offline: boolean): void;
  /** Answers only after this many milliseconds (a slow or overloaded device); 0 = at once. */
  setDelay(ms: number): void;
  /** RTU only: every answer with a broken CRC, or good ones again with false. */
  setBadCrc(bad: boolean): void;
  /** The next `count` requests get no answer, as a request lost to noise on a bus; the unit answers again after. */
  loseRequests(count: number): void;
  read(table: RegisterTable, address: number, count: number): UnitAnswer;
  /** Stops ramps. */
  dispose(): void;
}

export function createSimulatedUnit(profile: ModbusProfile, unitId: number): SimulatedUnit {
  const tables: Record<RegisterTable, Map<number, number>> = { coil: new Map(), discrete: new Map(), holding: new Map(), input: new Map() };
  const codecs = new Map<string, PointCodec>();
  const ramps = new Map<string, NodeJS.Timeout>();
  let exception: number | null = null;
  let offline = false;
  let delayMs = 0;
  let badCrc = false;
  let toLose = 0;
  let requests = 0;

  const pointOf = (name: string): { spec: ModbusProfile['points'][string]; codec: PointCodec } => {
    const spec = Object.hasOwn(profile.points, name) ? profile.points[name] : undefined;
    const codec = codecs.get(name);
    if (!spec || !codec) throw new Error(`profile ${profile.id} has no point "${name}" (points: ${Object.keys(profile.points).join(', ')})`);
    return { spec, codec };
  };
  const write = (name: string, words: number[]): void => {
    const { spec, codec } = pointOf(name);
    if (spec.bit !== undefined) {
      // A status-word bit: change only this bit, keep the word's others (several points share the word).
      const mask = codec.encode(1)[0]!;
      const old = tables[spec.table].get(spec.address) ?? 0;
      tables[spec.table].set(spec.address, (old & ~mask) | ((words[0] ?? 0) & mask));
      return;
    }
    words.forEach((w, i) => tables[spec.table].set(spec.address + i, w & 0xffff));
  };
  const stopRamp = (name: string): void => {
    clearInterval(ramps.get(name));
    ramps.delete(name);
  };

  // Profiles reaching the simulator come from loadProfiles, so addresses are PDU addresses already.
  for (const [name, spec] of Object.entries(profile.points)) {
    const codec = compileCodec(spec);
    codecs.set(name, codec);
    let words: number[];
    try {
      words = codec.encode(profile.simulator?.initial[name] ?? 0);
    } catch {
      words = new Array<number>(registerCount(spec.type)).fill(0); // e.g. 0 °C below a uint16's offset
    }
    write(name, words);
  }

  const spans = Object.fromEntries(
    (Object.keys(tables) as RegisterTable[]).map((t) => {
      const used = [...tables[t].keys()];
      return [t, used.length === 0 ? [1, 0] : [Math.min(...used), Math.max(...used)]];
    }),
  ) as Record<RegisterTable, [number, number]>;

  const unit: SimulatedUnit = {
    unitId,
    profile,
    get exception() {
      return exception;
    },
    get offline() {
      return offline;
    },
    get delayMs() {
      return delayMs;
    },
    get badCrc() {
      return badCrc;
    },
    get requests() {
      return requests;
    },
    set(name, value) {
      const { codec } = pointOf(name);
      const words = codec.encode(value);
      stopRamp(name);
      write(name, words);
    },
    get(name) {
      const { spec, codec } = pointOf(name);
      const words: number[] = [];
      for (let i = 0; i < registerCount(spec.type); i++) words.push(tables[spec.table].get(spec.address + i) ?? 0);
      return codec.toEngineering(words, 0);
    },
    setRaw(name, words) {
      const { spec } = pointOf(name);
      if (spec.bit !== undefined) throw new RangeError(`${name} is bit ${spec.bit} of a status word; set it with set(${name}, 0|1)`);
      if (words.length !== registerCount(spec.type)) throw new RangeError(`${name} is ${spec.type}: ${registerCount(spec.type)} register(s), got ${words.length}`);
      if (words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) throw new RangeError('register words are integers 0–65535');
      stopRamp(name);
      write(name, words);
    },
    ramp(name, to, seconds) {
      const { codec } = pointOf(name);
      codec.encode(to); // RangeError now, not half-way through the ramp
      if (!(seconds > 0) || seconds > 86_400) throw new RangeError('ramp duration must be 0 < seconds ≤ 86400');
      stopRamp(name);
      const from = unit.get(name);
      const steps = Math.max(1, Math.round((seconds * 1000) / 100));
      let step = 0;
      const timer = setInterval(() => {
        step++;
        write(name, codec.encode(step >= steps ? to : from + ((to - from) * step) / steps));
        if (step >= steps) stopRamp(name);
      }, 100);
      timer.unref();
      ramps.set(name, timer);
    },
    setException(code) {
      if (code !== null && (!Number.isInteger(code) || code < 1 || code > 255)) {
        throw new RangeError(`exception code must be an integer 1–255 or null (got ${code})`);
      }
      exception = code;
    },
    setOffline(value) {
      offline = value;
    },
    setDelay(ms) {
      if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new RangeError(`delay must be an integer 0–60000 ms (got ${ms})`);
      delayMs = ms;
    },
    setBadCrc(value) {
      badCrc = value;
    },
    loseRequests(count) {
      if (!Number.isInteger(count) || count < 0 || count > 1000) throw new RangeError(`requests to lose must be an integer 0–1000 (got ${count})`);
      toLose = count;
    },
    read(table, address, count) {
      requests++;
      if (offline) return 'silent';
      if (toLose > 0) {
        toLose--;
        return 'silent';
      }
      if (exception !== null) return { exception };
      const map = tables[table];
      const [first, last] = spans[table];
      // Inside the documented range a real unit answers the registers the profile leaves out (reserved,
      // setup values); outside it, exception 02 (devices.md §5).
      if (address < first || address + count - 1 > last) return { exception: 2 };
      const words: number[] = [];
      for (let a = address; a < address + count; a++) words.push(map.get(a) ?? 0);
      return { words };
    },
    dispose() {
      for (const name of [...ramps.keys()]) stopRamp(name);
    },
  };
  return unit;
}
