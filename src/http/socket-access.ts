// The socket events' route table: what each console-to-server event requires (src/auth/permissions.ts).
// Typed against the contract, so an event added there without an access level does not compile; the
// server refuses any event not named here (deny by default).
import type { ConsoleToServerEvents } from '../contract/api.ts';
import type { Access } from '../auth/permissions.ts';

export const socketAccess: Readonly<Record<keyof ConsoleToServerEvents, Access>> = {
  'alarm:ack': 'alarm.ack',
  'alarm:shelve': 'alarm.shelve',
  'alarm:unshelve': 'alarm.unshelve',
  'alarm:reset': 'alarm.reset',
  'alarm:dispatch': 'alarm.dispatch',
  'alarm:classify': 'alarm.classify',
  'alarm:keepEvidence': 'alarm.keepEvidence',
  'alarm:escalate': 'alarm.escalate',
  'alarm:reportUp': 'alarm.reportUp',
  'device:tag': 'device.tag',
  'device:approveTag': 'device.approveTag',
  'device:untag': 'device.untag',
  'clock:sync': 'console.view',
};
