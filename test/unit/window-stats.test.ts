// Window statistics (the shift report's min/max/mean): the stored 1-minute rollups plus the minutes still open in
// memory, each counted once. The backends' own sums are in test/integration/history-contract.test.ts.
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../src/core/reading.ts';
import { createRollups, MINUTE_MS } from '../../src/sinks/historian/rollup.ts';
import { withOpenMinutes, type StoredMinutes } from '../../src/sinks/historian/window-stats.ts';

const H0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const r = (ts: number, value: number, point = 'temperature'): Reading => ({ pointKey: `th1.${point}`, roomId: 'b1', deviceId: 'th1', point, value, unit: '', quality: 'good', ts });
/** Ten stored minutes of 20 °C, 6 readings each, from H0. */
const stored: StoredMinutes = { pointKey: 'th1.temperature', min: 20, max: 20, sum: 20 * 60, count: 60, first: H0, last: H0 + 9 * MINUTE_MS };

describe('window statistics', () => {
  it('adds the minute in progress to the stored minutes, weighted by count', () => {
    const ro = createRollups();
    ro.add([r(H0 + 10 * MINUTE_MS, 30), r(H0 + 10 * MINUTE_MS + 10_000, 32)]);
    expect(withOpenMinutes(['th1.temperature'], [stored], ro.openMinutes(), H0, H0 + 3_600_000)).toEqual([
      { pointKey: 'th1.temperature', min: 20, max: 32, mean: (20 * 60 + 62) / 62, count: 62, since: H0 },
    ]);
    // Asking does not close it: the minute goes on and is still open.
    expect(ro.openMinutes().map((m) => m.count)).toEqual([2]);
  });

  it('counts an open minute once: not if it is already stored (restored after a crash), not outside the window', () => {
    const ro = createRollups();
    ro.add([r(H0 + 9 * MINUTE_MS, 99)]); // the last stored minute, open again
    expect(withOpenMinutes(['th1.temperature'], [stored], ro.openMinutes(), H0, H0 + 3_600_000)[0]).toMatchObject({ max: 20, count: 60 });
    const later = createRollups();
    later.add([r(H0 + 60 * MINUTE_MS, 99)]); // the first minute after the window [H0, H0 + 1 h)
    expect(withOpenMinutes(['th1.temperature'], [stored], later.openMinutes(), H0, H0 + 3_600_000)[0]).toMatchObject({ max: 20, count: 60 });
  });

  it('lists the asked points that have data, in the order asked, even with only an open minute', () => {
    const ro = createRollups();
    ro.add([r(H0 + 5_000, 48, 'humidity'), r(H0 + 5_000, 1, 'other')]);
    const stats = withOpenMinutes(['th1.humidity', 'th1.nothing', 'th1.temperature'], [stored], ro.openMinutes(), H0, H0 + 3_600_000);
    expect(stats.map((s) => [s.pointKey, s.min, s.count, s.since])).toEqual([
      ['th1.humidity', 48, 1, H0],
      ['th1.temperature', 20, 60, H0],
    ]);
  });
});
