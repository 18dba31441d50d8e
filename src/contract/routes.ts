// REST routes, the session cookie's name and the demo seed's, in one place so the console and the tests name
// them the same way. Kept apart from api.ts so the console bundle imports them without pulling in TypeBox.

/** REST routes, in one place so the console and the tests name them the same way. */
export const routes = {
  session: '/api/session',
  site: '/api/site',
  readings: '/api/readings',
  alarms: '/api/alarms',
  alarmAck: (id: number | string) => `/api/alarms/${id}/ack`,
  /** reset, shelve, unshelve, dispatch, classify, keepEvidence, reportUp, escalate */
  alarmAction: (id: number | string, action: 'reset' | 'shelve' | 'unshelve' | 'dispatch' | 'classify' | 'keepEvidence' | 'reportUp' | 'escalate') => `/api/alarms/${id}/${action}`,
  alarmSummary: '/api/alarm-summary',
  deviceTags: '/api/device-tags',
  deviceTag: (deviceId: string) => `/api/devices/${deviceId}/tag`,
  deviceTagApprove: (deviceId: string) => `/api/devices/${deviceId}/tag/approve`,
  dutyLog: '/api/duty-log',
  mqttDiagnostics: '/api/diagnostics/mqtt',
  modbusDiagnostics: '/api/diagnostics/modbus',
  shifts: '/api/shifts',
  onDuty: '/api/on-duty',
  roster: (month: string) => `/api/roster/${month}`,
  rosterPublish: (month: string) => `/api/roster/${month}/publish`,
  rosterCsv: (month: string) => `/api/roster/${month}/csv`,
  swaps: '/api/roster-swaps',
  swapDecision: (id: number | string) => `/api/roster-swaps/${id}/decision`,
  notes: '/api/duty-log/notes',
  noteCorrection: (id: number | string) => `/api/duty-log/notes/${id}/corrections`,
  noteAttachments: (id: number | string) => `/api/duty-log/notes/${id}/attachments`,
  noteResolve: (id: number | string) => `/api/duty-log/notes/${id}/resolve`,
  emergencyForms: '/api/duty-log/emergency-forms',
  openItems: '/api/duty-log/open-items',
  attachment: (id: number | string) => `/api/duty-log/attachments/${id}`,
  dutyLogDay: '/api/duty-log/day',
  dutyLogSign: '/api/duty-log/signoffs',
  dutyLogCountersign: '/api/duty-log/countersigns',
  dutyLogUnsigned: '/api/duty-log/unsigned',
  handover: '/api/handover',
  handoverOutgoing: '/api/handover/outgoing-signature',
  handoverIncoming: '/api/handover/incoming-signature',
  handoverArrived: '/api/handover/arrival',
  patrols: '/api/patrols',
  patrolRounds: (id: string) => `/api/patrols/${id}/rounds`,
  patrolQr: (id: string) => `/api/patrols/${id}/qr.svg`,
  patrolStepUp: (id: string) => `/api/patrols/${id}/step-up`,
  roomEntries: '/api/room-entries',
  shiftReport: '/api/shift-report',
  playbooks: '/api/playbooks',
  playbookStep: (id: number | string, step: string) => `/api/playbooks/${id}/steps/${step}`,
  playbookReport: (id: number | string) => `/api/playbooks/${id}/report`,
  roomEntryExit: (id: number | string) => `/api/room-entries/${id}/exit`,
  historianStatus: '/api/historian/status',
  trends: '/api/trends',
  securitySessions: '/api/security/sessions',
  securitySession: (id: number | string) => `/api/security/sessions/${id}`,
  securityUserSessions: (username: string) => `/api/security/users/${encodeURIComponent(username)}/sessions`,
  loginThrottles: '/api/security/login-throttles',
  periodReport: '/api/period-report',
  periodReportCsv: (table: string) => `/api/period-report/${table}.csv`,
  periodReportMeeting: '/api/period-report/meeting',
} as const;

export const SESSION_COOKIE = 'rw_session';

/**
 * Who published a roster the gateway compiled for the demo (`site.demoRoster`): the roster's `publishedBy` and
 * the `user` of its `roster.published` duty-log entry. The console shows it as `roster.demoSeed`.
 */
export const DEMO_SEED = 'demo seed';

/**
 * The detail of a reading, and of the alarm it raises, while the device says it is being tested (a smoke detector's
 * test button): the console shows the alarm as a test, and the classification offers "test" (issue 12 §3).
 */
export const SELF_TEST_DETAIL = 'self-test';
