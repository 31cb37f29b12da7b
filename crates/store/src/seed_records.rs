//! Demo data for the customer page: tiers, custom field definitions, and for every demo
//! customer its contacts, addresses, a year of payments (the MRR chart), engagements, tickets and
//! orders, goals with history, ledger entries, flags, and a few three-level hierarchies.
//!
//! Like the customer seeding it is deterministic in its RNG seed, bypasses per-row auditing (one
//! audit entry records the run) and loads with multi-row inserts in one transaction.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use tenure_domain::ids::OrganizationId;
use uuid::Uuid;

use crate::sql::{insert_many, json, stmt};
use crate::{Actor, Store, StoreError, audit};

/// (name, level, discount basis points, colour, minimum annual spend in major units, benefits)
type TierSeed = (
    &'static str,
    i32,
    i32,
    &'static str,
    i64,
    &'static [&'static str],
);
const TIERS: &[TierSeed] = &[
    (
        "Bronze",
        1,
        0,
        "#b08d57",
        0,
        &["Email support", "Community forum"],
    ),
    (
        "Silver",
        2,
        500,
        "#8a94a6",
        3_600,
        &["Business-hours support", "Quarterly review"],
    ),
    (
        "Gold",
        3,
        1_000,
        "#c9a227",
        18_000,
        &["Priority support", "Named CSM", "Quarterly business review"],
    ),
    (
        "Platinum",
        4,
        1_500,
        "#6d5bd0",
        72_000,
        &[
            "24/7 support",
            "Dedicated CSM",
            "Onsite training",
            "Roadmap input",
        ],
    ),
];

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Radia",
    "Tim",
    "Frances",
    "John",
    "Katherine",
    "Edsger",
    "Hedy",
    "Donald",
    "Sophie",
    "Bjarne",
    "Anita",
    "Guido",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Perlman",
    "Berners-Lee",
    "Allen",
    "McCarthy",
    "Johnson",
    "Dijkstra",
    "Lamarr",
    "Knuth",
    "Wilson",
    "Stroustrup",
    "Borg",
    "van Rossum",
];
const TITLES: &[(&str, &str)] = &[
    ("VP Operations", "Operations"),
    ("Head of Finance", "Finance"),
    ("IT Manager", "IT"),
    ("Procurement Lead", "Procurement"),
    ("CTO", "Engineering"),
    ("Office Manager", "Administration"),
];
/// (country, city, region, postal code, street line with `#` for the house number)
const PLACES: &[(&str, &str, &str, &str, &str)] = &[
    ("US", "San Francisco", "CA", "94105", "# Howard St"),
    (
        "GB",
        "London",
        "Greater London",
        "SW1A 1AA",
        "# Whitehall Pl",
    ),
    ("DE", "Berlin", "Berlin", "10115", "Invalidenstraße #"),
    ("FR", "Paris", "Île-de-France", "75008", "# Rue Royale"),
    ("CA", "Toronto", "ON", "M5V 2T6", "# King St W"),
    ("AU", "Sydney", "NSW", "2000", "# Martin Pl"),
    ("JP", "Tokyo", "Tokyo", "100-0001", "1-# Chiyoda"),
    ("NL", "Amsterdam", "Noord-Holland", "1012 AB", "Damrak #"),
    ("ES", "Madrid", "Madrid", "28013", "Gran Vía #"),
    ("SE", "Stockholm", "Stockholm", "111 22", "Drottninggatan #"),
    ("BR", "São Paulo", "SP", "01310-100", "Av. Paulista #"),
    ("IN", "Mumbai", "MH", "400001", "# Marine Dr"),
];
/// (type, subject, outcome, direction)
const ENGAGEMENTS: &[(&str, &str, &str, &str)] = &[
    ("call", "Quarterly check-in call", "positive", "outbound"),
    (
        "call",
        "Support escalation follow-up",
        "action_required",
        "inbound",
    ),
    ("email", "Sent renewal proposal", "neutral", "outbound"),
    ("email", "Asked about SSO pricing", "positive", "inbound"),
    (
        "meeting",
        "Quarterly business review",
        "positive",
        "outbound",
    ),
    (
        "meeting",
        "Budget review with finance",
        "negative",
        "outbound",
    ),
    (
        "demo",
        "Demo of the new reporting module",
        "positive",
        "outbound",
    ),
    (
        "training",
        "Admin onboarding session",
        "positive",
        "outbound",
    ),
    (
        "note",
        "Champion is moving to a new role",
        "negative",
        "outbound",
    ),
    (
        "note",
        "Expansion opportunity in the EU team",
        "positive",
        "outbound",
    ),
];
const TICKETS: &[&str] = &[
    "Cannot export invoices to CSV",
    "SSO login loops on Safari",
    "Webhook deliveries delayed",
    "Question about data retention",
];
/// (title, metric, target, unit)
const GOALS: &[(&str, &str, f64, &str)] = &[
    ("Roll out to every regional team", "adoption", 100.0, "%"),
    ("Grow active seats", "seats", 250.0, "seats"),
    ("Raise NPS above 50", "nps", 50.0, "points"),
    ("Cut open tickets", "tickets", 0.0, "tickets"),
    ("Train all admins", "training", 12.0, "admins"),
];

