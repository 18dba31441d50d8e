// The console's current language: chosen on the login screen, remembered in localStorage.
import { isLang, t, type Lang, type MessageKey, type MessageParams } from '../../../src/i18n/index.ts';
import type { Localized } from '../../../src/contract/api.ts';

const STORAGE_KEY = 'roomwatch.lang';

let current: Lang = initialLang();
const listeners = new Set<(lang: Lang) => void>();

/** Remembered choice first, then the browser's languages (any zh-* means Chinese), then English. */
function initialLang(): Lang {
  const saved = readStorage();
  if (isLang(saved)) return saved;
  const browser = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of browser) {
    if (/^zh\b/i.test(tag)) return 'zh-CN';
    if (/^en\b/i.test(tag)) return 'en';
  }
  return 'en';
}

function readStorage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled by policy: fall back to the browser language
  }
}

export function lang(): Lang {
  return current;
}

/** Whether the user has chosen a language on this browser (a site default must not override that). */
export function langChosen(): boolean {
  return isLang(readStorage());
}

export function setLang(next: Lang, remember = true): void {
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not remembered; the switch still applies to this page
    }
  }
  if (next === current) return;
  current = next;
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

export function onLangChange(listener: (lang: Lang) => void): void {
  listeners.add(listener);
}

/** Translate in the current language. */
export function tr(key: MessageKey, params?: MessageParams): string {
  return t(current, key, params);
}

/** Pick the current language's text of a site name, falling back to English. */
export function loc(text: Localized | undefined): string {
  if (!text) return '';
  return text[current] || text.en;
}

document.documentElement.lang = current;
