// Shift boundaries (S2): midnight-crossing nights, the day a seasonal variant starts and ends, a site in a
// daylight-saving zone, and the config checks of shift definitions. Pure time arithmetic, no clock needed.
import { describe, expect, it } from 'vitest';
import { createShiftPlan, type ShiftInstance } from '../../src/shifts/shift-plan.ts';
import type { ShiftConfig } from '../../src/shifts/config-schema.ts';
import { zonedInstant } from '../../src/shifts/zoned-time.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';

const name = (en: string) => ({ en, 'zh-CN': en });
/** 002 第1篇 / 000 值班制度 2: day 08:30–17:30, night 17:30 (summer 18:00) to 08:30, noon 12:00–13:30 (summer 14:00). */
const towerShifts: ShiftConfig[] = [
  { id: 'day', name: name('Day'), start: '08:30', end: '17:30', seasons: [{ from: '05-01', to: '09-30', end: '18:00' }], minStaff: { duty: 1 } },
  { id: 'night', name: name('Night'), start: '17:30', end: '08:30', seasons: [{ from: '05-01', to: '09-30', start: '18:00' }], minStaff: { duty: 1 } },
  { id: 'noon', name: name('Noon'), start: '12:00', end: '13:30', seasons: [{ from: '05-01', to: '09-30', end: '14:00' }] },
];
const shanghai = createShiftPlan(towerShifts, 'Asia/Shanghai');
/** Shanghai wall time as an instant (UTC+8 all year). */
const sh = (iso: string) => Date.parse(`${iso}+08:00`);
const span = (s: ShiftInstance | null) => s && [s.key, new Date(s.start).toISOString(), new Date(s.end).toISOString()];

describe('a night shift crossing midnight (S2)', () => {
  it('belongs to the date it starts on and ends the next morning', () => {
    expect(span(shanghai.currentShift(sh('2026-11-23T03:00')))).toEqual(['2026-11-22/night', '2026-11-22T09:30:00.000Z', '2026-11-23T00:30:00.000Z']);
    expect(shanghai.currentShift(sh('2026-11-22T23:59'))?.key).toBe('2026-11-22/night');
  });

  it('hands over exactly at 08:30: the end is exclusive, the next start inclusive', () => {
    expect(shanghai.currentShift(sh('2026-11-23T08:29:59'))?.key).toBe('2026-11-22/night');
    expect(shanghai.currentShift(sh('2026-11-23T08:30'))?.key).toBe('2026-11-23/day');
  });

  it('noon duty overlaps the day shift; currentShift is the one that started last', () => {
    expect(shanghai.currentShifts(sh('2026-11-23T12:30')).map((s) => s.key)).toEqual(['2026-11-23/day', '2026-11-23/noon']);
    expect(shanghai.currentShift(sh('2026-11-23T12:30'))?.key).toBe('2026-11-23/noon');
  });

  it('lists the shifts of a period in order, including the night that started the day before', () => {
    const keys = shanghai.shiftsBetween(sh('2026-11-23T00:00'), sh('2026-11-24T00:00')).map((s) => s.key);
    expect(keys).toEqual(['2026-11-22/night', '2026-11-23/day', '2026-11-23/noon', '2026-11-23/night']);
  });

  it('is null in a gap between shifts', () => {
    const dayOnly = createShiftPlan([towerShifts[0]!], 'Asia/Shanghai');
    expect(dayOnly.currentShift(sh('2026-11-23T20:00'))).toBeNull();
  });
});

describe('the season switch day (S2: night 17:30, summer 18:00)', () => {
  it('the summer times start on 05-01 and the night of 04-30 keeps its winter start', () => {
    expect(span(shanghai.instance('2026-04-30', 'night'))).toEqual(['2026-04-30/night', '2026-04-30T09:30:00.000Z', '2026-05-01T00:30:00.000Z']);
    expect(span(shanghai.instance('2026-05-01', 'night'))).toEqual(['2026-05-01/night', '2026-05-01T10:00:00.000Z', '2026-05-02T00:30:00.000Z']);
    expect(shanghai.currentShift(sh('2026-05-01T17:45'))?.key).toBe('2026-05-01/day');
    expect(shanghai.currentShift(sh('2026-04-30T17:45'))?.key).toBe('2026-04-30/night');
  });

  it('the summer times end after 09-30', () => {
    expect(shanghai.instance('2026-09-30', 'noon')?.end).toBe(sh('2026-09-30T14:00'));
    expect(shanghai.instance('2026-10-01', 'noon')?.end).toBe(sh('2026-10-01T13:30'));
  });

  it('a season may wrap the year end (11-01..02-28)', () => {
    const plan = createShiftPlan([{ id: 'n', name: name('N'), start: '18:00', end: '08:00', seasons: [{ from: '11-01', to: '02-28', start: '17:00' }] }], 'Asia/Shanghai');
    expect(plan.instance('2027-01-15', 'n')?.start).toBe(sh('2027-01-15T17:00'));
    expect(plan.instance('2026-10-31', 'n')?.start).toBe(sh('2026-10-31T18:00'));
    expect(plan.instance('2027-03-01', 'n')?.start).toBe(sh('2027-03-01T18:00'));
  });

  it('unknown shifts and impossible dates have no instance', () => {
    expect(shanghai.instance('2026-02-30', 'day')).toBeNull();
    expect(shanghai.instance('2026-11-23', 'evening')).toBeNull();
  });
});

