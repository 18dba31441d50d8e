// REST calls of the shifts area (src/contract/shifts.ts), through the console's one fetch wrapper.
import type { OnDutyView, RosterAssignment, RosterView, ShiftView, SwapRequest, SwapView } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { call } from './api.ts';

export const rosterApi = {
  shifts: (from: number, to: number) => call<ShiftView[]>('GET', `${routes.shifts}?from=${from}&to=${to}`),
  onDuty: () => call<OnDutyView>('GET', routes.onDuty),
  get: (month: string) => call<RosterView>('GET', routes.roster(month)),
  save: (month: string, assignments: RosterAssignment[]) => call<RosterView>('PUT', routes.roster(month), { assignments }),
  publish: (month: string) => call<RosterView>('POST', routes.rosterPublish(month)),
  importCsv: (month: string, csv: string) => call<RosterView>('POST', routes.rosterCsv(month), { csv }),
  csvUrl: (month: string) => routes.rosterCsv(month),
  swaps: (month: string) => call<SwapView[]>('GET', `${routes.swaps}?month=${month}`),
  requestSwap: (request: SwapRequest) => call<SwapView>('POST', routes.swaps, request),
  decideSwap: (id: number, approve: boolean, comment: string) => call<SwapView>('POST', routes.swapDecision(id), { approve, comment }),
};
