// The one-line outcome under a form on the shifts-area pages: what was done, or the translated error.
import { h } from './dom.ts';
import { formErrorText } from './field-errors.ts';

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

/** Runs a page's action: on success says `done` and reloads the page's data; on failure says the translated error. */
export function pageAction(say: (text: string, error?: boolean) => void, reload: () => Promise<void>): (work: () => Promise<unknown>, done: string) => Promise<void> {
  return async (work, done) => {
    try {
      await work();
      say(done);
      await reload();
    } catch (err) {
      // The form just submitted holds the focus (its button, or the field Enter was pressed in): its invalid
      // fields are marked and named.
      say(formErrorText(document.activeElement?.closest('form'), err), true);
    }
  };
}
