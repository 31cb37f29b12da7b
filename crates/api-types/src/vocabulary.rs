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
