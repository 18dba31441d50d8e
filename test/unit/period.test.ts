// The periods of the supervisor's reviews (M1): calendar months, ISO weeks, half years and years, bounded by the
// site's midnights, each naming the period before it.
import { describe, expect, it } from 'vitest';
import { daysOf, parsePeriod, periodKeyAt } from '../../src/report/period.ts';
import { percentile } from '../../src/report/alarm-kpis.ts';

const sh = (iso: string): number => Date.parse(`${iso}T00:00:00+08:00`);

describe('report periods (M1)', () => {
  it('bounds a month by Shanghai midnights and names the previous month across a year end', () => {
    expect(parsePeriod('2026-11', 'Asia/Shanghai')).toMatchObject({ kind: 'month', from: sh('2026-11-01'), to: sh('2026-12-01'), previousKey: '2026-10' });
    expect(parsePeriod('2026-01', 'Asia/Shanghai')!.previousKey).toBe('2025-12');
    expect(daysOf(parsePeriod('2028-02', 'UTC')!)).toHaveLength(29);
  });

  it('knows ISO weeks: Monday to Sunday, week 53 only in years that have it', () => {
    expect(parsePeriod('2026-W48', 'Asia/Shanghai')).toMatchObject({ kind: 'week', from: sh('2026-11-23'), to: sh('2026-11-30'), previousKey: '2026-W47' });
    expect(parsePeriod('2026-W01', 'UTC')!.from).toBe(Date.parse('2025-12-29T00:00:00Z')); // 1 January 2026 is a Thursday
    expect(parsePeriod('2026-W53', 'UTC')).not.toBeNull();
    expect(parsePeriod('2027-W01', 'UTC')!.previousKey).toBe('2026-W53');
    expect(parsePeriod('2025-W53', 'UTC')).toBeNull();
    expect(periodKeyAt('week', Date.parse('2027-01-01T12:00:00Z'), 'UTC')).toBe('2026-W53');
  });

  it('knows half years and years, and refuses what is not a period', () => {
    expect(parsePeriod('2026-H2', 'Asia/Shanghai')).toMatchObject({ kind: 'halfYear', from: sh('2026-07-01'), to: sh('2027-01-01'), previousKey: '2026-H1' });
    expect(parsePeriod('2026-H1', 'Asia/Shanghai')!.previousKey).toBe('2025-H2');
    expect(parsePeriod('2026', 'Asia/Shanghai')).toMatchObject({ kind: 'year', from: sh('2026-01-01'), to: sh('2027-01-01'), previousKey: '2025' });
    for (const bad of ['2026-13', '2026-00', '2026-H3', '2026-W00', '26-11', 'november']) expect(parsePeriod(bad, 'UTC'), bad).toBeNull();
    expect(periodKeyAt('month', sh('2026-12-01') - 1, 'Asia/Shanghai')).toBe('2026-11');
    expect(periodKeyAt('halfYear', sh('2026-07-01'), 'Asia/Shanghai')).toBe('2026-H2');
  });

  it('takes percentiles by nearest rank, in seconds', () => {
    expect(percentile([1000, 2000, 3000, 4000], 50)).toBe(2);
    expect(percentile([1000, 2000, 3000, 4000], 90)).toBe(4);
    expect(percentile([5000], 90)).toBe(5);
    expect(percentile([], 50)).toBeNull();
  });
});
