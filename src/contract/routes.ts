// REST routes and the session cookie's name, in one place so the console and the tests name them the
// same way. Kept apart from api.ts so the console bundle imports them without pulling in TypeBox.

/** REST routes, in one place so the console and the tests name them the same way. */
export const routes = {
  session: '/api/session',
  site: '/api/site',
  readings: '/api/readings',
  alarms: '/api/alarms',
  alarmAck: (id: number | string) => `/api/alarms/${id}/ack`,
  dutyLog: '/api/duty-log',
  historianStatus: '/api/historian/status',
  trends: '/api/trends',
} as const;

export const SESSION_COOKIE = 'rw_session';
