// Error codes (contract ErrorCode, plus 'network'/'timeout' from the client) as text in the current language.
import { isMessageKey } from '../../../src/i18n/index.ts';
import { ApiError } from './api.ts';
import { tr } from './lang.ts';

export function codeText(code: string): string {
  const key = `error.${code}`;
  return isMessageKey(key) ? tr(key) : tr('error.unknown', { code });
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return codeText(err.code);
  return tr('error.unknown', { code: err instanceof Error ? err.message : String(err) });
}
