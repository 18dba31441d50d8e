// The language switch (login screen and header). The choice is remembered on this browser.
import { isLang, languages, t } from '../../../src/i18n/index.ts';
import { h } from './dom.ts';
import { lang, setLang, tr } from './lang.ts';

export function langSwitch(): HTMLElement {
  const select = h(
    'select',
    { class: 'lang-switch', 'aria-label': tr('lang.label'), title: tr('lang.label'), 'data-testid': 'lang-switch' },
    // Each language is named in itself, so a user who cannot read the current one still finds theirs.
    languages.map((l) => h('option', { value: l, selected: l === lang() }, t(l, `lang.${l}`))),
  );
  select.addEventListener('change', () => {
    if (isLang(select.value)) setLang(select.value);
  });
  return select;
}
