// Config errors name the file, the path inside it, the line where we know it, and what is wrong
// (non-negotiable 3). They are collected, never thrown one at a time, so a user fixes them all at once.
import { isMap, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface ConfigProblem {
  file: string;
  /** JSON-pointer-like path, e.g. /devices/0/connection/port. */
  path: string;
  line?: number;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblems(problems: ConfigProblem[]): string {
  return problems
    .map((p) => `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.path || '/'}: ${p.message}`)
    .join('\n');
}

/** Finds the source line of a JSON-pointer path in a parsed YAML document (the deepest node that exists). */
export function lineOf(doc: Document, counter: LineCounter, path: string): number | undefined {
  const parts = path.split('/').filter((p) => p !== '').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc.contents;
  let found: Node | undefined = doc.contents ?? undefined;
  for (const part of parts) {
    if (isMap(node)) {
      const pair = node.items.find((it) => String((it.key as { value?: unknown } | null)?.value ?? it.key) === part);
      if (!pair) break;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(part)];
    } else break;
    if (node && typeof node === 'object' && 'range' in node) found = node as Node;
  }
  const start = found?.range?.[0];
  return start === undefined ? undefined : counter.linePos(start).line;
}
