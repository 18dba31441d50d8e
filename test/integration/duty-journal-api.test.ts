// The duty-log area over the console API with the real gateway: deny by default, manual entries and
// corrections (no update or delete route exists), attachments checked by content and size (L3), the
// day's pages and the supervisor's signature (L4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type AttachmentView, type DutyLogDayView, type DutyLogEntryView, type UnsignedDaysView } from '../../src/contract/api.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { shanghai } from '../helpers/shifts.ts';

const clock = fakeClock(shanghai('2026-11-23T10:00'));
let gw: TestGateway;
let duty: string;
let lead: string;
type Err = { error: { code: string; message: string } };
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR and the rest')]);
const note = { category: 'accident-water', situation: 'Pipe burst in pump room', handling: 'Valve closed, power isolated', followUp: 'Plumber tomorrow', major: true };

beforeAll(async () => {
  gw = await startTestGateway({ clock });
  duty = (await login(gw.url, 'duty', 'duty')).cookie;
  lead = (await login(gw.url, 'lead', 'lead')).cookie;
});
afterAll(async () => gw?.dispose());

const upload = (cookie: string | null, id: number, bytes: Buffer, type: string, name = 'scene.png') =>
  fetch(gw.url + routes.noteAttachments(id), { method: 'POST', headers: { ...(cookie ? { cookie } : {}), 'content-type': type, 'x-file-name': encodeURIComponent(name) }, body: new Uint8Array(bytes) });

