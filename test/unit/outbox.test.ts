// The historian's durable outbox (issue 6): order, in-flight points, the bound and its policies, persistence.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { DropEpisodeView } from '../../src/contract/history.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { KEPT, MAX_REJECTED, OUTBOX_FILE, RAW, openOutbox, type Outbox, type OutboxOptions, type OutboxPoint } from '../../src/sinks/historian/outbox.ts';

const dirs: string[] = [];
const boxes: Outbox[] = [];
afterEach(() => {
  for (const b of boxes.splice(0)) b.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(extra: Partial<OutboxOptions> = {}, dir?: string): { box: Outbox; drops: [number, string, DropEpisodeView][]; dir: string } {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'rw-outbox-unit-'));
  if (!dir) dirs.push(d);
  const drops: [number, string, DropEpisodeView][] = [];
  const box = openOutbox({ dataDir: d, logger: silentLogger, maxPoints: 1000, maxBytes: 2 ** 30, policy: 'dropOldestRaw', memoryPoints: 0, now: () => 5000, onDrop: (n, why, episode) => drops.push([n, why, episode]), ...extra });
  boxes.push(box);
  return { box, drops, dir: d };
}

const raw = (i: number): OutboxPoint => ({ kind: RAW, ts: 1000 + i, line: `reading value=${i} ${1000 + i}` });
const kept = (i: number): OutboxPoint => ({ kind: KEPT, ts: 1000 + i, line: `reading_1m mean=${i} ${1000 + i}` });

