// The one i18n layer, shared by the gateway (start-up output) and the console bundle (esbuild inlines the JSON).
// Keys are flat dotted strings; en.json is the reference and zh-CN.json must have exactly the same keys
// (test/unit/i18n.test.ts). `{name}` placeholders are filled from params.
import en from './locales/en.json' with { type: 'json' };
import zhCN from './locales/zh-CN.json' with { type: 'json' };

export type Lang = 'en' | 'zh-CN';

/** Every message key, taken from the reference locale so a typo or a missing kind fails type-checking. */
export type MessageKey = keyof typeof en;

export type MessageParams = Readonly<Record<string, string | number | boolean | null | undefined>>;

export const languages: readonly Lang[] = ['zh-CN', 'en'];

export const defaultLang: Lang = 'en';

const catalogs: Record<Lang, Readonly<Record<string, string>>> = { en, 'zh-CN': zhCN };

export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'zh-CN';
}

/** For keys built at run time from data (e.g. an error code from the wire). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** Translate; a key missing in `lang` falls back to English, then to the key itself. */
export function t(lang: Lang, key: MessageKey, params?: MessageParams): string {
  return translate(catalogs, lang, key, params);
}

/** t() over any catalogs: the fallback chain in one place, testable without editing the locale files. */
export function translate(
  from: Readonly<Record<Lang, Readonly<Record<string, string>>>>,
  lang: Lang,
  key: string,
  params?: MessageParams,
): string {
  const template = own(from[lang], key) ?? own(from[defaultLang], key) ?? key;
  return params ? interpolate(template, params) : template;
}

function own(catalog: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(catalog, key) ? catalog[key] : undefined;
}

/** Fill `{name}` placeholders; a placeholder without a value is left visible so the gap shows. */
export function interpolate(template: string, params: MessageParams): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    return value === undefined || value === null ? whole : isolateBidi(String(value));
  });
}

// Explicit directional formatting characters (Unicode UAX #9 §2): embeddings, overrides, isolates.
const bidiControls = /[\u202A-\u202E\u2066-\u2069]/;
const isolates = /[\u2066-\u2069]/g;

/**
 * A text someone typed (a note, a reason, a visitor's name) that carries bidi overrides is shown isolated
 * (issue 13, low): wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, so "‮evil" cannot reverse the
 * sentence around it. Its own isolate marks are dropped so it cannot close the wrapper early. Text without
 * such characters is returned unchanged.
 */
export function isolateBidi(text: string): string {
  return bidiControls.test(text) ? `\u2068${text.replace(isolates, '')}\u2069` : text;
}

/** The placeholder names a template uses (for the locale test and for tooling). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? '');
}

/** The raw catalogs, read-only; tests compare them key by key. */
export const locales: Readonly<Record<Lang, Readonly<Record<string, string>>>> = catalogs;
