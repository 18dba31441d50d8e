// The hour in progress in hourly trends (issue 15): hourly rollups exist only for closed hours, so the week and
// month views take the current hour's bucket from its raw readings; a series that already has it is left alone.
import { describe, expect, it } from 'vitest';
import { withHourInProgress } from '../../src/sinks/historian/history.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 3, 8); // a whole hour

describe('hourly trend with the hour in progress', () => {
  it('appends the current hour as min, mean and max of its raw readings', () => {
    const hourly = [{ pointKey: 'a.t', t: [T0 - H], value: [20], min: [19], max: [21] }];
    const raw = [{ pointKey: 'a.t', t: [T0 + 1000, T0 + 2000, T0 + 3000], value: [22, null, 26] }];
    expect(withHourInProgress(hourly, raw, T0 + 1_800_000)).toEqual([{ pointKey: 'a.t', t: [T0 - H, T0], value: [20, 24], min: [19, 22], max: [21, 26] }]);
  });

  it('gives a new site, with no closed hour yet, one bucket instead of an empty chart', () => {
    const raw = [{ pointKey: 'a.t', t: [T0 + 5000], value: [30] }];
    expect(withHourInProgress([{ pointKey: 'a.t', t: [], value: [], min: [], max: [] }], raw, T0 + 60_000)[0]).toMatchObject({ t: [T0], value: [30] });
  });

  it('leaves a series alone when the hour is already there or nothing was read in it', () => {
    const closed = { pointKey: 'a.t', t: [T0], value: [20], min: [20], max: [20] };
    expect(withHourInProgress([closed], [{ pointKey: 'a.t', t: [T0 + 1], value: [99] }], T0 + 10)).toEqual([closed]);
    const quiet = { pointKey: 'b.t', t: [T0 - H], value: [5] };
    expect(withHourInProgress([quiet], [{ pointKey: 'b.t', t: [], value: [] }], T0 + 10)).toEqual([quiet]);
  });
});
