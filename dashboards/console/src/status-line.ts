// The one-line outcome under a form on the shifts-area pages: what was done, or the translated error.
import { h } from './dom.ts';

export function statusLine(testId: string): { el: HTMLParagraphElement; say(text: string, error?: boolean): void } {
  const el = h('p', { class: 'form-message', role: 'status', 'data-testid': testId });
  return {
    el,
    say(text, error = false) {
      el.textContent = text;
      el.dataset['error'] = String(error);
    },
  };
}
