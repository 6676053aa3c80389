// "Correct…" on an event: the event's own form, filled in with what it recorded, that records a correction
// (POST /agreements/{id}/corrections): the retraction and the replacement in one transaction, judged together — so a
// signature that later funding depends on can be re-dated, which a retraction and a new signature cannot do. The
// replacement may be of another type; the fields change with it and keep what was typed in the ones they share.

import { h, fill } from "./dom.js";
import { commandForm } from "./forms.js";
import { COMMANDS, withChoices } from "./commands.js";

const CORRECTABLE = COMMANDS.filter(c => c.type);
const PREFIX = "replacement.";

/** Whether a timeline entry can be corrected: not the proposal, a retraction, a retracted event or a treaty-law fact. */
export function correctable(entry) {
  return entry.version > 1 && !entry.retracted && CORRECTABLE.some(c => c.type === entry.type);
}

/** What an event recorded, as its form's values by field name (a list as typed, separated by spaces). */
function valuesOf(command, data) {
  const values = {};
  for (const field of command.fields) {
    const value = data?.[field.name];
    if (value !== undefined && value !== null) values[field.name] = Array.isArray(value) ? value.join(" ") : String(value);
  }
  return values;
}

/** The request body: the form's flat fields, the replacement's under `replacement`. */
function correctionBody(version, fields) {
  const replacement = {};
  for (const [name, value] of Object.entries(fields)) if (name.startsWith(PREFIX)) replacement[name.slice(PREFIX.length)] = value;
  return { version, reason: fields.reason, replacement };
}

/**
 * The form for correcting one entry; send(body, idempotencyKey) posts it, onRecorded(answer) runs once it is recorded.
 * Returns the element that holds the form (redrawn when the replacement's type changes).
 */
export function correctionForm({ entry, agreement, send, onRecorded }) {
  const holder = h("div", { class: "correction" });
  const draw = (type, values, reason) => {
    const command = CORRECTABLE.find(c => c.type === type);
    const fields = [
      { name: `${PREFIX}type`, label: "Record instead", type: "select", required: true, value: type,
        options: CORRECTABLE.map(c => ({ value: c.type, label: c.label })), help: "Usually the same kind of event, with what was wrong put right" },
      ...withChoices(command, agreement, true).fields.map(f => ({ ...f, name: PREFIX + f.name, value: values[f.name] })),
      { name: "reason", label: "Why it was wrong", type: "textarea", required: true, value: reason },
    ];
    const form = commandForm({
      legend: `Correct version ${entry.version}: ${entry.summary}`,
      intro: h("p", { class: "help", text: `Version ${entry.version} stays in the history, marked as retracted, and what you record here takes its place. ` +
        "Both are recorded together, and only if the corrected history is one the lifecycle allows." }),
      fields, submitLabel: "Record the correction",
      send: (body, idempotencyKey) => send(correctionBody(entry.version, body), idempotencyKey),
      onRecorded,
    });
    const typeField = form.elements.namedItem(`${PREFIX}type`);
    typeField.addEventListener("change", () => {
      const typed = {};
      for (const field of fields) if (field.name.startsWith(PREFIX)) typed[field.name.slice(PREFIX.length)] = form.elements.namedItem(field.name).value;
      draw(typeField.value, typed, form.elements.namedItem("reason").value);
      holder.querySelector("select")?.focus();
    });
    fill(holder, form);
  };
  draw(entry.type, valuesOf(CORRECTABLE.find(c => c.type === entry.type), entry.data), "");
  return holder;
}
