// Parse YAML and check it against a TypeBox schema, collecting every problem with file, path and line.
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import type { TSchema, Static } from '@sinclair/typebox';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { lineOf, type ConfigProblem } from './errors.ts';

export interface ParsedYaml {
  file: string;
  doc: Document;
  counter: LineCounter;
  data: unknown;
}

export function parseYaml(file: string, text: string): { parsed?: ParsedYaml; problems: ConfigProblem[] } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        path: '',
        line: e.linePos?.[0]?.line,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  return { parsed: { file, doc, counter, data: doc.toJS() }, problems: [] };
}

/** Validates and returns the typed value (with schema defaults applied), or the problems. */
export function checkSchema<S extends TSchema>(
  schema: S,
  parsed: ParsedYaml,
): { value?: Static<S>; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const err of unionAware(Value.Errors(schema, parsed.data))) {
    // Unions report one error per branch; the first per path is the useful one.
    if (seen.has(err.path)) continue;
    seen.add(err.path);
    problems.push(problemAt(parsed, err.path, describe(err.message, err.value)));
  }
  if (problems.length > 0) return { problems };
  return { value: Value.Default(schema, structuredClone(parsed.data)) as Static<S>, problems };
}

type Problem = Pick<ValueError, 'path' | 'message' | 'value'>;

/**
 * A union (a device connection: tcp, rtu-over-tcp, rtu or mqtt) fails as a whole with "expected union value";
 * report instead the errors of the branch the user meant. Branches told apart by a literal `type`: the branch
 * the value names, or "must be one of …" naming them all; other unions: the closest branch.
 */
function* unionAware(errors: Iterable<ValueError>): Generator<Problem> {
  for (const err of errors) {
    if (err.type !== ValueErrorType.Union || err.errors.length === 0) {
      yield err;
      continue;
    }
    const tags = ((err.schema as { anyOf?: TSchema[] }).anyOf ?? []).map((b) => (b as { properties?: { type?: { const?: unknown } } }).properties?.type?.const);
    const branches = err.errors.map((it) => [...it]);
    if (tags.length > 0 && tags.every((t) => typeof t === 'string') && typeof err.value === 'object' && err.value !== null) {
      const type = (err.value as { type?: unknown }).type;
      const i = (tags as unknown[]).indexOf(type);
      if (i < 0) yield { path: `${err.path}/type`, message: `must be one of ${tags.join(', ')}`, value: type };
      else yield* unionAware(branches[i]!);
      continue;
    }
    const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
    yield* best.length > 0 ? unionAware(best) : [err];
  }
}

export function problemAt(parsed: ParsedYaml, path: string, message: string): ConfigProblem {
  return { file: parsed.file, path, line: lineOf(parsed.doc, parsed.counter, path), message };
}

function describe(message: string, value: unknown): string {
  if (value === undefined) return `${message} (missing)`;
  const shown = JSON.stringify(value);
  return `${message} (got ${shown && shown.length > 60 ? shown.slice(0, 57) + '...' : shown})`;
}
