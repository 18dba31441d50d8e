// The first screen: every API call needs a session, so nothing else loads before this succeeds.
import type { SessionView } from '../../../src/contract/api.ts';
import { api } from './api.ts';
import { h } from './dom.ts';
import { tr } from './lang.ts';
import { errorText } from './errors.ts';
import { langSwitch } from './lang-switch.ts';

export interface LoginState {
  username: string;
  /** Why the login screen is shown (bad password, session expired …), rendered in the current language. */
  message: (() => string) | null;
}

/** Render the login form; `onLogin` gets the user once the gateway accepted the credentials. */
export function loginView(state: LoginState, onLogin: (user: SessionView) => void): HTMLElement {
  const username = h('input', {
    id: 'login-username',
    name: 'username',
    autocomplete: 'username',
    required: true,
    maxlength: 64,
    autofocus: true,
    'data-testid': 'login-username',
  });
  username.value = state.username;
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    maxlength: 256,
    'data-testid': 'login-password',
  });
  const submit = h('button', { type: 'submit', class: 'btn btn--primary btn--wide', 'data-testid': 'login-submit' }, tr('login.submit'));
  const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'login-error', hidden: !state.message }, state.message?.() ?? '');
  username.addEventListener('input', () => (state.username = username.value));

  const form = h(
    'form',
    { class: 'login-form', 'data-testid': 'login-form', novalidate: true },
    h('label', { for: 'login-username' }, tr('login.username')),
    username,
    h('label', { for: 'login-password' }, tr('login.password')),
    password,
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!username.value.trim() || !password.value) {
      (username.value.trim() ? password : username).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = tr('login.submitting');
    api
      .login({ username: username.value.trim(), password: password.value })
      .then((user) => {
        state.message = null;
        onLogin(user);
      })
      .catch((err: unknown) => {
        state.message = () => errorText(err);
        error.textContent = state.message();
        error.hidden = false;
        password.value = '';
        password.focus();
        submit.disabled = false;
        submit.textContent = tr('login.submit');
      });
  });

  return h(
    'main',
    { class: 'login-screen', 'data-testid': 'login-screen' },
    h(
      'section',
      { class: 'login-card' },
      h('div', { class: 'login-top' }, h('h1', { class: 'brand' }, tr('app.title')), langSwitch()),
      h('p', { class: 'login-tagline' }, tr('app.tagline')),
      h('h2', {}, tr('login.title')),
      form,
      h('p', { class: 'login-note' }, tr('login.airgapNote')),
    ),
  );
}
