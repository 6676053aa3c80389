// Recording a new agreement: the proposal form; once recorded, the page goes to the agreement.

import { h, fill, announce, pageTitle } from "./dom.js";
import { api } from "./api.js";
import { commandForm } from "./forms.js";
import { go } from "./navigation.js";
import { KINDS } from "./vocabulary.js";

export function proposeView(main) {
  pageTitle.reset();
  pageTitle.set("Record a new agreement · AgreementLedger");
  const form = commandForm({
    legend: "The agreement",
    submitLabel: "Record the proposal",
    fields: [
      { name: "title", label: "Title", required: true },
      { name: "id", label: "Id", help: "Lowercase letters, digits and hyphens, e.g. gcap-treaty; left empty, the service assigns one" },
      { name: "kind", label: "Kind", type: "select", options: KINDS, required: true },
      { name: "parties", label: "Parties", type: "list", required: true, upper: true, help: "Party codes, separated by spaces or commas (JP GB IT)" },
      { name: "areas", label: "Areas", type: "list", help: "Lowercase tags such as defence-industry space" },
      { name: "occurredOn", label: "Proposed on", type: "date", help: "Default: today" },
      { name: "summary", label: "Summary", type: "textarea" },
    ],
    send(body, idempotencyKey) {
      body.areas ??= [];
      return api("/agreements", { method: "POST", body, idempotencyKey });
    },
    onRecorded(answer) {
      announce(`Recorded ${answer.json.title}`);
      go(`/agreements/${encodeURIComponent(answer.json.id)}`, { recorded: "1" });
    },
  });
  fill(main, h("h1", { text: "Record a new agreement" }), form);
}
