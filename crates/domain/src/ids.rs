//! Typed identifiers, one newtype per entity, all made by one small macro.
//!
//! They exist so that a `UserId` can never be passed where a `CustomerId` is expected. They are
//! UUIDv7 (time ordered, so they index well). This module must not hand out raw `Uuid`s as ids or
//! add any behaviour beyond making, printing and parsing them.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::error::ValueError;

macro_rules! new_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered UUIDv7. Reads the clock and the random source.
            // No `Default`: a default id would read like a sentinel value, but it is a new random one.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = ValueError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| ValueError::new(concat!("not a valid ", $what, " id")))
            }
        }
    };
}

new_id!(
    /// An organisation (tenant); every other row belongs to exactly one.
    OrganizationId,
    "organization"
);
new_id!(
    /// A person who signs in to Tenure.
    UserId,
    "user"
);
new_id!(
    /// A customer (company or person) in the directory.
    CustomerId,
    "customer"
);
new_id!(
    /// A signed-in session.
    SessionId,
    "session"
);
new_id!(
    /// One entry of the audit log.
    AuditId,
    "audit"
);
new_id!(
    /// A person at a customer.
    ContactId,
    "contact"
);
new_id!(
    /// A postal address of a customer.
    AddressId,
    "address"
);
new_id!(
    /// A tier of the organisation's catalogue.
    TierId,
    "tier"
);
new_id!(
    /// One entry of a customer's timeline.
    ActivityId,
    "activity"
);
new_id!(
    /// A customer goal.
    GoalId,
    "goal"
);
new_id!(
    /// One entry of a customer's credits ledger.
    LedgerEntryId,
    "ledger entry"
);
new_id!(
    /// An account flag, active or removed.
    FlagId,
    "flag"
);
new_id!(
    /// A custom field definition.
    CustomFieldId,
    "custom field"
);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::str::FromStr;

    use uuid::Uuid;

    use crate::ids::{AuditId, CustomerId, OrganizationId, SessionId, UserId};

    #[test]
    fn new_ids_are_version_7_and_distinct() {
        let a = CustomerId::new();
        let b = CustomerId::new();
        assert_ne!(a, b);
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert_eq!(OrganizationId::new().as_uuid().get_version_num(), 7);
        assert_eq!(UserId::new().as_uuid().get_version_num(), 7);
        assert_eq!(SessionId::new().as_uuid().get_version_num(), 7);
        assert_eq!(AuditId::new().as_uuid().get_version_num(), 7);
    }

    #[test]
    fn ids_display_and_parse_back_to_themselves() {
        let id = UserId::new();
        assert_eq!(UserId::from_str(&id.to_string()), Ok(id));
        assert_eq!(id.to_string(), id.as_uuid().hyphenated().to_string());
    }

    #[test]
    fn later_ids_sort_after_earlier_ones_across_milliseconds() {
        let a = AuditId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = AuditId::new();
        assert!(a < b);
    }

    #[test]
    fn garbage_is_not_an_id_and_the_message_names_the_kind() {
        let err = CustomerId::from_str("nope").unwrap_err();
        assert_eq!(err.message, "not a valid customer id");
    }

    #[test]
    fn ids_serialize_as_plain_strings() {
        let uuid = Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0001);
        let id = CustomerId::from_uuid(uuid);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{uuid}\""));
        assert_eq!(serde_json::from_str::<CustomerId>(&json).unwrap(), id);
    }
}
