// Input validation (issue 13, low): strict bodies (no coercion, no stripping, 400 naming the field), integers
// bounded to what the store holds, references checked; and a bounded property-based fuzz of every route's
// schemas, generated from the gateway's route table, asserting the gateway never answers 500 (fast-check,
// docs/decisions.md). Runs as the admin so every route's handler is reached.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../src/contract/api.ts';
import type { RouteEntry } from '../../src/http/server.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { login } from '../helpers/console-client.ts';
import { passwordOf, startRolesSite } from './site.ts';

let gw: TestGateway;
let admin: string;
beforeAll(async () => {
  gw = await startRolesSite();
  admin = (await login(gw.url, 'admin', passwordOf('admin'))).cookie;
});
afterAll(async () => gw?.dispose());

type Answer = { status: number; code?: string; message?: string };
async function send(method: string, path: string, body?: string): Promise<Answer> {
  const res = await fetch(gw.url + path, { method, headers: { cookie: admin, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let error: { code?: string; message?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
  } catch {
    // not JSON
  }
  // A fuzzed call may end the admin's own session (revocations): log in again and go on.
  if (error?.code === 'RW_AUTH_REQUIRED') admin = (await login(gw.url, 'admin', passwordOf('admin'))).cookie;
  return { status: res.status, ...(error?.code ? { code: error.code } : {}), ...(error?.message ? { message: error.message } : {}) };
}

describe('strict bodies (the issue\'s reproductions)', () => {
  const playbook = (extra: string) => `{"type":"fire","situation":"smoke at B1"${extra}}`;
  it.each([
    ['an integer too large for the store', playbook(',"alarmId":1e308'), 'body/alarmId must be <= 9007199254740991'],
    ['an integer past 2^53', playbook(',"alarmId":9007199254740993'), 'body/alarmId must be <= 9007199254740991'],
    ['a boolean for an id (it linked alarm 1)', playbook(',"alarmId":true'), 'body/alarmId must be integer'],
    ['an unknown field (it was stripped)', playbook(',"colour":"red"'), 'body/colour is not a known field'],
    ['a number for a text', playbook('').replace('"smoke at B1"', '123'), 'body/situation must be string'],
  ])('refuses %s with 400 naming the field', async (_what, body, message) => {
    expect(await send('POST', routes.playbooks, body)).toEqual({ status: 400, code: 'RW_INVALID_REQUEST', message });
  });

  it('refuses an array or null where the visitor register expects text (they were stored as "x" and "")', async () => {
    const entry = { roomId: 'dist-room-b1', visitor: 'Zhou', organisation: 'Lift Co', purpose: 'service', approvedBy: 'supervisor', approverPassword: passwordOf('supervisor'), escort: 'duty' };
    expect(await send('POST', routes.roomEntries, JSON.stringify({ ...entry, visitor: ['x'] }))).toMatchObject({ status: 400, message: 'body/visitor must be string' });
    expect(await send('POST', routes.roomEntries, JSON.stringify({ ...entry, organisation: null }))).toMatchObject({ status: 400, message: 'body/organisation must be string' });
    expect((await send('POST', routes.roomEntries, JSON.stringify(entry))).status).toBe(200);
  });

  it('refuses a playbook for an alarm that does not exist (404)', async () => {
    expect(await send('POST', routes.playbooks, playbook(',"alarmId":424242'))).toMatchObject({ status: 404, code: 'RW_NOT_FOUND' });
  });

  it('refuses a tag end of 1.5 or 1e308 with 400 (they gave 500)', async () => {
    for (const end of ['1.5', '1e308']) {
      expect(await send('POST', routes.deviceTag('dist-b1-th1'), `{"kind":"maintenance","reason":"x","plannedEnd":${end}}`)).toMatchObject({ status: 400, code: 'RW_INVALID_REQUEST' });
    }
  });
});

// ---- generators from the routes' JSON Schemas ----
type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; items?: Schema; anyOf?: Schema[]; const?: unknown; minimum?: number; maximum?: number; minLength?: number; maxLength?: number; pattern?: string; patternProperties?: Record<string, Schema> };

/** Values that broke wave 1 (numbers the store cannot hold, wrong types) weigh most. */
const nasty = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(1e308, 2 ** 53 + 2, 1.5, -1) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(-1e308, 0, true, false, null, '', '1', 'x'.repeat(5000), '\u202E\u0000', [], {}, ['x'], { $gt: '' }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

function valid(schema: Schema | undefined): fc.Arbitrary<unknown> {
  if (!schema) return fc.jsonValue({ maxDepth: 1 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(valid));
  switch (schema.type) {
    case 'string':
      return schema.pattern ? fc.stringMatching(new RegExp(schema.pattern)) : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -1e6), max: Math.min(schema.maximum ?? 1e6, 1e6) });
    case 'number':
      return fc.double({ min: Math.max(schema.minimum ?? -1e6, -1e6), max: Math.min(schema.maximum ?? 1e6, 1e6), noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(field(schema.items), { maxLength: 3 });
    case 'object':
      if (schema.properties) {
        const record = Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, field(s)]));
        return fc.record(record, { requiredKeys: (schema.required ?? []).filter((k) => k in record) });
      }
      return fc.dictionary(fc.string({ maxLength: 10 }), field(Object.values(schema.patternProperties ?? {})[0]), { maxKeys: 3 });
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}
/** Mostly a well-formed value, sometimes a hostile one. */
const field = (schema: Schema | undefined): fc.Arbitrary<unknown> => fc.oneof({ weight: 2, arbitrary: valid(schema) }, { weight: 1, arbitrary: nasty });
/** A body: a well-formed object with some fields hostile, sometimes an unknown field, sometimes not an object. */
const bodyOf = (schema: Schema | undefined): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: field(schema) }, { weight: 1, arbitrary: fc.tuple(valid(schema), fc.string({ maxLength: 8 }), nasty).map(([b, k, v]) => (b && typeof b === 'object' && !Array.isArray(b) ? { ...b, [k]: v } : b)) });
/** A path parameter: mostly one that names something real (so the handler runs), sometimes a hostile one. */
const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('1', '2', '2026-11', 'dist-b1-th1', 'duty', 'step-1') },
  { weight: 1, arbitrary: fc.constantFrom('999999', '0', '-1', '1e308', '9007199254740993', '1.5', '%00', '%2e%2e', 'x'.repeat(300)) },
  { weight: 1, arbitrary: fc.webSegment() },
);

