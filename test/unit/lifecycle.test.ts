// The alarm lifecycle table (ISA-18.2 states A–D): every transition, and every input that must not apply.
import { describe, expect, it } from 'vitest';
import { nextTransition, transitions, type AlarmInput } from '../../src/alarms/lifecycle.ts';
import type { AlarmState } from '../../src/contract/api.ts';

const states: AlarmState[] = ['normal', 'unack_active', 'ack_active', 'rtn_unack'];
const inputs: AlarmInput[] = ['activate', 'clear', 'ack'];

// The expected table, written out independently of the implementation.
const expected: Record<AlarmState, Partial<Record<AlarmInput, [AlarmState, string]>>> = {
  normal: { activate: ['unack_active', 'raised'] },
  unack_active: { ack: ['ack_active', 'acknowledged'], clear: ['rtn_unack', 'returned'] },
  ack_active: { clear: ['normal', 'cleared'] },
  rtn_unack: { ack: ['normal', 'acknowledged'], activate: ['unack_active', 'raised'] },
};

describe('alarm lifecycle table', () => {
  for (const from of states) {
    for (const input of inputs) {
      const want = expected[from][input];
      it(`${from} + ${input} → ${want ? want.join(' / ') : 'no transition'}`, () => {
        const t = nextTransition(from, input);
        if (!want) expect(t).toBeUndefined();
        else expect([t?.to, t?.event]).toEqual(want);
      });
    }
  }

  it('has no transition the expected table does not name', () => {
    const named = states.flatMap((s) => Object.keys(expected[s]).map((i) => `${s}:${i}`));
    expect(transitions.map((t) => `${t.from}:${t.input}`).sort()).toEqual(named.sort());
  });
});
