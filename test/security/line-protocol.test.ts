// Issue 13 Low: the InfluxDB line-protocol writer on its own, with hostile values. Before: tag() left backslashes
// alone (`room\` followed by `,device=` escaped the separator: a refused or merged point) and string fields passed
// raw newlines, which line protocol does not support. After: a backslash InfluxDB 1.x cannot carry (before a
// separator or at the end) becomes ⧵, newlines are `\n` in strings (a space in tags); one round trip through a real
// influxd proves what is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { str, tag } from '../../src/sinks/historian/line-protocol.ts';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { influxSelect } from '../helpers/influx-query.ts';
import { realPart } from '../helpers/real-parts.ts';

describe('line protocol escaping', () => {
  it('tag values: comma, space and equals escaped; a backslash before them or at the end is ⧵; newlines become spaces', () => {
    expect(tag('room b1,device=x')).toBe('room\\ b1\\,device\\=x');
    expect(tag('tail\\')).toBe('tail⧵');
    expect(tag('two\\\\')).toBe('two⧵⧵');
    expect(tag('a\\,b')).toBe('a⧵\\,b');
    expect(tag('nl\\\n')).toBe('nl⧵\\ ');
    expect(tag('c:\\temp')).toBe('c:\\temp'); // a backslash before an ordinary character is literal in 1.x
    expect(tag('line1\nline2\r')).toBe('line1\\ line2\\ ');
  });

  it('string fields: quotes and backslashes escaped, CR and LF written as \\r and \\n, never raw', () => {
    expect(str('say "hi"')).toBe('"say \\"hi\\""');
    expect(str('back\\')).toBe('"back\\\\"');
    expect(str('line1\nline2\r\n')).toBe('"line1\\nline2\\r\\n"');
    expect(str('x\n')).not.toMatch(/[\r\n]/);
  });
});

const influx = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');

describe.skipIf(influx.skip)('hostile values through a real influxd', () => {
  let d: RunningInfluxd;
  beforeAll(async () => {
    d = await startInfluxd();
    await fetch(`${d.url}/query?q=${encodeURIComponent('CREATE DATABASE t')}`, { method: 'POST' });
  });
  afterAll(async () => d?.stop());

  it('every hostile line is one point with exactly its own tags and field; nothing bleeds into the next tag or line', async () => {
    const hostile = ['tail\\', 'two\\\\', 'a\\,b', 'c:\\temp', 'x y=z,w', 'nl\nbreak'];
    const lines = hostile.map((v, i) => `m,room=${tag(v)},seq=${i} note=${str(`${v} "q" \\ end\nnext`)} ${i + 1}`);
    const res = await fetch(`${d.url}/write?db=t&precision=ms`, { method: 'POST', body: lines.join('\n') });
    const answer = await res.text();
    expect([res.status, answer], lines.join("\n")).toEqual([204, ""]);
    const rows = await influxSelect(d.url, 't', 'SELECT * FROM m ORDER BY time');
    expect(rows.map((r) => r['room'])).toEqual(['tail⧵', 'two⧵⧵', 'a⧵,b', 'c:\\temp', 'x y=z,w', 'nl break']);
    expect(rows.map((r) => r['seq'])).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(rows.map((r) => Object.keys(r).sort())).toEqual(hostile.map(() => ['note', 'room', 'seq', 'time']));
    // String fields: `\"` and `\\` come back as `"` and `\`; a newline reads back as the two characters \n.
    expect(rows.map((r) => r['note'])).toEqual(hostile.map((v) => `${v} "q" \\ end\\nnext`.replace(/\n/g, '\\n')));
  });
});
