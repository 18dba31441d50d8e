// The gateway's parts (src/core/part.ts): started in order, stopped in reverse; a part that fails to start stops
// the ones already started and the error names it.
import { describe, expect, it } from 'vitest';
import { startParts, stopParts, type Part } from '../../src/core/part.ts';
import { createLogger, silentLogger } from '../../src/core/logger.ts';

function recorded(names: string[], failing?: string): { parts: Part[]; events: string[] } {
  const events: string[] = [];
  const parts = names.map((name): Part => ({
    name,
    async start() {
      if (name === failing) throw new Error('port 8080 in use');
      events.push(`start ${name}`);
    },
    stop() {
      events.push(`stop ${name}`);
    },
  }));
  return { parts, events };
}

describe('gateway parts', () => {
  it('start in order and stop in reverse', async () => {
    const { parts, events } = recorded(['store', 'alarms', 'console']);
    const started: Part[] = [];
    await startParts(parts, started, silentLogger);
    expect(started.map((p) => p.name)).toEqual(['store', 'alarms', 'console']);
    await stopParts(started, silentLogger);
    expect(events).toEqual(['start store', 'start alarms', 'start console', 'stop console', 'stop alarms', 'stop store']);
    expect(started).toEqual([]);
  });

  it('a part failing to start stops the ones this start began, in reverse, and the error names it', async () => {
    const { parts, events } = recorded(['alarms', 'historian', 'console', 'modbus'], 'console');
    const before: Part = { name: 'store', start() {}, stop: () => void events.push('stop store') };
    const started: Part[] = [before];
    const err = await startParts(parts, started, silentLogger).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toBe('console did not start: port 8080 in use');
    expect((err?.cause as Error).message).toBe('port 8080 in use');
    // The store was opened by the caller before: it is the caller's to close.
    expect(started).toEqual([before]);
    expect(events).toEqual(['start alarms', 'start historian', 'stop historian', 'stop alarms']);
  });

  it('a part failing to stop is logged and the others still stop', async () => {
    const { parts, events } = recorded(['a', 'b', 'c']);
    parts[1] = { ...parts[1]!, stop: () => Promise.reject(new Error('stuck')) };
    const logged: Record<string, unknown>[] = [];
    const logger = createLogger('error', {}, (line) => logged.push(JSON.parse(line) as Record<string, unknown>));
    const started: Part[] = [];
    await startParts(parts, started, logger);
    await stopParts(started, logger);
    expect(events).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop a']);
    expect(logged.map(({ msg, part, err }) => ({ msg, part, err }))).toEqual([{ msg: 'stop failed', part: 'b', err: 'Error: stuck' }]);
  });
});
