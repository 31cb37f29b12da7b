//! Tenure's pure domain: parsed value types, validation and business rules.
//!
//! It exists so that every other crate (the store, the API, the SPA through `api-types`) shares one
//! definition of what a valid customer, email or sort order is. It must not do I/O, must not know
//! sea-orm, actix or tokio, and must keep compiling for wasm32.

/// Declares a closed set of values with one wire string each: `as_str`, `parse` (trimmed, ASCII
/// case-insensitive, the error lists the allowed values), `ALL`, `Display` and serde, all derived
/// from the same table so the four can never disagree.
///
/// It lives here, before the module declarations, so every module below can use it; it is not
/// exported.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire string.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$variant => $wire),+
                }
            }

            /// Parses a wire string; surrounding whitespace and ASCII case are ignored.
            pub fn parse(raw: &str) -> Result<Self, $crate::error::ValueError> {
                let trimmed = raw.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str().eq_ignore_ascii_case(trimmed))
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = Self::ALL.iter().map(Self::as_str).collect();
                        $crate::error::ValueError::new(format!(
                            "{} must be one of: {}",
                            $what,
                            allowed.join(", ")
                        ))
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Credits ledger entries and account flags.
pub mod account;
/// The activity timeline's types and the write model of an engagement.
pub mod activity;
/// Before/after diffs written into the audit log.
pub mod audit;
/// Contacts and addresses, with country-aware postal codes.
pub mod contact;
/// Defence against spreadsheet formula injection in CSV exports.
pub mod csv_safety;
/// Custom field definitions and the check of a customer's values against them.
pub mod custom_field;
/// Customer enums, the write model and its cross-field rules.
pub mod customer;
/// Duplicate detection: normalisers, comparators, scoring with evidence, blocking keys.
pub mod duplicate;
/// `ValueError`, `FieldError` and the `Validator` that collects them.
pub mod error;
/// Customer goals and their progress.
pub mod goal;
/// Typed UUIDv7 identifiers, so one kind of id cannot be passed as another.
pub mod ids;
/// Import column mapping: targets, vendor templates, transforms, auto-mapping.
pub mod import;
/// Survivorship rules of a merge and the three-way check behind its undo.
pub mod merge;
/// Money as integer minor units; never floating point.
pub mod money;
/// Roles and the permissions each one grants.
pub mod permission;
/// The customer directory's list query (sorting, quick views, ranges, limits).
pub mod query;
/// Accent and case folding for the search index.
pub mod search;
/// Tier discounts and the pricing impact of a tier change.
pub mod tier;
/// Constrained values (email, phone, country, ...) parsed once at the edge.
pub mod values;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tidy {
    use std::path::Path;

    /// STYLE.md section 7: every file says why it exists and what it must not do.
    #[test]
    fn every_source_file_starts_with_a_module_doc_comment() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut checked = 0;
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    text.starts_with("//! "),
                    "{} lacks a //! header",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked >= 11, "only {checked} files checked");
    }
}