describe('outbox', () => {
  it('hands points out oldest first; a released batch comes again, a removed one is gone', () => {
    const { box } = open();
    box.append([raw(0), raw(1), raw(2)]);
    expect(box.peek(2).map((e) => e.line)).toEqual([raw(0).line, raw(1).line]);
    box.release();
    expect(box.peek(2).map((e) => e.ts)).toEqual([1000, 1001]);
    box.remove();
    expect(box.depth()).toBe(1);
    expect(box.peek(10).map((e) => e.ts)).toEqual([1002]);
    expect(box.oldestTs()).toBe(1002);
  });

  it('survives a reopen: what was appended is still there (durable)', () => {
    const first = open();
    first.box.append([raw(0), kept(1)]);
    first.box.close();
    boxes.splice(boxes.indexOf(first.box), 1);
    const again = open({}, first.dir);
    expect(again.box.depth()).toBe(2);
    expect(again.box.bytes()).toBe(first.box.bytes());
    expect(again.box.peek(5).map((e) => e.kind)).toEqual([RAW, KEPT]);
  });

  it('at the bound drops the oldest raw points, keeps rollups and alarms, never the batch in flight; reports it', () => {
    const { box, drops } = open({ maxPoints: 10 });
    box.append([raw(0), raw(1)]);
    box.peek(2); // in flight
    box.append([kept(2), kept(3), ...Array.from({ length: 10 }, (_, i) => raw(4 + i))]);
    expect(box.depth()).toBeLessThanOrEqual(10);
    const lines = box.peek(20).map((e) => e.ts - 1000);
    expect(lines.slice(0, 4)).toEqual([0, 1, 2, 3]); // in flight and kept points are all there
    expect(lines.at(-1)).toBe(13); // the newest raw point too
    expect(drops.reduce((a, [n]) => a + n, 0)).toBe(14 - box.depth());
    expect(drops[0]![1]).toMatch(/oldest raw readings dropped/);
  });

  it('drops kept points only when nothing raw is left, and says so', () => {
    const { box, drops } = open({ maxPoints: 10 });
    box.append(Array.from({ length: 15 }, (_, i) => kept(i)));
    expect(box.depth()).toBe(10);
    expect(drops).toEqual([[5, expect.stringMatching(/rollups and alarms/), expect.objectContaining({ count: 5, what: 'kept' })]]);
    expect(box.peek(1)[0]!.ts).toBe(1005);
  });

  it('policy dropNewest refuses what does not fit, rollups first in', () => {
    const { box, drops } = open({ maxPoints: 10, policy: 'dropNewest' });
    box.append(Array.from({ length: 9 }, (_, i) => raw(i)));
    box.append([raw(9), kept(10), raw(11)]);
    expect(box.depth()).toBe(10);
    expect(box.peek(20).map((e) => e.ts - 1000).at(-1)).toBe(10);
    expect(drops).toEqual([[2, expect.stringMatching(/newest points refused/), expect.objectContaining({ count: 2, what: 'newest' })]]);
  });

  it('counts drops per episode in the file: the range lost, across a reopen, until ended (issue 17)', () => {
    const first = open({ maxPoints: 10 });
    first.box.append(Array.from({ length: 14 }, (_, i) => raw(i)));
    expect(first.box.dropping()).toEqual({ id: 1, startedAt: 5000, endedAt: null, count: 4, lostFrom: 1000, lostTo: 1003, what: 'oldestRaw' });
    first.box.close();
    boxes.splice(boxes.indexOf(first.box), 1);
    const again = open({ maxPoints: 10 }, first.dir);
    expect(again.box.droppedTotal()).toBe(4);
    again.box.append([raw(14), raw(15)]);
    expect(again.box.dropping()).toMatchObject({ id: 1, count: 6, lostFrom: 1000, lostTo: 1005 });
    expect(again.drops.map(([n, , e]) => [n, e.count])).toEqual([[2, 6]]);
    expect(again.box.endDropping(9000)).toMatchObject({ id: 1, endedAt: 9000, count: 6 });
    expect(again.box.dropping()).toBeNull();
    again.box.append([raw(16)]);
    expect(again.box.dropping()).toMatchObject({ id: 2, count: 1, lostFrom: 1006, lostTo: 1006 });
    expect(again.box.droppedTotal()).toBe(7);
  });

  it('policy dropNewest: the episode holds the acquisition times of the refused points', () => {
    const { box } = open({ maxPoints: 3, policy: 'dropNewest' });
    box.append([raw(0), raw(1), raw(2), raw(7), raw(5)]);
    expect(box.dropping()).toMatchObject({ count: 2, lostFrom: 1005, lostTo: 1007, what: 'newest' });
  });

  it('bounds bytes as well as points', () => {
    const { box } = open({ maxBytes: 2000 });
    box.append(Array.from({ length: 100 }, (_, i) => raw(i)));
    expect(box.bytes()).toBeLessThanOrEqual(2000);
    expect(box.depth()).toBeGreaterThan(10);
  });

  it('keeps refused points with their reason', () => {
    const { box } = open();
    box.reject([{ line: 'bad line', reason: '400: unable to parse' }], 5);
    expect(box.rejectedCount()).toBe(1);
    // Bounded: the newest MAX_REJECTED are kept.
    box.reject(Array.from({ length: MAX_REJECTED + 5 }, (_, i) => ({ line: `bad ${i}`, reason: 'r' })), 6);
    expect(box.rejectedCount()).toBe(MAX_REJECTED);
  });
});

