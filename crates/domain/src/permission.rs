//! Who may do what: the three roles of an organisation member and the permissions each grants.
//!
//! The table lives here so the API's guards and the SPA's menus ask the same question the same
//! way. This module must not know about sessions, HTTP or which user holds which role; it only
//! answers "does this role allow that?".

wire_enum! {
    /// A member's role within one organisation, from least to most powerful.
    pub enum Role ("role") {
        /// Reads the customer directory, changes nothing.
        Viewer => "viewer",
        /// Day-to-day work: customers and campaigns.
        Staff => "staff",
        /// Everything, including organisation settings.
        Owner => "owner",
    }
}

wire_enum! {
    /// One thing a role may do, written `area:action` on the wire.
    pub enum Permission ("permission") {
        CustomersRead => "customers:read",
        CustomersWrite => "customers:write",
        CampaignsWrite => "campaigns:write",
        SettingsWrite => "settings:write",
        /// Credits, debits and refunds on a customer's ledger: money, so owners only.
        BillingWrite => "billing:write",
        /// GDPR erasure: irreversible, so owners only.
        DataErase => "data:erase",
    }
}

const VIEWER: &[Permission] = &[Permission::CustomersRead];
const STAFF: &[Permission] = &[
    Permission::CustomersRead,
    Permission::CustomersWrite,
    Permission::CampaignsWrite,
];
const OWNER: &[Permission] = Permission::ALL;

impl Role {
    /// Every permission this role grants.
    pub fn permissions(&self) -> &'static [Permission] {
        match self {
            Role::Viewer => VIEWER,
            Role::Staff => STAFF,
            Role::Owner => OWNER,
        }
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::permission::{Permission, Role};

    #[test]
    fn each_role_allows_exactly_its_table_row() {
        use Permission::{
            BillingWrite, CampaignsWrite, CustomersRead, CustomersWrite, DataErase, SettingsWrite,
        };
        let cases: &[(Role, &[Permission])] = &[
            (Role::Viewer, &[CustomersRead]),
            (
                Role::Staff,
                &[CustomersRead, CustomersWrite, CampaignsWrite],
            ),
            (
                Role::Owner,
                &[
                    CustomersRead,
                    CustomersWrite,
                    CampaignsWrite,
                    SettingsWrite,
                    BillingWrite,
                    DataErase,
                ],
            ),
        ];
        for (role, granted) in cases {
            for permission in Permission::ALL {
                assert_eq!(
                    role.allows(*permission),
                    granted.contains(permission),
                    "{role} {permission}"
                );
            }
            assert_eq!(role.permissions(), *granted);
        }
    }

    #[test]
    fn roles_and_permissions_use_their_wire_strings() {
        let roles: Vec<&str> = Role::ALL.iter().map(Role::as_str).collect();
        assert_eq!(roles, ["viewer", "staff", "owner"]);
        let permissions: Vec<&str> = Permission::ALL.iter().map(Permission::as_str).collect();
        assert_eq!(
            permissions,
            [
                "customers:read",
                "customers:write",
                "campaigns:write",
                "settings:write",
                "billing:write",
                "data:erase"
            ]
        );
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(*role));
            assert_eq!(
                serde_json::to_string(role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert_eq!(
            Permission::parse("customers:read"),
            Ok(Permission::CustomersRead)
        );
        assert_eq!(
            Role::parse("admin").unwrap_err().message,
            "role must be one of: viewer, staff, owner"
        );
    }
}
