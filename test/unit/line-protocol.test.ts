// The `reading` line of our line protocol (docs/influx-schema.md), as built on the hot path (issue 17): series head
// cached per point, value, quality and the time text shared by a poll cycle's readings.
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../src/core/reading.ts';
import { lineWriter } from '../../src/sinks/historian/line-protocol.ts';

const r = (over: Partial<Reading>): Reading => ({
  pointKey: 'th1.temperature', roomId: 'dist 1', deviceId: 'th1', point: 'temperature', value: 21.5, unit: '°C', quality: 'good', ts: 1_764_000_000_000.4, ...over,
});

describe('reading lines', () => {
  it('a value, a boolean as 1/0, no value (quality only), an unknown quality; the time rounded to the ms', () => {
    const lines = lineWriter('site,a');
    const head = 'reading,device=th1,point=temperature,room=dist\\ 1,site=site\\,a';
    expect(lines.reading(r({}))).toBe(`${head} value=21.5,quality="good" 1764000000000`);
    expect(lines.reading(r({ value: true, ts: 1_764_000_000_001 }))).toBe(`${head} value=1,quality="good" 1764000000001`);
    expect(lines.reading(r({ value: null, quality: 'comm_lost', ts: 1_764_000_000_001 }))).toBe(`${head} quality="comm_lost" 1764000000001`);
    expect(lines.reading(r({ value: Number.NaN, quality: 'bad' }))).toBe(`${head} quality="bad" 1764000000000`);
    expect(lines.reading(r({ quality: 'odd"one' as Reading['quality'] }))).toBe(`${head} value=21.5,quality="odd\\"one" 1764000000000`);
  });

  it('a reading that moved to another room gets that room\'s series', () => {
    const lines = lineWriter('s');
    lines.reading(r({}));
    expect(lines.reading(r({ roomId: 'b2' }))).toMatch(/^reading,device=th1,point=temperature,room=b2,site=s value=21.5/);
  });
});
