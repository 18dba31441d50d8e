// REST calls of the handover area (src/contract/handover.ts). A refused handover (409) carries its
// reasons, which the screen shows one by one (S5).
import type { HandoverRecordView, HandoverView, IncomingSignRequest, OutgoingSignRequest, Refusal } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { ApiError, call } from './api.ts';

export type Signed = { ok: true; record: HandoverRecordView } | { ok: false; refusals: Refusal[] };

/** One POST: a signature must never be sent twice. */
async function signCall(path: string, body: unknown): Promise<Signed> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (err) {
    throw new ApiError('network', 0, err instanceof Error ? err.message : String(err));
  }
  const data = (await res.json().catch(() => ({}))) as { refusals?: Refusal[]; error?: { code: string; message: string } };
  if (res.ok) return { ok: true, record: data as unknown as HandoverRecordView };
  if (res.status === 409 && data.refusals) return { ok: false, refusals: data.refusals };
  throw new ApiError(data.error?.code ?? 'RW_INTERNAL', res.status, data.error?.message);
}

export const handoverApi = {
  view: () => call<HandoverView>('GET', routes.handover),
  signOutgoing: (request: OutgoingSignRequest) => signCall(routes.handoverOutgoing, request),
  signIncoming: (request: IncomingSignRequest) => signCall(routes.handoverIncoming, request),
  arrive: () => call<HandoverView>('POST', routes.handoverArrived),
};
