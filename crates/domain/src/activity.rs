//! The activity timeline: what kinds of entries exist, which ones people may write, and the
//! write model of an engagement. This module must not do I/O.

use chrono::{DateTime, Utc};

use crate::ids::ContactId;
use crate::money::Money;
use crate::values::{BoundedText, CurrencyCode, LongText};

wire_enum! {
    /// What an activity is.
    pub enum ActivityType ("type") {
        Note => "note",
        Email => "email",
        Call => "call",
        Meeting => "meeting",
        Demo => "demo",
        Training => "training",
        Task => "task",
        Order => "order",
        Payment => "payment",
        Ticket => "ticket",
        StatusChange => "status_change",
        TierChange => "tier_change",
        Credit => "credit",
        Flag => "flag",
        Merge => "merge",
        Import => "import",
    }
}

impl ActivityType {
    /// Engagements are logged by people; every other type is written by the system only (an
    /// order, a payment or a status change must come from where it happened).
    pub fn is_engagement(&self) -> bool {
        matches!(
            self,
            ActivityType::Note
                | ActivityType::Email
                | ActivityType::Call
                | ActivityType::Meeting
                | ActivityType::Demo
                | ActivityType::Training
                | ActivityType::Task
        )
    }
}

wire_enum! {
    /// How an activity went.
    pub enum Outcome ("outcome") {
        Positive => "positive",
        Neutral => "neutral",
        Negative => "negative",
        ActionRequired => "action_required",
    }
}

wire_enum! {
    /// Who reached out.
    pub enum Direction ("direction") {
        Inbound => "inbound",
        Outbound => "outbound",
    }
}

/// Longest activity subject.
pub const SUBJECT_MAX_CHARS: usize = 300;
/// Most attendees on one activity.
pub const MAX_ATTENDEES: usize = 50;
/// Longest meeting or call: a day.
pub const MAX_DURATION_MINUTES: u32 = 24 * 60;

/// An activity about to be written (by a person, or by the system with a system type).
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub activity_type: ActivityType,
    pub subject: BoundedText,
    pub body: Option<LongText>,
    pub direction: Option<Direction>,
    pub outcome: Option<Outcome>,
    pub occurred_at: DateTime<Utc>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    pub attendees: Vec<BoundedText>,
    pub amount: Option<(Money, CurrencyCode)>,
    pub contact_id: Option<ContactId>,
    pub related_type: Option<String>,
    pub related_ref: Option<String>,
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

impl NewActivity {
    /// A system entry (status change, tier change, message sent ...) happening now.
    pub fn system(activity_type: ActivityType, subject: BoundedText, now: DateTime<Utc>) -> Self {
        NewActivity {
            activity_type,
            subject,
            body: None,
            direction: None,
            outcome: None,
            occurred_at: now,
            scheduled_at: None,
            completed_at: Some(now),
            duration_minutes: None,
            attendees: Vec::new(),
            amount: None,
            contact_id: None,
            related_type: None,
            related_ref: None,
            metadata: serde_json::Map::new(),
        }
    }
}

/// A subject line for system entries, cut to fit (they quote user-supplied names).
pub fn subject(text: &str) -> BoundedText {
    let cut: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(SUBJECT_MAX_CHARS)
        .collect();
    let cut = if cut.trim().is_empty() {
        "(activity)".to_owned()
    } else {
        cut
    };
    match BoundedText::parse(&cut, SUBJECT_MAX_CHARS) {
        Ok(text) => text,
        Err(_) => unreachable!("non-empty text without control characters is valid"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_engagements_are_written_by_people() {
        let engagements: Vec<&str> = ActivityType::ALL
            .iter()
            .filter(|t| t.is_engagement())
            .map(ActivityType::as_str)
            .collect();
        assert_eq!(
            engagements,
            [
                "note", "email", "call", "meeting", "demo", "training", "task"
            ]
        );
    }

    #[test]
    fn system_subjects_are_cut_to_fit_and_never_empty() {
        assert_eq!(subject(&"x".repeat(400)).as_str().len(), SUBJECT_MAX_CHARS);
        assert_eq!(subject("\u{0}").as_str(), "(activity)");
        assert_eq!(subject("Tier changed").as_str(), "Tier changed");
    }
}
