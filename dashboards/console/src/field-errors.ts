// An invalid field named at the field (issue 15): the gateway's strict validation names the request field
// ("body/visitor must NOT have fewer than 1 characters", src/http/validation.ts); the console finds the form's
// control for it (its `name`, or the test id ending in the field: `entry-visitor`, `shelve-reason`), marks it,
// writes what is wrong under it, and says in the form's message which fields to fix, by their labels.
import { ApiError } from './api.ts';
import { h } from './dom.ts';
import { errorText } from './errors.ts';
import { tr } from './lang.ts';

type Problem = 'required' | 'tooShort' | 'tooLong' | 'format' | 'range' | 'invalid';

/** The fields a validation message names, each with what was wrong (ajv's wording mapped to ours). */
export function invalidFields(message: string): { field: string; problem: Problem }[] {
  const out: { field: string; problem: Problem }[] = [];
  for (const part of message.split('; ')) {
    const m = /^(?:body|querystring|params)\/([A-Za-z0-9_]+)(?:\/[^ ]*)? (.*)$/.exec(part);
    if (!m || out.some((o) => o.field === m[1])) continue;
    const why = m[2] ?? '';
    const problem: Problem = /is required|fewer than 1 character/.test(why)
      ? 'required'
      : /fewer than/.test(why)
        ? 'tooShort'
        : /more than/.test(why)
          ? 'tooLong'
          : /pattern|format/.test(why)
            ? 'format'
            : /must be [<>]=?/.test(why)
              ? 'range'
              : 'invalid';
    out.push({ field: m[1]!, problem });
  }
  return out;
}

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

function controlFor(form: Element, field: string): Control | HTMLFieldSetElement | null {
  return form.querySelector<Control>(`[name="${CSS.escape(field)}"]`) ?? form.querySelector<Control | HTMLFieldSetElement>(`:is(input, textarea, select, fieldset)[data-testid$="-${CSS.escape(field)}"]`);
}

function labelOf(control: Element): string {
  const own = control.getAttribute('aria-label');
  if (own) return own;
  if (control instanceof HTMLFieldSetElement) return control.querySelector('legend')?.textContent ?? '';
  const labelled = 'labels' in control ? (control as Control).labels?.[0]?.textContent : null;
  return (labelled ?? control.getAttribute('placeholder') ?? '').trim();
}

/** Removes the marks of an earlier failed attempt. */
export function clearFieldErrors(form: Element): void {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
}

/**
 * The text for a failed submission of `form`: with the invalid fields marked and named ("Please check:
 * Visitor (required)"), or the error code's translation when the gateway named no field of this form.
 */
export function formErrorText(form: Element | null | undefined, err: unknown): string {
  const fallback = errorText(err);
  if (!form || !(err instanceof ApiError) || err.code !== 'RW_INVALID_REQUEST') return fallback;
  clearFieldErrors(form);
  const named: string[] = [];
  for (const { field, problem } of invalidFields(err.message)) {
    const control = controlFor(form, field);
    if (!control) continue;
    const label = labelOf(control);
    // Nothing typed or chosen is "required", whatever rule the empty value broke (a pattern, a minimum).
    const empty = !(control instanceof HTMLFieldSetElement) && control.value === '';
    const why = tr(`form.problem.${empty ? 'required' : problem}`);
    control.setAttribute('aria-invalid', 'true');
    control.after(h('span', { class: 'field-error', role: 'alert', 'data-testid': `field-error-${field}` }, tr('form.fieldError', { field: label, problem: why })));
    named.push(tr('form.namedField', { field: label, problem: why }));
  }
  if (named.length === 0) return fallback;
  form.addEventListener('input', () => clearFieldErrors(form), { once: true });
  return tr('form.checkFields', { fields: named.join(tr('list.separator')) });
}
