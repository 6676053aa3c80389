// Recording forms built from field specs, showing the API's problems at the fields they concern.

import { h, fill, announce } from "./dom.js";
import { newIdempotencyKey, sendRetryingOnce } from "./api.js";

let formCount = 0;

/**
 * A form built from field specs: submit sends send(body, idempotencyKey) and shows the API's problem
 * inline; on success the form is emptied first and only then onRecorded(answer) runs, so nothing
 * typed after the "recorded" notice is wiped by a late reset.
 */
export function commandForm({ legend, fields, submitLabel, send, onRecorded }) {
  const prefix = "f" + (++formCount);
  const alertBox = h("div", { role: "alert", tabindex: "-1" });
  const inputs = {};
  const groups = fields.map(field => {
    const id = `${prefix}-${field.name}`;
    const helpId = field.help ? id + "-help" : null;
    let input;
    if (field.type === "select") {
      input = h("select", { id, name: field.name, required: field.required },
        field.required ? null : h("option", { value: "" , text: "—" }),
        field.options.map(option => h("option", { value: option, text: option })));
    } else if (field.type === "textarea") {
      input = h("textarea", { id, name: field.name, required: field.required });
    } else {
      const type = { date: "date", number: "number", url: "url" }[field.type] || "text";
      input = h("input", { id, name: field.name, type, required: field.required, step: field.step, min: field.min, autocomplete: "off" });
    }
    if (helpId) input.setAttribute("aria-describedby", helpId);
    if (field.value !== undefined) input.value = field.value;
    inputs[field.name] = input;
    return h("div", { class: field.type === "textarea" ? "wide" : null },
      h("label", { for: id, text: field.label + (field.required ? " (required)" : "") }),
      input,
      field.help ? h("p", { id: helpId, class: "help", text: field.help }) : null);
  });
  const submit = h("button", { type: "submit", text: submitLabel || "Record" });
  const form = h("form", { novalidate: true, "data-command": legend },
    h("fieldset", {}, h("legend", { text: legend }), alertBox, h("div", { class: "grid" }, groups),
      h("div", { class: "actions" }, submit)));

  function clearProblems() {
    fill(alertBox);
    for (const input of Object.values(inputs)) {
      input.removeAttribute("aria-invalid");
      const error = document.getElementById(input.id + "-error");
      error?.remove();
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(x => x && x !== input.id + "-error");
      described.length ? input.setAttribute("aria-describedby", described.join(" ")) : input.removeAttribute("aria-describedby");
    }
  }

  function showProblem(problem, status) {
    clearProblems();
    const unplaced = [];
    let first = null;
    for (const [key, messages] of Object.entries(problem?.errors || {})) {
      const name = key.split(/[.[]/)[0];
      const input = inputs[name] || inputs[name.charAt(0).toLowerCase() + name.slice(1)];
      if (!input) { unplaced.push(`${key}: ${[].concat(messages).join(" ")}`); continue; }
      input.setAttribute("aria-invalid", "true");
      const errorId = input.id + "-error";
      input.after(h("p", { id: errorId, class: "field-error", text: [].concat(messages).join(" ") }));
      input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), errorId].filter(Boolean).join(" "));
      first ??= input;
    }
    alertBox.append(h("div", { class: "alert" },
      h("h3", { text: `${problem?.title || "Not recorded"} (${status})` }),
      problem?.detail ? h("p", { text: problem.detail }) : null,
      unplaced.length ? h("ul", {}, unplaced.map(text => h("li", { text }))) : null));
    (first || alertBox).focus?.();
    announce(`${problem?.title || "Not recorded"}: ${problem?.detail || ""}`);
  }

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
      if (!answer.ok) { showProblem(answer.json, answer.status); return; }
      clearProblems();
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