describe('outbox memory tier (issue 17)', () => {
  /** The rows in the outbox file, read by another connection: what a kill -9 would leave. */
  const onDisk = (dir: string): number[] => {
    const db = new DatabaseSync(join(dir, OUTBOX_FILE), { readOnly: true });
    const rows = db.prepare('SELECT ts FROM outbox ORDER BY id').all() as { ts: number }[];
    db.close();
    return rows.map((r) => r.ts - 1000);
  };
  const tsOf = (box: Outbox, n = 100): number[] => box.peek(n).map((e) => e.ts - 1000);

  it('keeps points in memory while the writer keeps up: no row on disk, same order and depth', () => {
    const { box, dir } = open({ memoryPoints: 5 });
    box.append([raw(0), raw(1), kept(2)]);
    expect([box.depth(), box.memoryDepth(), box.oldestTs()]).toEqual([3, 3, 1000]);
    expect(onDisk(dir)).toEqual([]);
    expect(tsOf(box, 2)).toEqual([0, 1]);
    box.remove();
    expect([box.depth(), box.memoryDepth()]).toEqual([1, 1]);
    expect(box.peek(5).map((e) => e.kind)).toEqual([KEPT]);
    box.release();
    expect(tsOf(box)).toEqual([2]); // a released batch comes again
  });

  it('past memoryPoints writes the memory tier to disk in order, new points follow until the disk tier drained', () => {
    const { box, dir } = open({ memoryPoints: 3 });
    box.append([raw(0), raw(1), raw(2)]);
    expect(onDisk(dir)).toEqual([]);
    box.append([raw(3)]); // one too many: the writer is behind
    expect(onDisk(dir)).toEqual([0, 1, 2, 3]);
    expect(box.memoryDepth()).toBe(0);
    box.append([raw(4)]);
    expect(onDisk(dir)).toEqual([0, 1, 2, 3, 4]); // while the disk tier has points, new ones go there too
    expect(tsOf(box)).toEqual([0, 1, 2, 3, 4]);
    box.remove();
    box.append([raw(5)]); // drained: memory again
    expect(onDisk(dir)).toEqual([]);
    expect(box.memoryDepth()).toBe(1);
  });

  it('a batch from memory in flight while the tier goes to disk, then failing, goes back in front (ids kept free)', () => {
    const { box, dir } = open({ memoryPoints: 4 });
    box.append([raw(0), raw(1), raw(2)]);
    expect(tsOf(box, 2)).toEqual([0, 1]); // in flight, from memory
    box.append([raw(3), raw(4), raw(5)]); // now 6 > 4: behind
    expect(onDisk(dir)).toEqual([2, 3, 4, 5]);
    expect(box.memoryDepth()).toBe(2); // the batch in flight: in memory only until confirmed
    box.release(); // the write failed
    expect(onDisk(dir)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tsOf(box)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(box.depth()).toBe(6);
  });

  it('a poll cycle as one entry of several points: counted per point, handed out whole, one row per point on disk', () => {
    const cycle = (i: number, n: number): OutboxPoint => ({
      kind: RAW, ts: 1000 + i, count: n, line: Array.from({ length: n }, (_, k) => `reading,point=t${k} value=${i} ${1000 + i}`).join('\n'),
    });
    const { box, dir } = open({ memoryPoints: 25 });
    box.append([cycle(0, 10), cycle(1, 10)]);
    expect([box.depth(), box.memoryDepth()]).toEqual([20, 20]);
    expect(onDisk(dir)).toEqual([]);
    expect(box.peek(15).map((e) => e.count)).toEqual([10]); // whole entries, as many as fit in 15 points
    box.release();
    const batch = box.peek(20);
    expect(batch.map((e) => e.line).join('\n').split('\n')).toHaveLength(20);
    box.append([cycle(2, 10)]); // 30 > 25: behind, the tier goes to disk with ids kept for the batch in flight
    expect(onDisk(dir)).toEqual(Array(10).fill(2));
    expect(box.memoryDepth()).toBe(20);
    box.release(); // the write failed: the batch goes to disk in front, a row per point
    expect(onDisk(dir)).toEqual([...Array(10).fill(0), ...Array(10).fill(1), ...Array(10).fill(2)]);
    expect(box.depth()).toBe(30);
    const bytesInMemory = box.bytes();
    box.close();
    boxes.splice(boxes.indexOf(box), 1);
    const again = open({ memoryPoints: 25 }, dir);
    expect([again.box.depth(), again.box.bytes()]).toEqual([30, bytesInMemory]); // the same size counted both ways
    expect(again.box.peek(100).map((e) => e.line)).toEqual([0, 1, 2].flatMap((i) => cycle(i, 10).line.split('\n')));
  });

  it('holdOnDisk writes the memory tier through (the writer failed); close keeps a batch in flight', () => {
    const first = open({ memoryPoints: 100 });
    first.box.append([raw(0), raw(1)]);
    first.box.holdOnDisk(true);
    expect(onDisk(first.dir)).toEqual([0, 1]);
    first.box.append([raw(2)]);
    expect(onDisk(first.dir)).toEqual([0, 1, 2]);
    expect(tsOf(first.box)).toEqual([0, 1, 2]);
    first.box.remove();
    first.box.holdOnDisk(false);
    first.box.append([raw(3), raw(4)]);
    expect(tsOf(first.box, 1)).toEqual([3]); // in flight from memory when the gateway stops
    first.box.close();
    boxes.splice(boxes.indexOf(first.box), 1);
    expect(onDisk(first.dir)).toEqual([3, 4]);
    const again = open({ memoryPoints: 100 }, first.dir);
    expect(tsOf(again.box)).toEqual([3, 4]);
  });
});
