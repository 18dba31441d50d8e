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

/**
 * Keep `parent`'s children as one element per key, in the order given, updating rows in place (issue 15): a
 * row whose rendering is unchanged is left alone, a changed one keeps its element and takes the new cells, so
 * the row a person has focused (keyboard) stays focused while a flood of alarm and duty-log events arrives.
 * `render` builds a detached row each time; what it renders (its HTML) decides whether anything changed.
 */
export function keyedChildren<T>(parent: Element, items: readonly T[], key: (item: T) => string, render: (item: T) => HTMLElement): void {
  const focused = document.activeElement;
  const focusedId = focused instanceof HTMLElement && parent.contains(focused) ? focused.dataset['testid'] : undefined;
  const byKey = new Map<string, HTMLElement>();
  for (const child of parent.children) if (child instanceof HTMLElement && child.dataset['key'] !== undefined) byKey.set(child.dataset['key'], child);
  const wanted: HTMLElement[] = [];
  for (const item of items) {
    const k = key(item);
    const fresh = render(item);
    fresh.dataset['key'] = k;
    const html = fresh.outerHTML;
    const old = byKey.get(k);
    if (!old) {
      rendered.set(fresh, html);
      wanted.push(fresh);
      continue;
    }
    if (rendered.get(old) !== html) {
      for (const name of old.getAttributeNames()) if (!fresh.hasAttribute(name)) old.removeAttribute(name);
      for (const name of fresh.getAttributeNames()) old.setAttribute(name, fresh.getAttribute(name)!);
      old.replaceChildren(...fresh.childNodes);
      rendered.set(old, html);
    }
    wanted.push(old);
  }
  const keep = new Set(wanted);
  for (const child of [...parent.children]) if (!keep.has(child as HTMLElement)) child.remove();
  wanted.forEach((el, i) => {
    if (parent.children[i] !== el) parent.insertBefore(el, parent.children[i] ?? null);
  });
  // A row moved or a focused button was replaced by its new twin: give the focus back to the same thing.
  if (focused instanceof HTMLElement && document.activeElement !== focused) {
    const again = focused.isConnected ? focused : focusedId ? parent.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focusedId)}"]`) : null;
    again?.focus({ preventScroll: true });
  }
}

/** The HTML each keyed row was last rendered as (the countdown ticks change its text later; that is not a change). */
const rendered = new WeakMap<Element, string>();
