// Site-local wall-clock time (L6: one standard clock; the site's timezone decides what "23:00" means).
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight at the site, correct across daylight-saving changes. */
export function localMinutes(ts: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(ts));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}
