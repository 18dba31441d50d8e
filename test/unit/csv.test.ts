// The CSV writer of the roster and the period report's tables: RFC 4180 quoting, and text cells a spreadsheet would
// run as a formula (OWASP "CSV injection") shown as text, while numbers, negative ones included, stay numbers.
import { describe, expect, it } from 'vitest';
import { csvSafe, parseCsv, toCsv } from '../../src/shifts/csv.ts';

describe('CSV', () => {
  it('prefixes text cells starting with = + - @ tab or CR with \', and leaves numbers as numbers', () => {
    for (const cell of ['=HYPERLINK("http://evil.example","B1")', '+cmd|/C calc!A0', '-2+3', '@SUM(A1:A2)', '\tx', '\rx', '-', '-3 °C']) {
      expect(csvSafe(cell), JSON.stringify(cell)).toBe(`'${cell}`);
    }
    for (const cell of ['-3.5', '-12', '+4', '-0.25', '1e-3', '35', 'B1 =room', '', '2026-11-05 14:19']) expect(csvSafe(cell), cell).toBe(cell);
  });

  it('quotes after guarding, and reads back the guarded text', () => {
    const csv = toCsv([['room', 'min'], ['=HYPERLINK("http://evil.example","B1")', '-3.5']]);
    expect(csv).toBe('room,min\r\n"\'=HYPERLINK(""http://evil.example"",""B1"")",-3.5\r\n');
    expect(parseCsv(csv)[1]!.fields).toEqual(['\'=HYPERLINK("http://evil.example","B1")', '-3.5']);
  });
});
