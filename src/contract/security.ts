// Sessions, permissions and login throttling as the console sees them (issue 13, issue 14 item 6).
import type { Action } from '../auth/permissions.ts';
import type { UserView } from './api.ts';
import type { ThrottleEntry } from '../auth/login-throttle.ts';
import type { SessionInfo } from '../auth/users.ts';

export type { Action } from '../auth/permissions.ts';

/** The answer to logging in and to GET /api/session: who, and what they may do (the one permission table). */
export type SessionView = UserView & { permissions: Action[] };

/** GET /api/security/sessions (admin): live sessions; `current` marks the asking admin's own. */
export type SessionListView = (SessionInfo & { current: boolean })[];

/** GET /api/security/login-throttles (admin). */
export type LoginThrottleView = ThrottleEntry[];
