// The alarm lifecycle table (ISA-18.2 states A–F): every transition, for latched and non-latched alarms,
// and every input that must not apply.
import { describe, expect, it } from 'vitest';
import { nextTransition, transitions, type AlarmInput } from '../../src/alarms/lifecycle.ts';
import type { AlarmState } from '../../src/contract/api.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectRoot } from '../../src/config/load.ts';
import { renderTransitionTable } from '../../src/alarms/lifecycle-doc.ts';

const states: AlarmState[] = ['normal', 'unack_active', 'ack_active', 'rtn_unack', 'latched_unack', 'latched_ack'];
const inputs: AlarmInput[] = ['activate', 'clear', 'ack', 'reset'];
type Table = Record<AlarmState, Partial<Record<AlarmInput, [AlarmState, string]>>>;

// The expected tables, written out independently of the implementation.
const plain: Table = {
  normal: { activate: ['unack_active', 'raised'] },
  unack_active: { ack: ['ack_active', 'acknowledged'], clear: ['rtn_unack', 'returned'] },
  ack_active: { clear: ['normal', 'cleared'] },
  rtn_unack: { ack: ['normal', 'acknowledged'], activate: ['unack_active', 'raised'] },
  latched_unack: { ack: ['latched_ack', 'acknowledged'], activate: ['unack_active', 'raised'] },
  latched_ack: { activate: ['unack_active', 'raised'], reset: ['normal', 'reset'] },
};
// A latched alarm (fire, A4) differs only where its condition clears: it latches instead of returning.
const latched: Table = {
  ...plain,
  unack_active: { ack: ['ack_active', 'acknowledged'], clear: ['latched_unack', 'latched'] },
  ack_active: { clear: ['latched_ack', 'latched'] },
};

describe.each([
  ['non-latched', false, plain],
  ['latched', true, latched],
] as const)('alarm lifecycle table, %s', (_name, isLatched, expected) => {
  for (const from of states) {
    for (const input of inputs) {
      const want = expected[from][input];
      it(`${from} + ${input} → ${want ? want.join(' / ') : 'no transition'}`, () => {
        const t = nextTransition(from, input, isLatched);
        if (!want) expect(t).toBeUndefined();
        else expect([t?.to, t?.event]).toEqual(want);
      });
    }
  }
});

describe('alarm lifecycle table', () => {
  it('has no transition the expected tables do not name', () => {
    const named = new Set(
      [plain, latched].flatMap((table) => states.flatMap((s) => Object.keys(table[s]).map((i) => `${s}:${i}`))),
    );
    for (const t of transitions) expect(named.has(`${t.from}:${t.input}`)).toBe(true);
  });

  it('a reset never applies while the condition is still active (only latched_ack resets)', () => {
    expect(transitions.filter((t) => t.input === 'reset').map((t) => t.from)).toEqual(['latched_ack']);
  });
});

describe('docs/alarms.md', () => {
  it('prints the lifecycle table as it is in the code (npm run docs:alarms)', () => {
    expect(readFileSync(resolve(projectRoot, 'docs', 'alarms.md'), 'utf8')).toContain(renderTransitionTable());
  });
});
