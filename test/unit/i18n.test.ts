// The two locales must stay in step: same keys, same placeholders; t() interpolates and falls back.
import { describe, expect, it } from 'vitest';
import { interpolate, isLang, isMessageKey, languages, locales, placeholders, t, translate } from '../../src/i18n/index.ts';

const en = locales.en;
const zh = locales['zh-CN'];

// Kinds and codes of src/contract/api.ts, spelled out so a new one added there without text fails here.
const dutyLogKinds = [
  'alarm.raised',
  'alarm.acknowledged',
  'alarm.returned',
  'alarm.cleared',
  'gateway.started',
  'gateway.stopped',
  'user.login',
  'user.logout',
  'roster.saved',
  'roster.imported',
  'roster.published',
  'roster.swapRequested',
  'roster.swapApproved',
  'roster.swapRejected',
  'note.added',
  'note.corrected',
  'note.attached',
  'log.signed',
  'shift.started',
  'shift.ended',
  'retention.purged',
  'handover.refused',
  'handover.outgoingSigned',
  'handover.completed',
  'handover.late',
  'patrol.done',
  'patrol.overdue',
  'room.entered',
  'room.exited',
  'playbook.opened',
  'playbook.step',
  'playbook.closed',
];
const errorCodes = [
  'RW_AUTH_REQUIRED',
  'RW_BAD_CREDENTIALS',
  'RW_FORBIDDEN',
  'RW_INVALID_REQUEST',
  'RW_NOT_FOUND',
  'RW_ALARM_NOT_ACKABLE',
  'RW_NOTE_REQUIRED',
  'RW_INTERNAL',
  'RW_ROSTER_LOCKED',
  'RW_ROSTER_UNDERSTAFFED',
  'RW_SWAP_INVALID',
  'RW_SWAP_TOO_LATE',
  'RW_ALREADY_CORRECTED',
  'RW_ALREADY_SIGNED',
  'RW_NOT_CORRECTABLE',
  'RW_ATTACHMENT_REFUSED',
  'RW_HANDOVER_REFUSED',
  'RW_HANDOVER_STATE',
];

describe('locale files', () => {
  it('have exactly the same keys', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it('use the same {placeholders} for every key', () => {
    for (const key of Object.keys(en)) {
      const a = new Set(placeholders(en[key] ?? ''));
      const b = new Set(placeholders(zh[key] ?? ''));
      expect([key, [...b].sort()]).toEqual([key, [...a].sort()]);
    }
  });

  it('have no empty messages', () => {
    for (const lang of languages) {
      for (const [key, text] of Object.entries(locales[lang])) expect([lang, key, text.trim().length > 0]).toEqual([lang, key, true]);
    }
  });

  it('cover every duty-log kind and error code of the contract, and the server start-up keys', () => {
    const required = [
      ...dutyLogKinds.map((k) => `dutyLog.kind.${k}`),
      ...errorCodes.map((c) => `error.${c}`),
      'startup.console',
      'startup.demoMode',
      'startup.demoAccount',
      'startup.stopping',
    ];
    for (const key of required) expect([key, isMessageKey(key)]).toEqual([key, true]);
  });
});

describe('t()', () => {
  it('interpolates {name} placeholders in both languages', () => {
    expect(t('en', 'startup.console', { url: 'http://127.0.0.1:8080/' })).toBe('Console: http://127.0.0.1:8080/');
    expect(t('zh-CN', 'startup.console', { url: 'http://127.0.0.1:8080/' })).toBe('监控台：http://127.0.0.1:8080/');
    expect(t('en', 'age.seconds', { n: 3 })).toBe('3 s ago');
    expect(t('zh-CN', 'age.seconds', { n: 3 })).toBe('3 秒前');
  });

  it('replaces every occurrence and leaves unknown placeholders visible', () => {
    expect(interpolate('{a}-{a}-{b}', { a: 1 })).toBe('1-1-{b}');
    expect(interpolate('{a}', { a: null })).toBe('{a}');
    expect(interpolate('{a}', { a: false })).toBe('false');
  });

  it('falls back to English, then to the key itself', () => {
    const catalogs = { en: { a: 'A {x}', b: 'B' }, 'zh-CN': { b: '乙' } };
    expect(translate(catalogs, 'zh-CN', 'b')).toBe('乙');
    expect(translate(catalogs, 'zh-CN', 'a', { x: 1 })).toBe('A 1');
    expect(translate(catalogs, 'zh-CN', 'missing')).toBe('missing');
    // Inherited object properties are not messages.
    expect(translate(catalogs, 'en', 'toString')).toBe('toString');
    // The real catalogs go through the same chain (the types forbid an unknown key; the cast tests run time).
    expect(t('zh-CN', 'no.such.key' as never)).toBe('no.such.key');
  });

  it('knows its languages', () => {
    expect(languages).toEqual(['zh-CN', 'en']);
    expect(isLang('zh-CN')).toBe(true);
    expect(isLang('en')).toBe(true);
    expect(isLang('zh')).toBe(false);
    expect(isLang(undefined)).toBe(false);
  });
});
