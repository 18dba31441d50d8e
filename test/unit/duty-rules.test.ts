// docs/duty-rules.md cannot drift: its tests column is generated from the tests' titles, and this test fails when
// the checked-in page differs from a fresh rendering (run `npm run docs:rules`). It also holds the table honest:
// a rule marked "fully" has at least one test naming it, and every rule ID a test names is a rule of the page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config/load.ts';
import { DOC, citations, renderDutyRules, rules } from '../../scripts/duty-rules.ts';

describe('docs/duty-rules.md', () => {
  it('is the fresh rendering of scripts/duty-rules.ts and the tests\' citations (npm run docs:rules)', () => {
    expect(readFileSync(join(projectRoot, DOC), 'utf8')).toBe(renderDutyRules(projectRoot));
  });

  it('marks a rule "fully" only when a test names it; every cited ID is a rule of the page', () => {
    const cited = citations(projectRoot);
    const untested = rules.filter((r) => r.status === 'fully' && !cited.has(r.id)).map((r) => r.id);
    expect(untested).toEqual([]);
    const known = new Set(rules.map((r) => r.id));
    expect([...cited.keys()].filter((id) => !known.has(id))).toEqual([]);
    expect(rules.filter((r) => r.status !== 'fully' && r.gap === undefined).map((r) => r.id)).toEqual([]);
  });

  it('finds citations in it and describe titles, with their escapes (the scanner itself)', () => {
    const a6 = citations(projectRoot).get('A6') ?? [];
    expect(a6.map((c) => c.file)).toContain('test/unit/alarm-lifecycle-service.test.ts');
    expect(a6.some((c) => c.title.startsWith('isolating a fire device needs a supervisor'))).toBe(true);
  });
});
