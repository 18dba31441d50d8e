// The tag on a device in its room tile (R5: equipment under maintenance carries a tag, 挂牌; A6: a fire
// device is isolated only with a supervisor's approval). Shows the kind, who, why and the planned end; a
// requested isolation waits for a supervisor, who approves it here. "Return to service" takes the tag off.
import { personName } from './entry-text.ts';
import type { DeviceTagKind, DeviceView } from '../../../src/contract/api.ts';
import { h, replaceChildren } from './dom.ts';
import { formatDateTime, parseSiteDateTime } from './format.ts';
import { loc, tr } from './lang.ts';
import { codeText } from './errors.ts';
import { choiceField, openConfirmDialog, openFormDialog, textField } from './form-dialog.ts';
import { request, type LiveSocket } from './socket.ts';
import type { Store } from './store.ts';

export interface DeviceTagView {
  /** "Tag out of service", in the device's heading; hidden while the device has a tag. */
  button: HTMLElement;
  /** The tag itself, empty without one. */
  el: HTMLElement;
  update(): void;
  /** The device is out of service now (an approved tag). */
  active(): boolean;
}

const REASON_MAX = 500; // DeviceTagRequest.reason
const KINDS: readonly DeviceTagKind[] = ['maintenance', 'isolation'];

export function deviceTagView(store: Store, socket: LiveSocket, device: DeviceView): DeviceTagView {
  const id = device.id;
  const button = h(
    'button',
    { type: 'button', class: 'btn btn--plain btn--small', 'data-testid': `tag-button-${id}`, onclick: () => openTagDialog(store, socket, device) },
    tr('lifecycle.tag.button'),
  );
  const el = h('div', { class: 'device-tag', 'data-testid': `device-tag-${id}`, hidden: true });
  let shown = '';

  function update(): void {
    const tag = store.tags.get(id);
    button.hidden = tag !== undefined;
    el.hidden = tag === undefined;
    const key = JSON.stringify(tag ?? null);
    if (key === shown) return;
    shown = key;
    if (!tag) {
      replaceChildren(el);
      return;
    }
    el.dataset['kind'] = tag.kind;
    el.dataset['state'] = tag.state;
    const approve =
      tag.state === 'requested' && store.can('device.approveTag')
        ? h(
            'button',
            { type: 'button', class: 'btn btn--danger', 'data-testid': `approve-tag-${id}`, onclick: () => void sendApprove(socket, id, el) },
            tr('lifecycle.tag.approve'),
          )
        : null;
    replaceChildren(
      el,
      h(
        'div',
        { class: 'tag-head' },
        h('span', { class: 'tag-kind', 'data-testid': `tag-kind-${id}` }, tr(`lifecycle.tagKind.${tag.kind}`)),
        tag.state === 'requested' ? h('span', { class: 'tag-awaiting', 'data-testid': `tag-awaiting-${id}` }, tr('lifecycle.tag.awaiting')) : null,
      ),
      h('div', { class: 'tag-reason', 'data-testid': `tag-reason-${id}` }, tag.reason),
      h('div', { class: 'tag-meta' }, tr('lifecycle.tag.by', { user: personName(tag.taggedBy), time: formatDateTime(tag.taggedAt) })),
      // Any tag a supervisor approved for someone else: an isolation, or any tag on a fire/life-safety device (A6).
      tag.approvedBy && tag.approvedAt !== null && tag.approvedBy !== tag.taggedBy
        ? h('div', { class: 'tag-meta' }, tr('lifecycle.tag.approvedBy', { user: personName(tag.approvedBy), time: formatDateTime(tag.approvedAt) }))
        : null,
      h(
        'div',
        { class: 'tag-meta', 'data-testid': `tag-end-${id}` },
        tag.plannedEnd === null ? tr('lifecycle.tag.noPlannedEnd') : tr('lifecycle.tag.plannedEnd', { time: formatDateTime(tag.plannedEnd) }),
      ),
      h('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': `tag-error-${id}` }),
      h(
        'div',
        { class: 'row-actions' },
        approve,
        h(
          'button',
          { type: 'button', class: 'btn btn--plain', 'data-testid': `untag-button-${id}`, onclick: () => openUntagDialog(store, socket, device) },
          tr('lifecycle.tag.return'),
        ),
      ),
    );
  }

  update();
  return { button, el, update, active: () => store.tags.get(id)?.state === 'active' };
}

/** Approval is one click by a supervisor (who is recorded); a refusal is shown in the tag itself. */
async function sendApprove(socket: LiveSocket, deviceId: string, el: HTMLElement): Promise<void> {
  const result = await request(socket, 'device:approveTag', { deviceId });
  const error = el.querySelector<HTMLElement>('.form-error');
  if (!error) return;
  error.hidden = result.ok;
  if (!result.ok) error.textContent = codeText(result.error.code);
}

function openTagDialog(store: Store, socket: LiveSocket, device: DeviceView): void {
  const kind = choiceField(
    'tag-kind',
    tr('lifecycle.tag.kindLabel'),
    KINDS.map((k) => ({ value: k, text: tr(`lifecycle.tagKind.${k}`) })),
    'maintenance',
  );
  const reason = textField('tag-reason', tr('lifecycle.reasonLabel'), { max: REASON_MAX, rows: 2, placeholder: tr('lifecycle.tag.reasonPlaceholder') });
  const end = h('input', { id: 'tag-end', type: 'datetime-local', 'data-testid': 'tag-end' });
  openFormDialog({
    id: 'tag',
    title: tr('lifecycle.tag.title'),
    what: roomAndDevice(store, device),
    fields: [
      kind.el,
      reason.el,
      h('div', { class: 'field' }, h('label', { for: 'tag-end' }, tr('lifecycle.tag.plannedEndLabel')), end),
      h('p', { class: 'muted' }, tr('lifecycle.tag.isolationHint')),
    ],
    confirm: tr('lifecycle.tag.confirm'),
    tone: 'danger',
    check: () => (reason.value() ? (end.value && parseSiteDateTime(end.value) === null ? tr('lifecycle.tag.badEnd') : null) : tr('lifecycle.reasonRequired')),
    send: () => {
      const plannedEnd = parseSiteDateTime(end.value);
      return request(socket, 'device:tag', {
        deviceId: device.id,
        kind: kind.value() ?? 'maintenance',
        reason: reason.value(),
        ...(plannedEnd === null ? {} : { plannedEnd }),
      });
    },
  });
}

function openUntagDialog(store: Store, socket: LiveSocket, device: DeviceView): void {
  openConfirmDialog({
    id: 'untag',
    title: tr('lifecycle.tag.return'),
    what: roomAndDevice(store, device),
    text: tr('lifecycle.tag.returnText'),
    confirm: tr('lifecycle.tag.return'),
    send: () => request(socket, 'device:untag', { deviceId: device.id }),
  });
}

function roomAndDevice(store: Store, device: DeviceView): string {
  return `${loc(store.index.rooms.get(device.roomId)?.name)} · ${loc(device.name)}`;
}
