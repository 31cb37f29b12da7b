//! The closed sets of values some customer fields take on the wire, in display order. The SPA
//! builds its menus and filter checkboxes from these; the server's domain enums are the
//! authority, and a test in the API crate fails if the two ever disagree.

/// `kind`.
pub const CUSTOMER_KINDS: &[&str] = &["company", "person"];

/// `status` (and the `status` filter).
pub const CUSTOMER_STATUSES: &[&str] = &[
    "lead",
    "onboarding",
    "active",
    "at_risk",
    "suspended",
    "churned",
];

/// `customer_type` (the `type` filter).
pub const CUSTOMER_TYPES: &[&str] = &["standard", "vip", "partner"];

/// `payment_status`.
pub const PAYMENT_STATUSES: &[&str] = &["current", "pending", "overdue", "failed"];

/// `company_size`, in employees.
pub const COMPANY_SIZES: &[&str] = &[
    "1-10",
    "11-50",
    "51-200",
    "201-500",
    "501-1000",
    "1001-5000",
    "5001+",
];

/// A contact's `role`.
pub const CONTACT_ROLES: &[&str] = &[
    "primary",
    "billing",
    "shipping",
    "technical",
    "decision_maker",
    "contact",
];

/// A contact's `preferred_channel`.
pub const PREFERRED_CHANNELS: &[&str] = &["email", "phone", "sms", "in_person", "none"];

/// An address's `kind`.
pub const ADDRESS_KINDS: &[&str] = &["billing", "shipping", "other"];

/// Every activity `type`, engagements first.
pub const ACTIVITY_TYPES: &[&str] = &[
    "note",
    "email",
    "call",
    "meeting",
    "demo",
    "training",
    "task",
    "order",
    "payment",
    "ticket",
    "status_change",
    "tier_change",
    "credit",
    "flag",
    "merge",
    "import",
];

/// The activity types people log by hand; the rest are written by the system.
pub const ENGAGEMENT_TYPES: &[&str] = &[
    "note", "email", "call", "meeting", "demo", "training", "task",
];

/// An activity's `outcome`.
pub const ACTIVITY_OUTCOMES: &[&str] = &["positive", "neutral", "negative", "action_required"];

/// An activity's `direction`.
pub const ACTIVITY_DIRECTIONS: &[&str] = &["inbound", "outbound"];

/// A goal's `status`.
pub const GOAL_STATUSES: &[&str] = &["on_track", "at_risk", "achieved", "missed"];

/// A goal's `metric`.
pub const GOAL_METRICS: &[&str] = &[
    "adoption", "usage", "revenue", "seats", "nps", "tickets", "training", "custom",
];

/// A ledger entry's `kind`.
pub const LEDGER_KINDS: &[&str] = &["credit", "debit", "refund"];

/// A custom field's `field_type`.
pub const CUSTOM_FIELD_TYPES: &[&str] = &["text", "number", "date", "select", "bool"];