describe('a site in a daylight-saving zone (Europe/Berlin)', () => {
  const berlin = createShiftPlan(
    [
      { id: 'day', name: name('Day'), start: '08:00', end: '20:00' },
      { id: 'night', name: name('Night'), start: '20:00', end: '08:00' },
    ],
    'Europe/Berlin',
  );
  const hours = (s: ShiftInstance | null) => s && (s.end - s.start) / 3_600_000;

  it('the night of the spring-forward switch lasts 11 h and the autumn one 13 h', () => {
    expect(hours(berlin.instance('2026-03-28', 'night'))).toBe(11);
    expect(hours(berlin.instance('2026-10-24', 'night'))).toBe(13);
    expect(hours(berlin.instance('2026-03-29', 'day'))).toBe(12);
    expect(berlin.instance('2026-03-29', 'day')?.start).toBe(Date.parse('2026-03-29T06:00:00Z')); // CEST, UTC+2
    expect(berlin.instance('2026-03-28', 'day')?.start).toBe(Date.parse('2026-03-28T07:00:00Z')); // CET, UTC+1
  });

  it('consecutive shifts abut without gap or overlap through both switches', () => {
    for (const [from, to] of [['2026-03-20T00:00:00Z', '2026-04-05T00:00:00Z'], ['2026-10-18T00:00:00Z', '2026-11-01T00:00:00Z']] as const) {
      const list = berlin.shiftsBetween(Date.parse(from), Date.parse(to));
      expect(list.length).toBeGreaterThan(28);
      for (let i = 1; i < list.length; i++) expect([list[i]!.key, list[i]!.start]).toEqual([list[i]!.key, list[i - 1]!.end]);
    }
  });

  it('a wall time in the spring gap moves forward, one in the autumn overlap is the earlier instant', () => {
    expect(zonedInstant({ y: 2026, m: 3, d: 29 }, 150, 'Europe/Berlin')).toBe(Date.parse('2026-03-29T01:30:00Z')); // 02:30 → 03:30 CEST
    expect(zonedInstant({ y: 2026, m: 10, d: 25 }, 150, 'Europe/Berlin')).toBe(Date.parse('2026-10-25T00:30:00Z')); // first 02:30 (CEST)
  });
});

describe('shift config checks', () => {
  const profiles = loadProfiles(defaultProfilesDir);
  const site = (extra: string, tz = 'Asia/Shanghai') => `
site: { id: t, name: { en: T, zh-CN: T }, demo: true, timezone: ${tz} }
rooms: [{ id: dist, kind: distribution, name: { en: D, zh-CN: 配电房 } }]
devices: []
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
${extra}`;
  const problems = (text: string) => {
    try {
      parseSite('site.yaml', text, profiles);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
      throw err;
    }
    return [];
  };

  it('accepts the tower shifts and defaults the zone to Asia/Shanghai', () => {
    const text = site(`shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", minStaff: { duty: 1 } }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30", seasons: [{ from: "05-01", to: "09-30", start: "18:00" }] }`).replace('timezone: Asia/Shanghai', 'language: en');
    expect(problems(text)).toEqual([]);
    expect(parseSite('site.yaml', text, profiles).timezone).toBe('Asia/Shanghai');
  });

  it('names every problem with its path', () => {
    const found = problems(
      site(
        `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "08:30" }
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", seasons: [{ from: "02-30", to: "03-31" }, { from: "03-01", to: "04-30" }] }`,
        'Mars/Olympus',
      ),
    );
    expect(found).toEqual([
      '/site/timezone: unknown time zone "Mars/Olympus" (an IANA name such as Asia/Shanghai or Europe/Berlin)',
      '/shifts/0/end: a shift cannot end when it starts',
      '/shifts/1/id: shift id "day" is used twice',
      '/shifts/1/seasons/0/from: no such day "02-30"',
      '/shifts/1/seasons/1: overlaps season 0 on 03-01',
    ]);
  });

  it('refuses a name split by an unquoted comma in a YAML flow map', () => {
    const found = problems(site(`shifts: [{ id: day, name: { en: Day, early, zh-CN: 白班 }, start: "08:30", end: "17:30" }]`));
    expect(found).toEqual([expect.stringMatching(/^\/shifts\/0\/name\/early: /)]);
  });

  it('refuses a malformed time of day through the schema', () => {
    expect(problems(site(`shifts: [{ id: day, name: { en: D, zh-CN: D }, start: "8:30", end: "24:00" }]`)).length).toBe(2);
  });
});
