// The alarm lifecycle as a table (style.md §7), ISA-18.2 states (reference/alarm-standards.md):
// A normal, B unacknowledged active, C acknowledged active, D returned unacknowledged, E/F latched
// unacknowledged/acknowledged. A latched alarm (fire, A4) stays after its condition has gone until an
// authorised user resets it. Every transition is data, exported, tested one by one and printed in docs.
import type { AlarmState } from '../contract/api.ts';
import type { AlarmEventKind } from './types.ts';

export type AlarmInput = 'activate' | 'clear' | 'ack' | 'reset';

export interface Transition {
  from: AlarmState;
  input: AlarmInput;
  /** Applies only to latched alarms (true), only to non-latched ones (false), or to both (undefined). */
  latched?: boolean;
  to: AlarmState;
  event: AlarmEventKind;
}

export const transitions: readonly Transition[] = [
  { from: 'normal', input: 'activate', to: 'unack_active', event: 'raised' },
  { from: 'unack_active', input: 'ack', to: 'ack_active', event: 'acknowledged' },
  { from: 'unack_active', input: 'clear', latched: false, to: 'rtn_unack', event: 'returned' },
  { from: 'unack_active', input: 'clear', latched: true, to: 'latched_unack', event: 'latched' },
  { from: 'ack_active', input: 'clear', latched: false, to: 'normal', event: 'cleared' },
  { from: 'ack_active', input: 'clear', latched: true, to: 'latched_ack', event: 'latched' },
  { from: 'rtn_unack', input: 'ack', to: 'normal', event: 'acknowledged' },
  // The condition comes back before anyone acknowledged its return: the operator must see it active again.
  { from: 'rtn_unack', input: 'activate', to: 'unack_active', event: 'raised' },
  { from: 'latched_unack', input: 'ack', to: 'latched_ack', event: 'acknowledged' },
  { from: 'latched_unack', input: 'activate', to: 'unack_active', event: 'raised' },
  // A fire contact that triggers again after acknowledgement is a new fire signal: annunciate it again.
  { from: 'latched_ack', input: 'activate', to: 'unack_active', event: 'raised' },
  { from: 'latched_ack', input: 'reset', to: 'normal', event: 'reset' },
];

/** The transition for an input in a state, or undefined when the input does not apply (e.g. ack of an acked alarm). */
export function nextTransition(from: AlarmState, input: AlarmInput, latched = false): Transition | undefined {
  return transitions.find((t) => t.from === from && t.input === input && (t.latched === undefined || t.latched === latched));
}

/** Whether the process condition is active in this state (used to rebuild rule state after a restart). */
export function isConditionActive(state: AlarmState): boolean {
  return state === 'unack_active' || state === 'ack_active';
}

/** States that wait for an operator's acknowledgement: they sound, flash and escalate (A1). */
export function isUnacknowledged(state: AlarmState): boolean {
  return state === 'unack_active' || state === 'rtn_unack' || state === 'latched_unack';
}
