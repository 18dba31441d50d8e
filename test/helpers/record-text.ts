// What must never reach an operator's eyes (issue 15): unfilled `{placeholders}`, the gateway's ids and enum
// codes, ISO timestamps, usernames where a display name exists, and words of the other language. One
// function reads a page's visible text and returns every offence with the words around it.
import type { Site } from '../../src/config/load.ts';

export type Lang = 'en' | 'zh-CN';

/** Codes the gateway stores in the record (conditions, priorities, states, classifications, refusals, sides). */
const CODES = [
  'highHigh', 'lowLow', 'rateOfChange', 'commLoss', 'isolationOvernight', 'unack_active', 'ack_active', 'rtn_unack',
  'latched_unack', 'latched_ack', 'false_alarm', 'device_fault', 'incidentOpen', 'playbookOpen', 'equipmentTransition',
  'equipmentRecent', 'checklistIncomplete', 'understaffed', 'unfitNoSubstitute', 'awaitingIncoming', 'outgoing', 'incoming',
  'critical', 'medium', 'maintenance', 'isolation', 'construction', 'pipe-burst', 'power-cut', 'gas-leak',
];

/** Latin words a Chinese page may show: units, protocols, the product, rule ids (R1, A4, E2), keys as printed on the keyboard. */
const LATIN_OK = /^(Tab|Enter|Ctrl|Esc|Home|End|°C|°|%RH|RH|kWh|kW|W|A|V|Hz|bar|rpm|h|m|s|min|ms|m³|Roomwatch|MQTT|Modbus|TCP|RTU|InfluxDB|QR|CSV|PDF|ISA|EEMUA|[A-Z]\d{1,2}|[A-Z]{1,2}\d*)$/;

/** Latin (zh-CN) or CJK (en) words the site itself names things with: "B1 配电房", "Shelly Plus i4", "李伟 Li Wei". */
function siteWords(site: Site, lang: Lang): Set<string> {
  const texts: string[] = [];
  const add = (l: { en: string; 'zh-CN': string } | undefined): void => {
    if (l) texts.push(l[lang]);
  };
  add(site.config.site.name);
  for (const r of site.config.rooms) add(r.name);
  for (const d of [...site.devices, ...site.mqttDevices]) add(d.name);
  for (const u of site.config.users ?? []) texts.push(u.displayName);
  const words = lang === 'zh-CN' ? /[A-Za-z][A-Za-z0-9]*/g : /[\u3400-\u9fff]+/g;
  return new Set(texts.flatMap((t) => t.match(words) ?? []));
}

export function recordOffences(text: string, opts: { lang: Lang; site: Site; freeText: readonly string[] }): string[] {
  const { site, lang } = opts;
  let t = text;
  for (const free of opts.freeText) t = t.replaceAll(free, ' ');
  const found: string[] = [];
  const near = (i: number, len: number): string => t.slice(Math.max(0, i - 30), i + len + 30).replace(/\s+/g, ' ');
  const scan = (what: string, re: RegExp, keep: (m: string) => boolean = () => true): void => {
    for (const m of t.matchAll(re)) if (keep(m[0])) found.push(`${what} "${m[0]}" in "…${near(m.index, m[0].length)}…"`);
  };
  scan('placeholder', /\{[A-Za-z0-9_]+\}/g);
  scan('ISO time', /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{4}-\d{2}-\d{2}\/[a-z]+/g);
  scan('numeric date', /\b\d{2}\/\d{2}(\/\d{4})?\b/g);
  const ids = [
    ...site.config.rooms.map((r) => r.id),
    ...[...site.devices, ...site.mqttDevices].map((d) => d.config.id),
    ...[...site.points.keys()],
    ...(site.config.patrols ?? []).map((p) => p.id),
  ];
  for (const id of ids) scan('raw id', new RegExp(`(?<![\\w.-])${id.replace(/[.]/g, '\\.')}(?![\\w-])`, 'g'));
  for (const code of CODES) scan('code', new RegExp(`(?<![\\w-])${code}(?![\\w-])`, 'g'), () => lang === 'zh-CN' || /[A-Z_-]/.test(code));
  scan('username', /(?<![\w])duty2(?![\w])/g);
  if (lang === 'zh-CN') {
    const ok = siteWords(site, lang);
    scan('Latin in zh-CN', /[A-Za-z][A-Za-z0-9_.-]*/g, (w) => !LATIN_OK.test(w) && !ok.has(w));
  } else {
    const ok = siteWords(site, lang);
    scan('CJK in en', /[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]+/g, (w) => !ok.has(w));
  }
  return found;
}
