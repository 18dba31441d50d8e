// The alarm lifecycle as a table (style.md §7), ISA-18.2 states A–D (reference/alarm-standards.md):
// normal → unacknowledged active → (ack) acknowledged active → (clear) normal;
// unacknowledged active → (clear) returned-to-normal unacknowledged → (ack) normal.
// Every transition is exported as data so tests walk all of them and docs can print them.
import type { AlarmState } from '../contract/api.ts';
import type { AlarmEventKind } from './types.ts';

export type AlarmInput = 'activate' | 'clear' | 'ack';

export interface Transition {
  from: AlarmState;
  input: AlarmInput;
  to: AlarmState;
  event: AlarmEventKind;
}

export const transitions: readonly Transition[] = [
  { from: 'normal', input: 'activate', to: 'unack_active', event: 'raised' },
  { from: 'unack_active', input: 'ack', to: 'ack_active', event: 'acknowledged' },
  { from: 'unack_active', input: 'clear', to: 'rtn_unack', event: 'returned' },
  { from: 'ack_active', input: 'clear', to: 'normal', event: 'cleared' },
  { from: 'rtn_unack', input: 'ack', to: 'normal', event: 'acknowledged' },
  // The condition comes back before anyone acknowledged its return: the operator must see it active again.
  { from: 'rtn_unack', input: 'activate', to: 'unack_active', event: 'raised' },
];

/** The transition for an input in a state, or undefined when the input does not apply (e.g. ack of an acked alarm). */
export function nextTransition(from: AlarmState, input: AlarmInput): Transition | undefined {
  return transitions.find((t) => t.from === from && t.input === input);
}

/** Whether the process condition is active in this state (used to rebuild rule state after a restart). */
export function isConditionActive(state: AlarmState): boolean {
  return state === 'unack_active' || state === 'ack_active';
}
