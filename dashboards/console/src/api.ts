// REST client for the routes of src/contract/api.ts. Same origin, session cookie sent by the browser.
import type {
  AlarmSummary,
  AlarmView,
  DeviceTagView,
  DutyLogEntryView,
  ErrorBody,
  HistorianStatusView,
  LoginRequest,
  ModbusDiagnosticsView,
  MqttDiagnosticsView,
  ReadingView,
  SiteView,
  TrendView,
  SessionView,
} from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';

export const paths = routes;

/** A failed call: `code` is an ErrorCode of the contract, or 'network' when the gateway was not reached. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message?: string) {
    super(message ?? code);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError('network', 0, err instanceof Error ? err.message : String(err));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (a proxy's error page?): reported by status below
  }
  if (!res.ok) {
    const error = (data as Partial<ErrorBody> | undefined)?.error;
    throw new ApiError(error?.code ?? (res.status === 401 ? 'RW_AUTH_REQUIRED' : 'RW_INTERNAL'), res.status, error?.message);
  }
  return data as T;
}

export const api = {
  login: (request: LoginRequest) => call<SessionView>('POST', paths.session, request),
  session: () => call<SessionView>('GET', paths.session),
  logout: () => call<void>('DELETE', paths.session),
  site: () => call<SiteView>('GET', paths.site),
  readings: () => call<ReadingView[]>('GET', paths.readings),
  alarms: () => call<AlarmView[]>('GET', paths.alarms),
  alarmSummary: () => call<AlarmSummary>('GET', paths.alarmSummary),
  deviceTags: () => call<DeviceTagView[]>('GET', paths.deviceTags),
  dutyLog: (limit = 100) => call<DutyLogEntryView[]>('GET', `${paths.dutyLog}?limit=${limit}`),
  mqttDiagnostics: () => call<MqttDiagnosticsView>('GET', paths.mqttDiagnostics),
  modbusDiagnostics: () => call<ModbusDiagnosticsView>('GET', paths.modbusDiagnostics),
  historianStatus: () => call<HistorianStatusView>('GET', paths.historianStatus),
  trends: (points: string[], from: number, to: number) =>
    call<TrendView>('GET', `${paths.trends}?points=${encodeURIComponent(points.join(','))}&from=${Math.floor(from)}&to=${Math.floor(to)}&resolution=auto`),
};
