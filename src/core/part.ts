// A part of the running gateway: something that starts (listens, connects, arms a timer) and must be stopped.
// The gateway starts its parts in order and stops them in reverse (src/gateway.ts, src/gateway/parts.ts).
import type { Logger } from './logger.ts';

export interface Part {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * Starts `parts` in order, adding each to `started` once it runs. If one fails, the ones this call started are
 * stopped in reverse and the error names the part that failed (its cause is the original error).
 */
export async function startParts(parts: readonly Part[], started: Part[], logger: Logger): Promise<void> {
  const from = started.length;
  for (const part of parts) {
    try {
      await part.start();
    } catch (err) {
      await stopParts(started, logger, from);
      throw new Error(`${part.name} did not start: ${String((err as Error)?.message ?? err)}`, { cause: err });
    }
    started.push(part);
  }
}

/** What stopParts needs of a part: parts made of smaller steps (src/sources/mqtt, src/simulators) keep a list of these. */
export type Stoppable = Pick<Part, 'name' | 'stop'>;

/** Stops the parts of `started` from its end down to index `downTo`, removing them; a failing stop is logged, the rest still stop. */
export async function stopParts(started: Stoppable[], logger: Logger, downTo = 0): Promise<void> {
  while (started.length > downTo) {
    const part = started.pop()!;
    try {
      await part.stop();
    } catch (err) {
      logger.error('stop failed', { part: part.name, err: String(err) });
    }
  }
}
