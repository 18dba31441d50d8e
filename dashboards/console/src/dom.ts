// A tiny DOM builder: enough for a handful of views without a framework. Text with bidi overrides is shown
// isolated wherever it is put (isolateBidi, issue 13).
import { isolateBidi } from '../../../src/i18n/index.ts';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** Create an element; `on*` attributes given a function become listeners, `false`/null attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : isolateBidi(String(child)));
  }
}

/** Replace all children of `el`. */
export function replaceChildren(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Set text only when it changed, so a once-a-second refresh does not churn the DOM. */
export function setText(el: Element, text: string): void {
  const shown = isolateBidi(text);
  if (el.textContent !== shown) el.textContent = shown;
}