const RUNS_PER_ROUTE = 40;

describe('every route\'s schema, fuzzed (bounded, never a 500)', () => {
  it('answers every generated request below 500', async () => {
    const table = gw.gateway.consoleRoutes.filter((r: RouteEntry) => r.url.startsWith('/api/') && r.method !== 'HEAD' && !(r.method === 'DELETE' && r.url === routes.session));
    expect(table.length).toBeGreaterThan(50);
    // The password checks go last: fuzzing them throttles this address, and a revoked admin must log in again.
    const checksPasswords = (r: RouteEntry) => (r.url === routes.session && r.method === 'POST') || r.url === routes.handoverIncoming;
    table.sort((a, b) => Number(checksPasswords(a)) - Number(checksPasswords(b)));
    const failures: string[] = [];
    let sent = 0;
    for (const route of table) {
      const schema = (route.schema ?? {}) as { body?: Schema; querystring?: Schema };
      const changes = route.method !== 'GET';
      const request = fc.record({
        params: fc.array(segment, { minLength: 3, maxLength: 3 }),
        query: schema.querystring ? fc.option(valid(schema.querystring).map((q) => (q && typeof q === 'object' ? (q as Record<string, unknown>) : {})), { nil: undefined }) : fc.constant(undefined),
        body: changes ? bodyOf(schema.body) : fc.constant(undefined),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ params, query, body }) => {
          let i = 0;
          const path = route.url.replace(/:[a-z]+/gi, () => params[i++]!);
          const qs = query ? `?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString()}` : '';
          const a = await send(route.method, path + qs, changes ? JSON.stringify(body ?? {}) : undefined);
          sent++;
          if (a.status >= 500) failures.push(`${route.method} ${path}${qs} ${JSON.stringify(body)} -> ${a.status} ${a.message ?? ''}`);
          return true;
        }),
        { numRuns: RUNS_PER_ROUTE, seed: 13 },
      );
    }
    expect(sent).toBe(table.length * RUNS_PER_ROUTE);
    expect(failures).toEqual([]);
  }, 240_000);
});
