// REST routes and the session cookie's name, in one place so the console and the tests name them the
// same way. Kept apart from api.ts so the console bundle imports them without pulling in TypeBox.

/** REST routes, in one place so the console and the tests name them the same way. */
export const routes = {
  session: '/api/session',
  site: '/api/site',
  readings: '/api/readings',
  alarms: '/api/alarms',
  alarmAck: (id: number | string) => `/api/alarms/${id}/ack`,
  /** reset, shelve, unshelve, dispatch, classify */
  alarmAction: (id: number | string, action: 'reset' | 'shelve' | 'unshelve' | 'dispatch' | 'classify') => `/api/alarms/${id}/${action}`,
  alarmSummary: '/api/alarm-summary',
  deviceTags: '/api/device-tags',
  deviceTag: (deviceId: string) => `/api/devices/${deviceId}/tag`,
  deviceTagApprove: (deviceId: string) => `/api/devices/${deviceId}/tag/approve`,
  dutyLog: '/api/duty-log',
  mqttDiagnostics: '/api/diagnostics/mqtt',
} as const;

export const SESSION_COOKIE = 'rw_session';
