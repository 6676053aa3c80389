// The contract's words the page offers as choices (docs/api.md): an agreement's statuses and kinds,
// the milestones a target date may be set for, and treaty law's instruments and kinds of reservation.

export const STATUSES = ["Proposed", "Negotiating", "Negotiated", "Signed", "Funded", "Delivered", "Suspended", "Terminated", "Withdrawn"];
export const KINDS = ["partnership", "treaty", "forum", "programme", "exercise", "other"];
export const MILESTONES = ["Negotiating", "Negotiated", "Signed", "Funded", "Delivered"];
export const INSTRUMENTS = ["ratification", "acceptance", "approval", "accession", "definitive-signature", "succession"];
export const RESERVATION_KINDS = ["reservation", "declaration", "objection", "withdrawal"];
export const REPLACEMENT_TYPES = ["negotiation_round_held", "terms_agreed", "party_signed", "party_joined", "deliverable_planned", "funding_committed",
  "deliverable_delivered", "target_set", "source_cited", "agreement_amended", "agreement_suspended", "agreement_resumed", "agreement_terminated",
  "agreement_withdrawn", "consent_expressed", "provisional_application_started", "reservation_made", "party_withdrew"];
