// Per-device Modbus counters for GET /api/diagnostics/modbus (issue 3). The poller bumps plain fields of one
// object per device; a good answer costs two increments and one assignment and allocates nothing (the poll
// path's CPU per point is benchmarked: npm run bench -- modbus-poll). The view is built only when asked.
import type { ModbusDeviceDiagnosticsView } from '../../contract/api.ts';
import { exceptionMeaning, LinkError } from './link.ts';

export interface ModbusDeviceCounters {
  requests: number;
  answers: number;
  noAnswer: number;
  /** Of noAnswer: frames that came but were garbled or not the request's answer (issue 12 §1b). */
  badFrames: number;
  transportErrors: number;
  /** Exception answers by code; a code's entry is made the first time it is seen. */
  readonly exceptions: Map<number, number>;
  busyRetries: number;
  cycles: number;
  failedCycles: number;
  online: boolean | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastGoodAt: number | null;
  configProblem: string | null;
}

export function newModbusCounters(): ModbusDeviceCounters {
  return {
    requests: 0,
    answers: 0,
    noAnswer: 0,
    badFrames: 0,
    transportErrors: 0,
    exceptions: new Map(),
    busyRetries: 0,
    cycles: 0,
    failedCycles: 0,
    online: null,
    lastError: null,
    lastErrorAt: null,
    lastGoodAt: null,
    configProblem: null,
  };
}

/** Counts one failed request in the class the link gave it (devices.md §5 implication 2). */
export function countFailure(c: ModbusDeviceCounters, err: LinkError, now: number): void {
  if (err.kind === 'exception') {
    c.answers++;
    const code = err.exceptionCode ?? 0;
    c.exceptions.set(code, (c.exceptions.get(code) ?? 0) + 1);
  } else if (err.kind === 'no-answer' || err.timeout) {
    c.noAnswer++;
    if (err.badFrame) c.badFrames++;
  }
  else c.transportErrors++;
  c.lastError = err.message;
  c.lastErrorAt = now;
}

export function modbusDeviceView(deviceId: string, link: string, unitId: number, c: ModbusDeviceCounters): ModbusDeviceDiagnosticsView {
  return {
    deviceId,
    online: c.online,
    lastError: c.lastError,
    lastErrorAt: c.lastErrorAt,
    link,
    unitId,
    requests: c.requests,
    answers: c.answers,
    noAnswer: c.noAnswer,
    badFrames: c.badFrames,
    transportErrors: c.transportErrors,
    exceptions: [...c.exceptions].sort(([a], [b]) => a - b).map(([code, count]) => ({ code, meaning: exceptionMeaning(code), count })),
    busyRetries: c.busyRetries,
    cycles: c.cycles,
    failedCycles: c.failedCycles,
    lastGoodAt: c.lastGoodAt,
    configProblem: c.configProblem,
  };
}
