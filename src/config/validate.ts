// Parse YAML and check it against a TypeBox schema, collecting every problem with file, path and line.
import { Value } from '@sinclair/typebox/value';
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
  for (const err of Value.Errors(schema, parsed.data)) {
    // Unions report one error per branch; the first per path is the useful one.
    if (seen.has(err.path)) continue;
    seen.add(err.path);
    const tagged = taggedBranchErrors(err.schema, err.value);
    if (tagged) for (const e of tagged) problems.push(problemAt(parsed, err.path + e.path, describe(e.message, e.value)));
    else problems.push(problemAt(parsed, err.path, describe(err.message, err.value)));
  }
  if (problems.length > 0) return { problems };
  return { value: Value.Default(schema, structuredClone(parsed.data)) as Static<S>, problems };
}

export function problemAt(parsed: ParsedYaml, path: string, message: string): ConfigProblem {
  return { file: parsed.file, path, line: lineOf(parsed.doc, parsed.counter, path), message };
}

function describe(message: string, value: unknown): string {
  if (value === undefined) return `${message} (missing)`;
  const shown = JSON.stringify(value);
  return `${message} (got ${shown && shown.length > 60 ? shown.slice(0, 57) + '...' : shown})`;
}

/**
 * A union of objects told apart by a literal `type` (Modbus tcp / rtu-over-tcp / rtu connections): report
 * the errors of the branch the value names, not "Expected union value", so the message names the field.
 */
function taggedBranchErrors(schema: TSchema, value: unknown): { path: string; message: string; value: unknown }[] | null {
  const branches = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!branches || typeof value !== 'object' || value === null) return null;
  const tags = branches.map((b) => (b as { properties?: { type?: { const?: unknown } } }).properties?.type?.const);
  if (tags.some((t) => typeof t !== 'string')) return null;
  const type = (value as { type?: unknown }).type;
  const i = tags.indexOf(type);
  if (i < 0) return [{ path: '/type', message: `must be one of ${tags.join(', ')}`, value: type }];
  const seen = new Set<string>();
  return [...Value.Errors(branches[i]!, value)]
    .filter((e) => !seen.has(e.path) && seen.add(e.path))
    .map((e) => ({ path: e.path, message: e.message, value: e.value }));
}
