// A small CSV reader/writer for the roster (RFC 4180: comma separated, fields with commas, quotes or
// line breaks quoted, quotes doubled), text cells guarded against formulas. Small enough that a dependency would
// cost more than it saves.

/** A number as a spreadsheet reads one: negative, signed or with an exponent, it stays a number. */
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

/**
 * A text cell a spreadsheet would run as a formula (first character = + - @, tab or CR: OWASP "CSV injection") gets a
 * leading ' so Excel and LibreOffice show it as text; numbers are left as they are (−3.5 °C stays a number).
 */
export function csvSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) && !NUMBER.test(cell) ? `'${cell}` : cell;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  const field = (cell: string): string => {
    const f = csvSafe(cell);
    return /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
  };
  return rows.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/** Rows with the 1-based line each starts on; blank lines are skipped. Throws on an unclosed quote. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = (): void => {
    fields.push(field);
    if (fields.length > 1 || fields[0]!.trim() !== '') rows.push({ line: rowLine, fields: fields.map((f) => f.trim()) });
    fields = [];
    field = '';
  };
  const src = text.replace(/^\uFEFF/, ''); // Excel writes a byte-order mark
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRow();
      rowLine = ++line;
    } else field += c;
  }
  if (quoted) throw new Error(`line ${rowLine}: a quoted field is not closed`);
  endRow();
  return rows;
}
