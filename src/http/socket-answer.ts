// One way to answer a socket request: the session is checked on every event (a logout or expiry ends
// rights at once), domain errors become their stable codes, anything else is logged as a bug.
import type { ErrorCode } from '../contract/api.ts';
import type { UserView } from '../contract/api.ts';
import type { Logger } from '../core/logger.ts';
import { DomainError } from '../core/errors.ts';
import type { ConsoleSocket } from './context.ts';

type Failure = { ok: false; error: { code: ErrorCode; message: string } };

export function answer<T extends object>(
  logger: Logger,
  socket: ConsoleSocket,
  user: () => UserView | null,
  reply: unknown,
  work: () => T | { invalid: string },
): void {
  if (typeof reply !== 'function') return; // an event without an ack callback cannot be answered; ignore it
  const send = reply as (result: ({ ok: true } & T) | Failure) => void;
  if (!user()) {
    send({ ok: false, error: { code: 'RW_AUTH_REQUIRED', message: 'session ended; log in again' } });
    socket.disconnect(true);
    return;
  }
  try {
    const result = work();
    if ('invalid' in result && typeof result.invalid === 'string') send({ ok: false, error: { code: 'RW_INVALID_REQUEST', message: result.invalid } });
    else send({ ok: true, ...(result as T) });
  } catch (err) {
    if (err instanceof DomainError) send({ ok: false, error: { code: err.code, message: err.message } });
    else {
      logger.error('socket request failed', { err: String((err as Error)?.stack ?? err) });
      send({ ok: false, error: { code: 'RW_INTERNAL', message: 'internal error; see the gateway log' } });
    }
  }
}
