// R1: the distribution room stays below 40 °C, with a warning before it. Limits, deadband and
// on-delay are tested as a pure function with an injected clock: no sleeps.
import { describe, expect, it } from 'vitest';
import { inactive, priorityOf, ratePerMinute, stepCondition, type ConditionState } from '../../src/alarms/limit-rule.ts';
import type { EffectiveLimits } from '../../src/config/load.ts';

const r1: EffectiveLimits = { high: 35, highHigh: 40, deadband: 1, onDelaySeconds: 5, priority: 'high', rule: 'R1' };

/** Feeds (ms, value) samples to one condition and returns the changes with their times. */
function run(condition: 'high' | 'highHigh' | 'low' | 'lowLow', limit: number, limits: EffectiveLimits, samples: [number, number][]) {
  let state: ConditionState = inactive;
  const changes: string[] = [];
  for (const [t, v] of samples) {
    const step = stepCondition(condition, limit, limits, state, v, t);
    state = step.state;
    if (step.change) changes.push(`${step.change}@${t}`);
  }
  return { changes, state };
}

describe('limit rule (R1)', () => {
  it('raises at the limit itself: 40.0 °C is not below 40', () => {
    expect(run('highHigh', 40, { ...r1, onDelaySeconds: 0 }, [[0, 39.9], [1000, 40.0]]).changes).toEqual(['activate@1000']);
  });

  it('waits for the on-delay and raises only when the value stayed past the limit', () => {
    const { changes } = run('highHigh', 40, r1, [
      [0, 41.5],
      [4999, 41.5],
      [5000, 41.6],
    ]);
    expect(changes).toEqual(['activate@5000']);
  });

  it('a spike shorter than the on-delay raises nothing and restarts the delay', () => {
    const { changes, state } = run('highHigh', 40, r1, [
      [0, 41],
      [3000, 39],
      [4000, 41],
      [8000, 41],
      [9000, 41],
    ]);
    expect(changes).toEqual(['activate@9000']);
    expect(state.active).toBe(true);
  });

  it('clears only below limit minus deadband (no chattering at 39.5)', () => {
    const { changes } = run('highHigh', 40, { ...r1, onDelaySeconds: 0 }, [
      [0, 41],
      [1000, 39.5],
      [2000, 39.01],
      [3000, 38.99],
    ]);
    expect(changes).toEqual(['activate@0', 'clear@3000']);
  });

  it('warning (high, 35 °C) and alarm (highHigh, 40 °C) are separate conditions', () => {
    const samples: [number, number][] = [[0, 36], [10_000, 36], [20_000, 41], [30_000, 41]];
    expect(run('high', 35, r1, samples).changes).toEqual(['activate@10000']);
    expect(run('highHigh', 40, r1, samples).changes).toEqual(['activate@30000']);
  });

  it('low limits mirror high ones: raise at or below, clear above limit plus deadband', () => {
    const low: EffectiveLimits = { low: 5, deadband: 0.5, onDelaySeconds: 0 };
    expect(run('low', 5, low, [[0, 6], [1, 5], [2, 5.4], [3, 5.6]]).changes).toEqual(['activate@1', 'clear@3']);
  });

  it('negative temperatures are ordinary values', () => {
    const frost: EffectiveLimits = { lowLow: -10, deadband: 1, onDelaySeconds: 0 };
    expect(run('lowLow', -10, frost, [[0, -9.9], [1, -20.5], [2, -9.5], [3, -8.9]]).changes).toEqual(['activate@1', 'clear@3']);
  });

  it('off-delay: the alarm returns only after the value stayed back for the delay', () => {
    const withOff: EffectiveLimits = { ...r1, onDelaySeconds: 0, offDelaySeconds: 10 };
    const { changes } = run('highHigh', 40, withOff, [
      [0, 41],
      [1000, 38], // back past the deadband: off-delay starts
      [5000, 40.5], // beyond again: off-delay cancelled
      [6000, 38],
      [15_999, 38],
      [16_000, 38],
    ]);
    expect(changes).toEqual(['activate@0', 'clear@16000']);
  });

  it('rate of change is units per minute between readings', () => {
    expect(ratePerMinute({ value: 30, ts: 0 }, 33, 30_000)).toBe(6);
    expect(ratePerMinute({ value: 30, ts: 0 }, 27, 60_000)).toBe(-3);
    expect(ratePerMinute({ value: 30, ts: 5 }, 40, 5)).toBeNull();
  });

  it('outer limits are one priority above inner ones', () => {
    expect(priorityOf('high', r1)).toBe('high');
    expect(priorityOf('highHigh', r1)).toBe('critical');
    expect(priorityOf('low', { deadband: 0, onDelaySeconds: 0 })).toBe('medium');
    expect(priorityOf('lowLow', { deadband: 0, onDelaySeconds: 0, priority: 'critical' })).toBe('critical');
  });
});
