// Issue 13 Low: the data directory, roomwatch.db (password hashes, sessions, visitor register), history.db and the
// attachments were world-readable (0755/0644). After: 0700 for directories and 0600 for files, also for a data dir an
// older version created open; checked on the real files a running gateway wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routes, type DutyLogEntryView } from '../../src/contract/api.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR and the rest')]);
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('the data directory is private to the gateway', () => {
  let gw: TestGateway;
  let dataDir: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomwatch-modes-'));
    dataDir = join(dir, 'data');
    // As wave 1 left it: a world-readable data dir.
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    gw = await startTestGateway({ yaml: await testSiteYaml({ dataDir }), dataDir: dir });
  });
  afterAll(async () => gw?.dispose());

  it('data dir 0700; roomwatch.db, history.db and their WAL files 0600', async () => {
    expect(mode(dataDir)).toBe('700');
    const dbFiles = readdirSync(dataDir).filter((f) => /\.db(-wal|-shm)?$/.test(f));
    expect(dbFiles).toEqual(expect.arrayContaining(['roomwatch.db', 'roomwatch.db-wal', 'history.db']));
    expect(Object.fromEntries(dbFiles.map((f) => [f, mode(join(dataDir, f))]))).toEqual(Object.fromEntries(dbFiles.map((f) => [f, '600'])));
  });

  it('an uploaded photo is stored 0600 in a 0700 folder', async () => {
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const note = { category: 'accident-water', situation: 'Pipe burst', handling: 'Valve closed', followUp: 'Plumber', major: false };
    const entry = (await api<DutyLogEntryView>(gw.url, cookie, routes.notes, { method: 'POST', body: JSON.stringify(note) })).body;
    const res = await fetch(gw.url + routes.noteAttachments(entry.id), { method: 'POST', headers: { cookie, 'content-type': 'image/png', 'x-file-name': 'scene.png' }, body: new Uint8Array(PNG) });
    expect(res.status).toBe(200);
    const dir = join(dataDir, 'attachments');
    expect(mode(dir)).toBe('700');
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBe(1);
    expect(mode(join(files[0]!.parentPath, files[0]!.name))).toBe('600');
  });
});
