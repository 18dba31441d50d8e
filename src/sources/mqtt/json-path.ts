// A tiny JSON path for payload decoders: `state`, `Switch1.Action`, `params["input:0"].state`, `after.camera`,
// `list[0].x`. Parsed once when the profile is compiled, so a message costs only a few property reads.

export type PathStep = string | number;

/** Parses a path into steps; throws with a message naming the problem (used by the profile checks). */
export function parseJsonPath(path: string): PathStep[] {
  const steps: PathStep[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`invalid JSON path "${path}" at ${i}: ${why}`);
  };
  while (i < path.length) {
    const c = path[i];
    if (c === '[') {
      const quote = path[i + 1];
      if (quote === '"' || quote === "'") {
        const end = path.indexOf(quote, i + 2);
        if (end < 0 || path[end + 1] !== ']') fail('unclosed quoted key');
        steps.push(path.slice(i + 2, end));
        i = end + 2;
      } else {
        const end = path.indexOf(']', i);
        const n = end < 0 ? NaN : Number(path.slice(i + 1, end));
        if (!Number.isInteger(n) || n < 0) fail('expected ["key"] or [index]');
        steps.push(n);
        i = end + 1;
      }
    } else {
      if (c === '.') {
        if (steps.length === 0) fail('path starts with "."');
        i++;
      }
      const m = /^[A-Za-z0-9_:$-]+/.exec(path.slice(i));
      if (!m) fail('expected a key');
      steps.push(m![0]);
      i += m![0].length;
    }
  }
  if (steps.length === 0) fail('empty path');
  return steps;
}

/** The value at the path, or undefined when any step is missing. */
export function readJsonPath(doc: unknown, steps: readonly PathStep[]): unknown {
  let node = doc;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(node)) return undefined;
      node = node[step];
    } else {
      if (!Object.hasOwn(node, step)) return undefined;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return node;
}
