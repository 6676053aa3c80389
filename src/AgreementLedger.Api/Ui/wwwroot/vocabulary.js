// The contract's words the page offers as choices (docs/api.md): an agreement's statuses and kinds,
// and the milestones a target date may be set for.

export const STATUSES = ["Proposed", "Negotiating", "Negotiated", "Signed", "Funded", "Delivered", "Suspended", "Terminated", "Withdrawn"];
export const KINDS = ["partnership", "treaty", "forum", "programme", "exercise", "other"];
export const MILESTONES = ["Negotiating", "Negotiated", "Signed", "Funded", "Delivered"];
