//! Customer goals (success plans): statuses, metrics and how progress is measured. This module
//! must not do I/O.

use chrono::NaiveDate;

use crate::values::{BoundedText, LongText};

wire_enum! {
    /// Where a goal stands.
    pub enum GoalStatus ("status") {
        OnTrack => "on_track",
        AtRisk => "at_risk",
        Achieved => "achieved",
        Missed => "missed",
    }
}

impl GoalStatus {
    /// Achieved and missed goals are finished; the others are active.
    pub fn is_finished(&self) -> bool {
        matches!(self, GoalStatus::Achieved | GoalStatus::Missed)
    }
}

wire_enum! {
    /// What a goal measures.
    pub enum GoalMetric ("metric") {
        Adoption => "adoption",
        Usage => "usage",
        Revenue => "revenue",
        Seats => "seats",
        Nps => "nps",
        Tickets => "tickets",
        Training => "training",
        Custom => "custom",
    }
}

/// A goal about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGoal {
    pub title: BoundedText,
    pub description: Option<LongText>,
    pub metric: GoalMetric,
    pub current_value: f64,
    pub target_value: f64,
    pub unit: Option<BoundedText>,
    pub period: Option<BoundedText>,
    pub status: GoalStatus,
    pub target_date: Option<NaiveDate>,
    pub completed_at: Option<NaiveDate>,
    /// Kept with the history entry this write makes, if it makes one.
    pub note: Option<LongText>,
}

impl NewGoal {
    /// A finished goal gets its completion date (today unless given); an active one has none.
    pub fn settle_completion(&mut self, today: NaiveDate) {
        if self.status.is_finished() {
            self.completed_at.get_or_insert(today);
        } else {
            self.completed_at = None;
        }
    }
}

/// Progress towards `target` as a percentage in 0..=100, rounded to one decimal. A target of
/// zero (e.g. "zero open tickets") counts as met when `current` is zero or below.
pub fn progress_percent(current: f64, target: f64) -> f64 {
    let raw = if target == 0.0 {
        if current <= 0.0 { 100.0 } else { 0.0 }
    } else {
        current / target * 100.0
    };
    (raw.clamp(0.0, 100.0) * 10.0).round() / 10.0
}

/// A goal value must be a finite number (JSON cannot carry NaN, but arithmetic could).
pub fn check_value(value: f64) -> Result<f64, crate::error::ValueError> {
    if value.is_finite() && value.abs() < 1e15 {
        Ok(value)
    } else {
        Err(crate::error::ValueError::new(
            "must be a finite number below 10^15",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_a_capped_percentage() {
        assert_eq!(progress_percent(40.0, 80.0), 50.0);
        assert_eq!(progress_percent(120.0, 80.0), 100.0);
        assert_eq!(progress_percent(-5.0, 80.0), 0.0);
        assert_eq!(progress_percent(1.0, 3.0), 33.3);
        assert_eq!(progress_percent(0.0, 0.0), 100.0);
        assert_eq!(progress_percent(2.0, 0.0), 0.0);
    }

    #[test]
    fn finished_goals_get_a_completion_date_and_active_ones_lose_it() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let mut goal = NewGoal {
            title: BoundedText::parse("Adopt reporting", 100).unwrap_or_else(|_| unreachable!()),
            description: None,
            metric: GoalMetric::Adoption,
            current_value: 10.0,
            target_value: 80.0,
            unit: None,
            period: None,
            status: GoalStatus::Achieved,
            target_date: None,
            completed_at: None,
            note: None,
        };
        goal.settle_completion(today);
        assert_eq!(goal.completed_at, Some(today));
        goal.status = GoalStatus::AtRisk;
        goal.settle_completion(today);
        assert_eq!(goal.completed_at, None);
        assert!(check_value(f64::NAN).is_err());
    }
}
