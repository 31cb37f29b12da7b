//! Validation errors shared by every parser in the domain.
//!
//! A `ValueError` says why one value was rejected; a `FieldError` ties that reason to the field it
//! came from so the API can report every problem of a request at once. This module must not know
//! about HTTP status codes or response formats; the API maps these types at its edge.

use serde::Serialize;

/// Why a single value could not be parsed. The message is written for the end user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    pub message: String,
}

impl ValueError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// A rejected value together with the (wire) name of the field that carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Collects every field error of a request instead of stopping at the first one.
///
/// ```
/// use tenure_domain::error::Validator;
/// use tenure_domain::values::Email;
///
/// let mut v = Validator::new();
/// let email = v.check("email", Email::parse("not-an-email"));
/// assert!(email.is_none());
/// v.push("name", "name is required");
/// assert_eq!(v.finish().map_err(|e| e.len()), Err(2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the parsed value, or records the error against `field` and returns `None`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, ValueError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.push(field, err.message);
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when nothing was recorded, otherwise every recorded error in the order recorded.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::error::{FieldError, Validator, ValueError};

    #[test]
    fn an_untouched_validator_finishes_ok() {
        let v = Validator::new();
        assert!(v.is_empty());
        assert_eq!(v.finish(), Ok(()));
    }

    #[test]
    fn check_passes_values_through_and_records_errors_in_order() {
        let mut v = Validator::default();
        assert_eq!(v.check("a", Ok::<_, ValueError>(1)), Some(1));
        assert_eq!(v.check::<u8>("b", Err(ValueError::new("bad b"))), None);
        v.push("c", "bad c");
        assert!(!v.is_empty());
        assert_eq!(
            v.finish(),
            Err(vec![
                FieldError::new("b", "bad b"),
                FieldError::new("c", "bad c")
            ])
        );
    }

    #[test]
    fn value_error_displays_its_message() {
        assert_eq!(ValueError::new("too long").to_string(), "too long");
    }
}
