// One small modal form for every operator action (acknowledge, shelve, reset, dispatch, classify, tag):
// a title, what it applies to, a few fields, Cancel / Confirm. The gateway's answer decides: success closes
// the dialog (the broadcast updates every console), a failure shows its error code translated and keeps
// what was typed. Test ids: `<id>-dialog`, `<id>-confirm`, `<id>-cancel`, `<id>-error`.
import { h } from './dom.ts';
import { ApiError } from './api.ts';
import { formErrorText } from './field-errors.ts';
import { tr } from './lang.ts';

export type ActionOutcome = { ok: true } | { ok: false; error: { code: string; message?: string } };

export interface FormDialogSpec {
  id: string;
  title: string;
  /** One line naming the alarm or device the action applies to. */
  what: string;
  fields: HTMLElement[];
  confirm: string;
  /** The confirm button's look: amber for acknowledge, red for reset/isolate, blue otherwise. */
  tone?: 'ack' | 'danger' | 'primary';
  /** A local check before sending (a required field left empty): the text to show, or null. */
  check?: () => string | null;
  send(): Promise<ActionOutcome>;
}

export function openFormDialog(spec: FormDialogSpec): HTMLDialogElement {
  const { id } = spec;
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': `${id}-error` });
  const confirm = h('button', { type: 'submit', class: `btn btn--${spec.tone ?? 'primary'}`, 'data-testid': `${id}-confirm` }, spec.confirm);
  const cancel = h('button', { type: 'button', class: 'btn', 'data-testid': `${id}-cancel` }, tr('ack.cancel'));
  const form = h(
    'form',
    { class: 'action-form', novalidate: true },
    h('h2', {}, spec.title),
    h('p', { class: 'action-what', 'data-testid': `${id}-what` }, spec.what),
    spec.fields,
    error,
    h('div', { class: 'dialog-buttons' }, cancel, confirm),
  );
  const dialog = h('dialog', { class: `action-dialog action-dialog--${spec.tone ?? 'primary'}`, 'data-testid': `${id}-dialog` }, form);

  const close = (): void => {
    dialog.close();
    dialog.remove();
  };
  const fail = (text: string): void => {
    error.textContent = text;
    error.hidden = false;
    confirm.disabled = false;
    confirm.textContent = spec.confirm;
  };
  cancel.addEventListener('click', close);
  // A message about what was typed goes as soon as the user changes it.
  form.addEventListener('input', () => (error.hidden = true));
  dialog.addEventListener('cancel', () => dialog.remove());
  // Ctrl+Enter confirms from inside a note (Enter there is a new line): the whole action without a mouse.
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const problem = spec.check?.() ?? null;
    if (problem) {
      fail(problem);
      return;
    }
    confirm.disabled = true;
    confirm.textContent = tr('ack.sending');
    error.hidden = true;
    void spec.send().then((outcome) => (outcome.ok ? close() : fail(formErrorText(form, new ApiError(outcome.error.code, 400, outcome.error.message)))));
  });

  document.body.append(dialog);
  dialog.showModal();
  // The first field still to fill gets the focus (a duration already chosen is skipped for the reason).
  const fields = [...form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('textarea, input, select')];
  const unfilled = (f: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement): boolean =>
    f instanceof HTMLInputElement && f.type === 'radio' ? !fields.some((o) => o instanceof HTMLInputElement && o.name === f.name && o.checked) : !f.value;
  (fields.find(unfilled) ?? fields[0])?.focus();
  return dialog;
}

/** A dialog with nothing to fill in: one sentence saying what will happen, Cancel / Confirm. */
export function openConfirmDialog(spec: Pick<FormDialogSpec, 'id' | 'title' | 'what' | 'confirm' | 'send'> & { text: string }): HTMLDialogElement {
  const { text, ...rest } = spec;
  return openFormDialog({ ...rest, fields: [h('p', {}, text)] });
}

/** A labelled text field (one line or several); `value()` is trimmed. */
export function textField(
  id: string,
  label: string,
  opts: { max: number; rows?: number; placeholder?: string },
): { el: HTMLElement; input: HTMLInputElement | HTMLTextAreaElement; value(): string } {
  const attrs = { id, maxlength: opts.max, placeholder: opts.placeholder ?? null, 'data-testid': id };
  const input = opts.rows ? h('textarea', { ...attrs, rows: opts.rows }) : h('input', { ...attrs, type: 'text' });
  return { el: h('div', { class: 'field' }, h('label', { for: id }, label), input), input, value: () => input.value.trim() };
}

/** Large radio buttons: a choice readable and clickable from a standing position. */
export function choiceField<V extends string>(
  id: string,
  label: string,
  choices: readonly { value: V; text: string }[],
  initial: V | null,
): { el: HTMLElement; value(): V | null } {
  const inputs = choices.map((c) => {
    const input = h('input', { type: 'radio', name: id, value: c.value, checked: c.value === initial, 'data-testid': `${id}-${c.value}` });
    return { input, el: h('label', { class: 'choice' }, input, h('span', {}, c.text)), value: c.value };
  });
  return {
    el: h('fieldset', { class: 'field choices', 'data-testid': id }, h('legend', {}, label), inputs.map((i) => i.el)),
    value: () => inputs.find((i) => i.input.checked)?.value ?? null,
  };
}
