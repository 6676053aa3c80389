// Recording forms built from field specs, showing the API's problems at the fields they concern.

import { h } from "./dom.js";
import { newIdempotencyKey, sendRetryingOnce } from "./api.js";
import { errorDisplay } from "./errors.js";

let formCount = 0;

/**
 * A form built from field specs: submit sends send(body, idempotencyKey) and shows the API's problem
 * inline; on success the form is emptied first and only then onRecorded(answer) runs, so nothing
 * typed after the "recorded" notice is wiped by a late reset. A field with choices offers them
 * (a pick list: a select when it must be one of them, else suggestions); an upper field upper-cases as typed; a
 * field's value fills it in. intro goes above the fields.
 */
export function commandForm({ legend, intro, fields, submitLabel, send, onRecorded }) {
  const prefix = "f" + (++formCount);
  const alertBox = h("div", { role: "alert" });
  const inputs = {};
  const labels = {};
  const groups = fields.map(field => {
    const id = `${prefix}-${field.name.replace(/[^\w-]/g, "-")}`;
    const helpId = field.help ? id + "-help" : null;
    const choices = field.choices || [];
    let input, suggestions = null;
    if (field.type === "select" || (field.pick && choices.length)) {
      const options = field.type === "select" ? field.options.map(o => typeof o === "string" ? { value: o, label: o } : o) : choices;
      input = h("select", { id, name: field.name, required: field.required },
        field.required && field.type === "select" ? null : h("option", { value: "", text: field.required ? "Choose…" : "—" }),
        options.map(option => h("option", { value: option.value, text: option.label })));
    } else if (field.type === "textarea") {
      input = h("textarea", { id, name: field.name, required: field.required });
    } else {
      const type = { date: "date", number: "number", url: "url" }[field.type] || "text";
      input = h("input", { id, name: field.name, type, required: field.required, step: field.step, min: field.min, autocomplete: "off",
        list: choices.length ? id + "-choices" : null, autocapitalize: field.upper ? "characters" : null, spellcheck: field.upper ? "false" : null });
      if (choices.length) suggestions = h("datalist", { id: id + "-choices" }, choices.map(c => h("option", { value: c.value, label: c.label })));
      if (field.upper) input.addEventListener("input", () => upperCase(input));
    }
    if (helpId) input.setAttribute("aria-describedby", helpId);
    if (field.value !== undefined) input.value = field.value;
    inputs[field.name] = input;
    labels[field.name] = field.label;
    return h("div", { class: field.type === "textarea" ? "wide" : null },
      h("label", { for: id, text: field.label + (field.required ? " (required)" : "") }),
      input, suggestions,
      field.help ? h("p", { id: helpId, class: "help", text: field.help }) : null);
  });
  const submit = h("button", { type: "submit", text: submitLabel || "Record" });
  const form = h("form", { novalidate: true, "data-command": legend },
    h("fieldset", {}, h("legend", { text: legend }), alertBox, intro || null, h("div", { class: "grid" }, groups),
      h("div", { class: "actions" }, submit)));
  const errors = errorDisplay({ alertBox, inputs, labels, formId: prefix });

  // One key per thing recorded: a submission retried after a lost answer is recorded once; after
  // a success the next one gets a new key. Refusals are not stored, so a corrected retry may reuse it.
  let idempotencyKey = newIdempotencyKey();
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const body = {};
    for (const field of fields) {
      const raw = inputs[field.name].value.trim();
      if (raw === "") continue;
      if (field.type === "list") body[field.name] = raw.split(/[\s,]+/).filter(Boolean);
      else if (field.type === "number") body[field.name] = Number(raw);
      else body[field.name] = raw;
    }
    submit.disabled = true;
    try {
      // Both tries carry the same key: recorded at most once.
      const answer = await sendRetryingOnce(() => send(body, idempotencyKey));
      if (!answer.ok) { errors.show(answer.json, answer.status); return; }
      errors.clear();
      form.reset();
      idempotencyKey = newIdempotencyKey();
      submit.disabled = false;
      await onRecorded(answer);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** Party and currency codes are upper case: what is typed turns upper case where it is typed. */
function upperCase(input) {
  const { selectionStart, selectionEnd } = input;
  const upper = input.value.toUpperCase();
  if (upper === input.value) return;
  input.value = upper;
  input.setSelectionRange(selectionStart, selectionEnd);
}
