// The contract's words the page offers as choices (docs/api.md): an agreement's statuses and kinds,
// the milestones a target date may be set for, and treaty law's instruments and kinds of reservation.

export const STATUSES = ["Proposed", "Negotiating", "Negotiated", "Signed", "Funded", "Delivered", "Suspended", "Terminated", "Withdrawn"];
export const KINDS = ["partnership", "treaty", "forum", "programme", "exercise", "other"];
export const MILESTONES = ["Negotiating", "Negotiated", "Signed", "Funded", "Delivered"];
export const INSTRUMENTS = ["ratification", "acceptance", "approval", "accession", "definitive-signature", "succession"];
export const RESERVATION_KINDS = ["reservation", "declaration", "objection", "withdrawal"];
