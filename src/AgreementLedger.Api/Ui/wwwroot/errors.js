// The GOV.UK error pattern for a recording form: a summary at the top linking to each field in error (focus moves
// to it), messages at the fields that name their subject, "Error: " before the page title while errors show, and a
// refusal (409) landing at the field it concerns with a link to the event it conflicts with.

import { h, fill, announce, pageTitle, jumpTo, eventLink } from "./dom.js";

/** "Signed on must not be in the future": a validation message names the field it is about. */
function named(label, message) {
  return /^[a-z]/.test(message) ? `${label} ${message}` : message;
}

export function errorDisplay({ alertBox, inputs, labels, formId }) {
  function clear() {
    fill(alertBox);
    for (const input of Object.values(inputs)) {
      input.removeAttribute("aria-invalid");
      document.getElementById(input.id + "-error")?.remove();
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(x => x && x !== input.id + "-error");
      described.length ? input.setAttribute("aria-describedby", described.join(" ")) : input.removeAttribute("aria-describedby");
    }
    pageTitle.error(formId, false);
  }

  function atField(input, ...content) {
    input.setAttribute("aria-invalid", "true");
    const errorId = input.id + "-error";
    input.after(h("p", { id: errorId, class: "field-error" }, h("span", { class: "visually-hidden", text: "Error: " }), ...content));
    input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), errorId].filter(Boolean).join(" "));
  }

  // A member's path names its field ("replacement.party" in a correction), else the member it is under.
  function inputFor(key) {
    if (inputs[key]) return inputs[key];
    const name = key.split(/[.[]/)[0];
    return inputs[name] || inputs[name.charAt(0).toLowerCase() + name.slice(1)];
  }

  function show(problem, status) {
    clear();
    const items = [];
    for (const [key, messages] of Object.entries(problem?.errors || {})) {
      const input = inputFor(key);
      const text = [].concat(messages).map(m => named(input ? labels[input.name] : key, m)).join(" ");
      if (!input) { items.push(h("li", { text })); continue; }
      atField(input, text);
      items.push(h("li", {}, h("a", { href: `#${input.id}`, text, onclick: jumpTo(input) })));
    }
    const conflict = problem?.conflict;
    if (conflict) {
      const input = conflict.field ? inputFor(conflict.field) : null;
      const seeAlso = conflict.conflictsWith?.recorded ? conflict.conflictsWith : conflict.breaksAt?.recorded ? conflict.breaksAt : null;
      const link = seeAlso ? eventLink(seeAlso, `See event ${seeAlso.version} (${seeAlso.type}, ${seeAlso.occurredOn})`) : null;
      if (input) {
        atField(input, conflict.message + ". ", link);
        items.push(h("li", {}, h("a", { href: `#${input.id}`, text: conflict.message, onclick: jumpTo(input) })));
      } else {
        items.push(h("li", {}, seeAlso ? eventLink(seeAlso, conflict.message) : conflict.message));
      }
    }
    alertBox.append(h("div", { class: "alert error-summary", tabindex: "-1", "aria-labelledby": `${formId}-summary` },
      h("h3", { id: `${formId}-summary`, text: "There is a problem" }),
      h("p", { text: `${problem?.title || "Not recorded"} (${status})` }),
      items.length ? h("ul", { class: "error-list" }, items) : null,
      problem?.detail ? h("p", { class: "help", text: problem.detail }) : null));
    pageTitle.error(formId, true);
    alertBox.querySelector(".error-summary").focus();
    announce(`There is a problem: ${conflict?.message || problem?.detail || problem?.title || ""}`);
  }

  return { show, clear };
}
