// The live feed: socket.io on the gateway's own origin, authenticated by the session cookie.
import { io, type Socket } from 'socket.io-client';
import type { AckResult, ConsoleToServerEvents, ServerToConsoleEvents } from '../../../src/contract/api.ts';
import { timed } from './clock.ts';

export type LiveSocket = Socket<ServerToConsoleEvents, ConsoleToServerEvents>;

export interface LiveHandlers {
  /** Connected (first time or again): fetch a fresh snapshot, events may have been missed. */
  onConnect(): void;
  onDisconnect(): void;
  /** The gateway refused the session (expired, logged out elsewhere). */
  onAuthRequired(): void;
  onReadings: ServerToConsoleEvents['readings'];
  onAlarms: ServerToConsoleEvents['alarms'];
  onDutyLogEntries: ServerToConsoleEvents['dutyLogEntries'];
  onAlarmSummary: ServerToConsoleEvents['alarmSummary'];
  onDeviceTag: ServerToConsoleEvents['deviceTag'];
}

const ACK_TIMEOUT_MS = 10_000;
/** How often the gateway's time is asked while connected (L6, clock.ts). */
const CLOCK_SYNC_MS = 60_000;

export function connectLive(handlers: LiveHandlers): LiveSocket {
  // Same origin, default path /socket.io; the browser sends the httpOnly rw_session cookie.
  const socket: LiveSocket = io({ withCredentials: true, reconnectionDelayMax: 5000 });
  socket.on('connect', () => handlers.onConnect());
  socket.on('disconnect', (reason) => {
    handlers.onDisconnect();
    // A server-side disconnect is not retried by socket.io; the session may be gone, so ask again.
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on('connect_error', (err) => {
    if (err.message === 'RW_AUTH_REQUIRED') {
      socket.disconnect();
      handlers.onAuthRequired();
    } else {
      handlers.onDisconnect();
    }
  });
  socket.on('readings', handlers.onReadings);
  socket.on('alarms', handlers.onAlarms);
  socket.on('dutyLogEntries', handlers.onDutyLogEntries);
  socket.on('alarmSummary', handlers.onAlarmSummary);
  socket.on('deviceTag', handlers.onDeviceTag);
  keepClock(socket);
  return socket;
}

/** The gateway's time on every connect and once a minute while connected, so now() follows it (clock.ts). */
function keepClock(socket: LiveSocket): void {
  const sync = (): void => void timed(() => request(socket, 'clock:sync', {}), (r) => (r.ok ? r.serverTime : undefined));
  let timer: ReturnType<typeof setInterval> | undefined;
  socket.on('connect', () => {
    sync();
    clearInterval(timer);
    timer = setInterval(sync, CLOCK_SYNC_MS);
  });
  socket.on('disconnect', () => clearInterval(timer));
}

/** The gateway's answer, or a failure to get one: 'network' (not connected) or 'timeout'. */
export type Outcome<R> = R | { ok: false; error: { code: 'network' | 'timeout'; message: string } };
export type AckOutcome = Outcome<AckResult>;

type Request<E extends keyof ConsoleToServerEvents> = Parameters<ConsoleToServerEvents[E]>[0];
type Reply<E extends keyof ConsoleToServerEvents> = Parameters<Parameters<ConsoleToServerEvents[E]>[1]>[0];

/** One request over the socket; a lost connection or a silent gateway becomes an error result, not a hang. */
export function request<E extends keyof ConsoleToServerEvents>(socket: LiveSocket, event: E, body: Request<E>): Promise<Outcome<Reply<E>>> {
  return new Promise((resolve) => {
    if (!socket.connected) {
      resolve({ ok: false, error: { code: 'network', message: 'not connected' } });
      return;
    }
    // The event map's overloads cannot be narrowed by a generic key; the types above keep callers honest.
    const timed = socket.timeout(ACK_TIMEOUT_MS);
    const emit = timed.emit as unknown as (e: E, b: Request<E>, cb: (err: Error | null, r: Reply<E>) => void) => void;
    emit.call(timed, event, body, (err, result) => {
      if (err) resolve({ ok: false, error: { code: 'timeout', message: err.message } });
      else resolve(result);
    });
  });
}

/** Acknowledge over the socket. */
export function ackAlarm(socket: LiveSocket, id: number, note: string): Promise<AckOutcome> {
  return request(socket, 'alarm:ack', { id, note });
}