#[derive(FromQueryResult)]
struct Customer {
    id: Uuid,
    kind: String,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    domain: Option<String>,
    country: Option<String>,
    currency: String,
    mrr_minor: i64,
    status: String,
    customer_since: NaiveDate,
}

/// Rows of one table waiting to be inserted.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Value>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows {
            table,
            columns,
            rows: Vec::new(),
        }
    }
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

impl Store {
    /// The organisation's tier catalogue (the names the generated customers carry).
    pub async fn seed_tiers(&self, org: OrganizationId, currency: &str) -> Result<(), StoreError> {
        let now = crate::now();
        let rows = TIERS
            .iter()
            .map(|(name, level, bp, colour, min, benefits)| {
                vec![
                    Uuid::now_v7().into(),
                    org.as_uuid().into(),
                    (*name).into(),
                    tenure_domain::search::fold(name).into(),
                    (*level).into(),
                    (*bp).into(),
                    json(serde_json::json!(benefits)),
                    (if *min > 0 { Some(min * 100) } else { None }).into(),
                    currency.into(),
                    (*colour).into(),
                    now.into(),
                    now.into(),
                ]
            })
            .collect();
        insert_many(
            &self.db,
            "tiers",
            &[
                "id",
                "organization_id",
                "name",
                "name_key",
                "level",
                "discount_bp",
                "benefits",
                "min_annual_spend_minor",
                "currency",
                "colour",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        .await?;
        Ok(())
    }

    /// Fills every customer page of `org` with realistic records (see the module doc).
    pub async fn seed_customer_records(
        &self,
        org: OrganizationId,
        seed: u64,
    ) -> Result<(), StoreError> {
        let backend = self.db.get_database_backend();
        let customers = Customer::find_by_statement(stmt(
            backend,
            "SELECT id, kind, first_name, last_name, email, domain, country, currency, mrr_minor, status, customer_since FROM customers WHERE organization_id = ? AND deleted_at IS NULL ORDER BY customer_code",
            vec![org.as_uuid().into()],
        ))
        .all(&self.db)
        .await?;
        let mut rng = StdRng::seed_from_u64(seed);
        let now = crate::now();
        let mut contacts = Rows::new(
            "contacts",
            &[
                "id",
                "organization_id",
                "customer_id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "title",
                "department",
                "role",
                "is_primary",
                "is_influencer",
                "portal_access",
                "preferred_channel",
                "receives_order_updates",
                "receives_marketing",
                "last_contacted_at",
                "created_at",
                "updated_at",
            ],
        );
        let mut addresses = Rows::new(
            "addresses",
            &[
                "id",
                "organization_id",
                "customer_id",
                "kind",
                "label",
                "line1",
                "city",
                "region",
                "postal_code",
                "country",
                "is_primary",
                "created_at",
                "updated_at",
            ],
        );
        let mut activities = Rows::new(
            "activities",
            &[
                "id",
                "organization_id",
                "customer_id",
                "activity_type",
                "subject",
                "direction",
                "outcome",
                "occurred_at",
                "completed_at",
                "duration_minutes",
                "attendees",
                "amount_minor",
                "currency",
                "related_type",
                "related_ref",
                "metadata",
                "actor_label",
                "created_at",
                "updated_at",
            ],
        );
        let mut goals = Rows::new(
            "goals",
            &[
                "id",
                "organization_id",
                "customer_id",
                "title",
                "metric",
                "current_value",
                "target_value",
                "unit",
                "period",
                "status",
                "target_date",
                "created_at",
                "updated_at",
            ],
        );
        let mut goal_updates = Rows::new(
            "goal_updates",
            &[
                "id",
                "organization_id",
                "goal_id",
                "value",
                "status",
                "note",
                "actor_label",
                "created_at",
            ],
        );
        let mut ledger = Rows::new(
            "ledger_entries",
            &[
                "id",
                "organization_id",
                "customer_id",
                "kind",
                "amount_minor",
                "currency",
                "reason",
                "order_reference",
                "actor_label",
                "created_at",
            ],
        );
        let mut flags = Rows::new(
            "customer_flags",
            &[
                "id",
                "organization_id",
                "customer_id",
                "flag",
                "reason",
                "created_by_label",
                "created_at",
            ],
        );
        let o = org.as_uuid();
        for (n, c) in customers.iter().enumerate() {
            let days_known = (now.date_naive() - c.customer_since).num_days().max(1);
            let ago = |rng: &mut StdRng, max_days: i64| -> DateTime<Utc> {
                now - Duration::minutes(
                    rng.random_range(60..(max_days.clamp(1, days_known) * 1440).max(61)),
                )
            };
            // Contacts.
            let domain = c.domain.clone().unwrap_or_else(|| "example.com".to_owned());
            let people = if c.kind == "person" {
                1
            } else {
                rng.random_range(1..=4)
            };
            for i in 0..people {
                let (first, last) = if c.kind == "person" {
                    (
                        c.first_name
                            .clone()
                            .unwrap_or_else(|| pick(&mut rng, FIRST).to_owned()),
                        c.last_name
                            .clone()
                            .unwrap_or_else(|| pick(&mut rng, LAST).to_owned()),
                    )
                } else {
                    (
                        pick(&mut rng, FIRST).to_owned(),
                        pick(&mut rng, LAST).to_owned(),
                    )
                };
                // A person is their own contact, at their own address; a company's people are
                // at its domain. Namesakes at one made-up mailbox would all look like one
                // person to duplicate matching (they chained 600 demo customers into a cluster).
                let email = match (&c.email, c.kind == "person") {
                    (Some(own), true) => own.clone(),
                    _ => format!(
                        "{}.{}{}@{domain}",
                        tenure_domain::search::fold(&first).replace(' ', ""),
                        tenure_domain::search::fold(&last).replace([' ', '-'], ""),
                        if i > 0 { i.to_string() } else { String::new() }
                    ),
                };
                let (title, department) = pick(&mut rng, TITLES);
                let role = match i {
                    0 => "decision_maker",
                    1 => "billing",
                    2 => "technical",
                    _ => "contact",
                };
                contacts.rows.push(vec![
                    Uuid::now_v7().into(),
                    o.into(),
                    c.id.into(),
                    first.into(),
                    last.into(),
                    email.into(),
                    // One number per contact (up to four per customer), above the 2,000 the
                    // customers' own numbers take: random ones collided by the hundred, and a
                    // shared phone reads as the same customer.
                    format!("+1415555{:04}", 2_001 + (n * 4 + i) % 7_999).into(),
                    title.into(),
                    department.into(),
                    role.into(),
                    (i == 0).into(),
                    rng.random_ratio(1, 4).into(),
                    (i == 0 || rng.random_ratio(1, 3)).into(),
                    pick(&mut rng, &["email", "phone", "email", "in_person"]).into(),
                    (role == "billing" || i == 0).into(),
                    rng.random_ratio(1, 2).into(),
                    Some(ago(&mut rng, 60)).into(),
                    now.into(),
                    now.into(),
                ]);
            }
            // Addresses: billing always, shipping for some.
            let place = PLACES
                .iter()
                .find(|p| Some(p.0) == c.country.as_deref())
                .copied()
                .unwrap_or(PLACES[0]);
            // Each customer at its own number: one address for a whole country made every
            // pair of its customers agree on it, which duplicate matching counts as evidence.
            let line = place.4.replace('#', &(1 + (n * 37) % 2000).to_string());
            for (kind, label) in [("billing", "Head office"), ("shipping", "Warehouse")] {
                if kind == "shipping" && !rng.random_ratio(2, 5) {
                    continue;
                }
                addresses.rows.push(vec![
                    Uuid::now_v7().into(),
                    o.into(),
                    c.id.into(),
                    kind.into(),
                    label.into(),
                    line.clone().into(),
                    place.1.into(),
                    place.2.into(),
                    place.3.into(),
                    place.0.into(),
                    true.into(),
                    now.into(),
                    now.into(),
                ]);
            }
            let mut activity = |rng: &mut StdRng,
                                kind: &str,
                                subject: String,
                                direction: Option<&str>,
                                outcome: Option<&str>,
                                at: DateTime<Utc>,
                                open: bool,
                                amount: Option<i64>,
                                related: Option<String>| {
                activities.rows.push(vec![
                    Uuid::now_v7().into(),
                    o.into(),
                    c.id.into(),
                    kind.into(),
                    subject.into(),
                    direction.map(str::to_owned).into(),
                    outcome.map(str::to_owned).into(),
                    at.into(),
                    (if open { None } else { Some(at) }).into(),
                    (if matches!(kind, "call" | "meeting" | "demo" | "training") {
                        Some(rng.random_range(15..=90))
                    } else {
                        None::<i32>
                    })
                    .into(),
                    json(serde_json::json!([])),
                    amount.into(),
                    amount.map(|_| c.currency.clone()).into(),
                    related.as_ref().map(|_| kind.to_owned()).into(),
                    related.into(),
                    json(serde_json::json!({})),
                    "seed".into(),
                    at.into(),
                    at.into(),
                ]);
            };
            // A year of monthly payments, growing towards today's MRR: the MRR chart.
            if c.mrr_minor > 0 && c.status != "lead" {
                let months = (days_known / 30).clamp(1, 12);
                for m in 0..months {
                    // One payment per calendar month, on the same day of the month as today.
                    let at = now
                        .checked_sub_months(chrono::Months::new(u32::try_from(m).unwrap_or(0)))
                        .unwrap_or(now)
                        - Duration::hours(6);
                    let amount = c.mrr_minor * (100 - 3 * m) / 100;
                    activity(
                        &mut rng,
                        "payment",
                        format!("Payment received for {}", at.format("%B %Y")),
                        Some("inbound"),
                        Some("positive"),
                        at,
                        false,
                        Some(amount),
                        Some(format!("INV-{}{:02}", at.format("%Y%m"), n % 100)),
                    );
                }
            }
            for _ in 0..rng.random_range(4..=10) {
                let (kind, subject, outcome, direction) = pick(&mut rng, ENGAGEMENTS);
                let at = ago(&mut rng, 200);
                activity(
                    &mut rng,
                    kind,
                    subject.to_owned(),
                    Some(direction),
                    Some(outcome),
                    at,
                    false,
                    None,
                    None,
                );
            }
            for t in 0..rng.random_range(0..=3) {
                let at = ago(&mut rng, 90);
                let open = t == 0 && rng.random_ratio(1, 2);
                let subject = pick(&mut rng, TICKETS).to_owned();
                let reference = format!("TCK-{}", rng.random_range(1000..9999));
                activity(
                    &mut rng,
                    "ticket",
                    subject,
                    Some("inbound"),
                    Some(if open { "action_required" } else { "positive" }),
                    at,
                    open,
                    None,
                    Some(reference),
                );
            }
            if c.mrr_minor > 0 && rng.random_ratio(1, 3) {
                let at = ago(&mut rng, 20);
                let reference = format!("SO-{}", rng.random_range(10_000..99_999));
                activity(
                    &mut rng,
                    "order",
                    "Order for additional seats".to_owned(),
                    Some("inbound"),
                    Some("neutral"),
                    at,
                    true,
                    Some(c.mrr_minor * 3),
                    Some(reference),
                );
            }
            // Goals with a little history.
            if matches!(c.status.as_str(), "active" | "onboarding" | "at_risk") {
                for g in 0..rng.random_range(1..=2) {
                    let (title, metric, target, unit) = GOALS[(n + g) % GOALS.len()];
                    let id = Uuid::now_v7();
                    let mut value = if target == 0.0 { 12.0 } else { target * 0.2 };
                    let status = if c.status == "at_risk" {
                        "at_risk"
                    } else {
                        "on_track"
                    };
                    for step in 0..3 {
                        let at = now - Duration::days(60 - 25 * step);
                        goal_updates.rows.push(vec![
                            Uuid::now_v7().into(),
                            o.into(),
                            id.into(),
                            value.into(),
                            status.into(),
                            (if step == 0 {
                                Some("Goal set at kickoff")
                            } else {
                                None
                            })
                            .into(),
                            "seed".into(),
                            at.into(),
                        ]);
                        if step < 2 {
                            value = if target == 0.0 {
                                value / 2.0
                            } else {
                                (value + target * 0.25).min(target)
                            };
                        }
                    }
                    goals.rows.push(vec![
                        id.into(),
                        o.into(),
                        c.id.into(),
                        title.into(),
                        metric.into(),
                        value.round().into(),
                        target.into(),
                        unit.into(),
                        "FY2027".into(),
                        status.into(),
                        Some(now.date_naive() + Duration::days(120)).into(),
                        (now - Duration::days(60)).into(),
                        now.into(),
                    ]);
                }
            }
            // Credits and refunds for some.
            if c.mrr_minor > 0 && rng.random_ratio(1, 6) {
                ledger.rows.push(vec![
                    Uuid::now_v7().into(),
                    o.into(),
                    c.id.into(),
                    "credit".into(),
                    (c.mrr_minor / 10).max(100).into(),
                    c.currency.clone().into(),
                    "Service credit for the March outage".into(),
                    None::<String>.into(),
                    "seed".into(),
                    ago(&mut rng, 120).into(),
                ]);
                if rng.random_ratio(1, 3) {
                    ledger.rows.push(vec![
                        Uuid::now_v7().into(),
                        o.into(),
                        c.id.into(),
                        "refund".into(),
                        (c.mrr_minor / 4).max(100).into(),
                        c.currency.clone().into(),
                        "Duplicate charge refunded".into(),
                        Some(format!("SO-{}", rng.random_range(10_000..99_999))).into(),
                        "seed".into(),
                        ago(&mut rng, 60).into(),
                    ]);
                }
            }
            if rng.random_ratio(1, 30) {
                let (flag, reason) = pick(
                    &mut rng,
                    &[
                        ("payment_plan", "Agreed a three-month payment plan"),
                        ("legal_hold", "Contract under legal review"),
                        ("do_not_contact", "Asked for no marketing calls until Q2"),
                    ],
                );
                flags.rows.push(vec![
                    Uuid::now_v7().into(),
                    o.into(),
                    c.id.into(),
                    flag.into(),
                    reason.into(),
                    "seed".into(),
                    ago(&mut rng, 30).into(),
                ]);
            }
        }
        let txn = self.begin_write().await?;
        let mut total = 0;
        for rows in [
            contacts,
            addresses,
            activities,
            goals,
            goal_updates,
            ledger,
            flags,
        ] {
            total += rows.rows.len();
            insert_many(&txn, rows.table, rows.columns, rows.rows).await?;
        }
        // `last_activity_at` follows the newest engagement, as if each had been logged.
        txn.execute_raw(stmt(
            backend,
            "UPDATE customers SET last_activity_at = (SELECT MAX(a.occurred_at) FROM activities a \
             WHERE a.organization_id = customers.organization_id AND a.customer_id = customers.id \
             AND a.activity_type IN ('note', 'email', 'call', 'meeting', 'demo', 'training', 'task')) \
             WHERE organization_id = ?",
            vec![o.into()],
        ))
        .await?;
        // A few three-level families: a parent with three subsidiaries, one with its own child.
        let companies: Vec<Uuid> = customers
            .iter()
            .filter(|c| c.kind == "company" && c.status != "churned")
            .map(|c| c.id)
            .collect();
        for family in companies.chunks(40).take(25) {
            if family.len() < 5 {
                break;
            }
            for (child, parent) in [
                (family[1], family[0]),
                (family[2], family[0]),
                (family[3], family[0]),
                (family[4], family[1]),
            ] {
                txn.execute_raw(stmt(
                    backend,
                    "UPDATE customers SET parent_id = ? WHERE id = ? AND organization_id = ?",
                    vec![parent.into(), child.into(), o.into()],
                ))
                .await?;
            }
        }
        audit::record(
            &txn,
            org,
            &Actor::system("seed"),
            "customer_records.seeded",
            "organization",
            Some(o),
            serde_json::json!({ "rows": total, "seed": seed }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The demo's custom field definitions.
    pub async fn seed_custom_fields(&self, org: OrganizationId) -> Result<(), StoreError> {
        let now = crate::now();
        let rows = [
            (
                "renewal_date",
                "Renewal date",
                "date",
                serde_json::json!([]),
            ),
            (
                "segment",
                "Segment",
                "select",
                serde_json::json!(["SMB", "Mid-market", "Enterprise"]),
            ),
            ("seats", "Licensed seats", "number", serde_json::json!([])),
            ("sso_enabled", "SSO enabled", "bool", serde_json::json!([])),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (key, label, kind, options))| {
            vec![
                Uuid::now_v7().into(),
                org.as_uuid().into(),
                key.into(),
                label.into(),
                kind.into(),
                json(options),
                false.into(),
                i32::try_from(i).unwrap_or(0).into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
        insert_many(
            &self.db,
            "custom_field_definitions",
            &[
                "id",
                "organization_id",
                "field_key",
                "label",
                "field_type",
                "options",
                "required",
                "position",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        .await?;
        Ok(())
    }
}
