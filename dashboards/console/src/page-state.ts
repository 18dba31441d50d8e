// What a person has typed or chosen survives the language switch (issue 15): the switch rebuilds the console
// in the new language (every view builds its words when it is made), so before it the values of the form
// controls (and which collapsed sections are open) are taken by their test id (or id), and after it they are
// put back, also into controls that a page builds later once its data has loaded. Passwords are never kept.
type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
type Saved = { value: string; checked: boolean };

const keyOf = (c: Element): string | null => c.getAttribute('data-testid') ?? (c.id || null);

export function savePageState(root: Element): Map<string, Saved> {
  const saved = new Map<string, Saved>();
  for (const c of root.querySelectorAll<Control>('input, textarea, select')) {
    const key = keyOf(c);
    if (!key || key === 'lang-switch' || (c instanceof HTMLInputElement && (c.type === 'password' || c.type === 'file'))) continue;
    const checked = c instanceof HTMLInputElement && c.checked;
    const changed = c instanceof HTMLInputElement && (c.type === 'checkbox' || c.type === 'radio') ? checked !== c.defaultChecked : c.value !== defaultValue(c);
    if (changed) saved.set(key, { value: c.value, checked });
  }
  for (const d of root.querySelectorAll<HTMLDetailsElement>('details[open]')) {
    const key = keyOf(d);
    if (key) saved.set(key, { value: '', checked: true });
  }
  return saved;
}

function defaultValue(c: Control): string {
  if (c instanceof HTMLSelectElement) return ([...c.options].find((o) => o.defaultSelected) ?? c.options[0])?.value ?? '';
  return c.defaultValue;
}

/** Puts `saved` back into `root`'s controls as they appear; stops when all are back or the person types. */
export function restorePageState(root: Element, saved: Map<string, Saved>): void {
  const pending = new Map(saved);
  const apply = (): void => {
    for (const [key, s] of pending) {
      const c = root.querySelector<Control | HTMLDetailsElement>(`[data-testid="${CSS.escape(key)}"], #${CSS.escape(key)}`);
      if (!c) continue;
      if (c instanceof HTMLDetailsElement) {
        c.open = s.checked;
        pending.delete(key);
        continue;
      }
      if (c instanceof HTMLInputElement && (c.type === 'checkbox' || c.type === 'radio')) c.checked = s.checked;
      else if (c instanceof HTMLSelectElement && ![...c.options].some((o) => o.value === s.value)) continue; // its options are not loaded yet
      else c.value = s.value;
      pending.delete(key);
      // Views that follow a control (the alarm filters) hear of the value as if it had been chosen.
      c.dispatchEvent(new Event('change', { bubbles: true }));
    }
    if (pending.size === 0) stop();
  };
  const observer = new MutationObserver(apply);
  const stop = (): void => {
    observer.disconnect();
    root.removeEventListener('input', stop);
  };
  observer.observe(root, { childList: true, subtree: true });
  root.addEventListener('input', stop);
  apply();
}
