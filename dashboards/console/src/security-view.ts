// The admin's security page (issue 13): who is logged in where, revoking a session or all of a user's (their
// consoles drop within seconds), and the login throttles — which accounts and addresses are being slowed after
// failed passwords, with a button to let one in again (docs/security.md "Login throttling").
import type { LoginThrottleView, SessionListView } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { call } from './api.ts';
import { h, replaceChildren } from './dom.ts';
import { pageAction, statusLine } from './status-line.ts';
import { errorText } from './errors.ts';
import { formatDateTime } from './format.ts';
import { now } from './clock.ts';
import { tr } from './lang.ts';
import { diagTable } from './diagnostics-view.ts';
import type { Store } from './store.ts';

export function securityView(_store: Store): { el: HTMLElement } {
  const { el: message, say } = statusLine('security-message');
  const sessions = diagTable('security-sessions', ['security.user', 'security.since', 'security.expires', 'security.source', 'security.actions']);
  const throttles = diagTable('security-throttles', ['security.scope', 'security.key', 'security.failures', 'security.refused', 'security.blockedUntil', 'security.actions']);
  const button = (testId: string, text: string, work: () => Promise<unknown>, done: string): HTMLElement =>
    h('button', { type: 'button', class: 'btn btn--small', 'data-testid': testId, onclick: () => void act(work, done) }, text);

  const act = pageAction(say, () => load());

  async function load(): Promise<void> {
    try {
      const [list, slowed] = await Promise.all([call<SessionListView>('GET', routes.securitySessions), call<LoginThrottleView>('GET', routes.loginThrottles)]);
      replaceChildren(
        sessions.body,
        list.map((s) =>
          h(
            'tr',
            { 'data-testid': `session-${s.id}`, 'data-user': s.username },
            h('td', {}, s.username, s.current ? ` (${tr('security.thisSession')})` : ''),
            h('td', {}, formatDateTime(s.createdAt)),
            h('td', {}, formatDateTime(s.expiresAt)),
            h('td', {}, s.source ?? '—'),
            h(
              'td',
              {},
              s.current ? null : button(`revoke-session-${s.id}`, tr('security.revoke'), () => call('DELETE', routes.securitySession(s.id)), tr('security.revoked', { user: s.username })),
              ' ',
              button(`revoke-user-${s.id}`, tr('security.revokeAll', { user: s.username }), () => call('DELETE', routes.securityUserSessions(s.username)), tr('security.revoked', { user: s.username })),
            ),
          ),
        ),
      );
      const at = now();
      replaceChildren(
        throttles.body,
        slowed.length === 0
          ? [h('tr', {}, h('td', { colspan: 6, class: 'muted', 'data-testid': 'security-no-throttles' }, tr('security.noThrottles')))]
          : slowed.map((t) =>
              h(
                'tr',
                { 'data-testid': `throttle-${t.scope}-${t.key}` },
                h('td', {}, tr(`security.scope.${t.scope}`)),
                h('td', {}, t.key),
                h('td', { class: 'num' }, t.failures),
                h('td', { class: 'num' }, t.refused),
                h('td', {}, t.blockedUntil && t.blockedUntil > at ? formatDateTime(t.blockedUntil) : '—'),
                h('td', {}, button(`clear-throttle-${t.scope}-${t.key}`, tr('security.letIn'), () => call('POST', `${routes.loginThrottles}/clear`, { key: t.key }), tr('security.cleared', { key: t.key }))),
              ),
            ),
      );
    } catch (err) {
      say(errorText(err), true);
    }
  }

  const refresh = h('button', { type: 'button', class: 'btn btn--small', 'data-testid': 'security-refresh', onclick: () => void load() }, tr('security.refresh'));
  const el = h(
    'section',
    { class: 'panel', 'data-testid': 'security-view' },
    h('h2', { class: 'panel-title' }, tr('security.title')),
    message,
    refresh,
    h('h3', {}, tr('security.sessionsTitle')),
    sessions.table,
    h('h3', {}, tr('security.throttlesTitle')),
    h('p', { class: 'muted' }, tr('security.throttlesHelp')),
    throttles.table,
  );
  void load();
  return { el };
}