describe('duty-log API', () => {
  it('denies every route of the duty-log, handover, patrol and entry-register areas without a session', async () => {
    for (const [method, path] of [
      ['POST', routes.notes],
      ['POST', routes.noteCorrection(1)],
      ['GET', routes.attachment(1)],
      ['GET', `${routes.dutyLogDay}?date=2026-11-23`],
      ['POST', routes.dutyLogSign],
      ['GET', routes.dutyLogUnsigned],
      ['GET', routes.handover],
      ['POST', routes.handoverOutgoing],
      ['POST', routes.handoverIncoming],
      ['GET', routes.patrols],
      ['GET', routes.patrolRounds('dist-shift')],
      ['POST', routes.patrolRounds('dist-shift')],
      ['GET', routes.roomEntries],
      ['POST', routes.roomEntries],
      ['POST', routes.roomEntryExit(1)],
    ] as const) {
      const res = await api<Err>(gw.url, null, path, { method, ...(method === 'GET' ? {} : { body: '{}' }) });
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 401, 'RW_AUTH_REQUIRED']);
    }
    expect((await upload(null, 1, PNG, 'image/png')).status).toBe(401);
  });

  let entry: DutyLogEntryView;
  it('adds a manual entry; garbage is refused with 400', async () => {
    const res = await api<DutyLogEntryView>(gw.url, duty, routes.notes, { method: 'POST', body: JSON.stringify(note) });
    expect([res.status, res.body.kind, res.body.username, res.body.params['category']]).toEqual([200, 'note.added', 'duty', 'accident-water']);
    entry = res.body;
    for (const body of [{ ...note, category: 'ufo' }, { ...note, situation: '' }, { ...note, situation: 'x'.repeat(2001) }, { ...note, occurredAt: 'yesterday' }]) {
      const bad = await api<Err>(gw.url, duty, routes.notes, { method: 'POST', body: JSON.stringify(body) });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'RW_INVALID_REQUEST']);
    }
  });

  it('has no route that changes or removes an entry', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await api<Err>(gw.url, lead, `${routes.notes}/${entry.id}`, { method, body: method === 'DELETE' ? undefined : JSON.stringify(note) });
      expect([method, res.status]).toEqual([method, 404]);
    }
    const fixed = await api<DutyLogEntryView>(gw.url, duty, routes.noteCorrection(entry.id), { method: 'POST', body: JSON.stringify({ ...note, situation: 'Pipe burst in pump room B2', reason: 'room missing' }) });
    expect([fixed.body.kind, fixed.body.params['corrects']]).toEqual(['note.corrected', entry.id]);
  });

  it('takes a photo checked by its bytes, refuses fakes, mismatches and oversize files, and serves it back', async () => {
    const ok = await upload(duty, entry.id, PNG, 'image/png', '现场 1.png');
    const view = (await ok.json()) as AttachmentView;
    expect([ok.status, view.fileName, view.contentType, view.size]).toEqual([200, '现场 1.png', 'image/png', PNG.length]);

    const fake = await upload(duty, entry.id, Buffer.from('<script>alert(1)</script>'), 'image/png', 'evil.png');
    expect([fake.status, ((await fake.json()) as Err).error.code]).toEqual([415, 'RW_ATTACHMENT_REFUSED']);
    const mismatch = await upload(duty, entry.id, PNG, 'application/pdf', 'x.pdf');
    expect(mismatch.status).toBe(415);
    const exe = await upload(duty, entry.id, Buffer.from('MZ'), 'application/octet-stream', 'x.exe');
    expect([exe.status, ((await exe.json()) as Err).error.code]).toEqual([415, 'RW_INVALID_REQUEST']);
    const huge = await upload(duty, entry.id, Buffer.concat([PNG, Buffer.alloc(9 * 1024 * 1024)]), 'image/png');
    expect(huge.status).toBe(413);
    const onAuto = await upload(lead, 1, PNG, 'image/png');
    expect(onAuto.status).toBe(409);

    const back = await fetch(gw.url + routes.attachment(view.id), { headers: { cookie: lead } });
    expect([back.status, back.headers.get('content-type'), back.headers.get('x-content-type-options')]).toEqual([200, 'image/png', 'nosniff']);
    expect(Buffer.from(await back.arrayBuffer()).equals(PNG)).toBe(true);
    const logged = await api<DutyLogEntryView[]>(gw.url, lead, `${routes.dutyLog}?limit=5`);
    expect(logged.body.find((e) => e.kind === 'note.attached')?.params).toMatchObject({ entry: entry.id, attachment: view.id, size: PNG.length, user: 'Duty Li' });
  });

  it('shows the day with its entries, corrections and attachments; a supervisor signs it the next day', async () => {
    const day = await api<DutyLogDayView>(gw.url, duty, `${routes.dutyLogDay}?date=2026-11-23`);
    const kinds = day.body.pages.flatMap((p) => p.entries.map((e) => e.kind));
    expect(kinds).toEqual(expect.arrayContaining(['note.added', 'note.corrected', 'note.attached']));
    expect(day.body.pages.every((p) => p.shift === null)).toBe(true); // this site has no shifts: one page per day
    expect(Object.keys(day.body.correctedBy)).toEqual([String(entry.id)]);
    expect(day.body.attachments.map((a) => a.fileName)).toEqual(['现场 1.png']);
    expect(day.body.signoff).toBeNull();

    clock.set(shanghai('2026-11-24T08:00'));
    lead = (await login(gw.url, 'lead', 'lead')).cookie;
    const unsigned = await api<UnsignedDaysView>(gw.url, lead, `${routes.dutyLogUnsigned}?days=2`);
    expect(unsigned.body.days[0]!.date).toBe('2026-11-23');
    const signed = await api<DutyLogDayView>(gw.url, lead, routes.dutyLogSign, { method: 'POST', body: JSON.stringify({ date: '2026-11-23', comment: 'Reviewed; follow up the plumber' }) });
    expect(signed.body.signoff).toMatchObject({ by: 'lead', comment: 'Reviewed; follow up the plumber' });
    const twice = await api<Err>(gw.url, lead, routes.dutyLogSign, { method: 'POST', body: JSON.stringify({ date: '2026-11-23', comment: '' }) });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'RW_ALREADY_SIGNED']);
  });
});
