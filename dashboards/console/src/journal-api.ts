// REST calls of the duty-log area (src/contract/duty-journal.ts).
import type { AttachmentView, CorrectionRequest, DutyLogDayView, DutyLogEntryView, NoteRequest, OpenItemsView, ResolveRequest, UnsignedDaysView } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { ApiError, call } from './api.ts';

export const journalApi = {
  day: (date: string) => call<DutyLogDayView>('GET', `${routes.dutyLogDay}?date=${date}`),
  unsigned: (days = 14) => call<UnsignedDaysView>('GET', `${routes.dutyLogUnsigned}?days=${days}`),
  addNote: (note: NoteRequest) => call<DutyLogEntryView>('POST', routes.notes, note),
  correct: (id: number, correction: CorrectionRequest) => call<DutyLogEntryView>('POST', routes.noteCorrection(id), correction),
  openItems: () => call<OpenItemsView>('GET', routes.openItems),
  resolve: (id: number, request: ResolveRequest) => call<DutyLogEntryView>('POST', routes.noteResolve(id), request),
  sign: (date: string, comment: string) => call<DutyLogDayView>('POST', routes.dutyLogSign, { date, comment }),
  attachmentUrl: (id: number) => routes.attachment(id),
  /** The file goes as the raw body; the gateway checks its bytes (L3). */
  async attach(entryId: number, file: File): Promise<AttachmentView> {
    const res = await fetch(routes.noteAttachments(entryId), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': file.type || 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name) },
      body: file,
    });
    const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
    if (!res.ok) throw new ApiError(data.error?.code ?? 'RW_INTERNAL', res.status, data.error?.message);
    return data as AttachmentView;
  },
};
