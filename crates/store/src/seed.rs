//! Demo and benchmark data: a generator of realistic customers (seeded RNG, so every run makes
//! the same names, plans and figures; ids and times are fresh) and a bulk loader (`COPY` in one
//! transaction on PostgreSQL, multi-row inserts in one transaction per batch on SQLite).
//!
//! Seeding bypasses per-row auditing on purpose: it is the system filling an empty tenant, and
//! one audit entry per seeding run records that it happened. It is also the one writer that does
//! not run in a single transaction (organisations, users and batches commit separately): a
//! seeding run that fails part-way leaves a partial tenant to delete, never a corrupt one.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Value};
use tenure_domain::ids::{CustomerId, OrganizationId, UserId};
use tenure_domain::permission::Role;
use tenure_domain::values::CustomerCode;

use crate::organization::Organization;
use crate::sql::stmt;
use crate::user::NewUser;
use crate::{Actor, Store, StoreError, audit};

const COMPANY_HEADS: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Wonka",
    "Aperture",
    "Black Mesa",
    "Gringotts",
    "Oceanic",
    "Massive",
    "Nakatomi",
    "Monarch",
    "Pied Piper",
    "Bluth",
    "Dunder",
    "Sterling",
    "Prestige",
    "Zorg",
    "Nordlicht",
    "Bäckerei Müller",
    "Café Lumière",
    "Søren & Co",
    "Ibérica",
    "Kōyō",
    "Zürich Data",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Proseware",
    "Adventure Works",
    "Lakeshore",
    "Redwood",
    "Summit",
    "Harbor",
    "Evergreen",
    "Blue Ridge",
    "Granite",
    "Copperline",
];
const COMPANY_TAILS: &[&str] = &[
    "Labs",
    "Systems",
    "Logistics",
    "Health",
    "Foods",
    "Analytics",
    "Partners",
    "Robotics",
    "Media",
    "Capital",
    "Software",
    "Energy",
    "Retail",
    "Studios",
    "Cloud",
    "Security",
    "Networks",
    "Bio",
];
const LEGAL: &[&str] = &[
    "Inc", "LLC", "Ltd", "GmbH", "SA", "BV", "Pty Ltd", "SARL", "AG", "Corp",
];
const FIRST: &[&str] = &[
    "Ava", "Liam", "Noah", "Emma", "Olivia", "José", "Zoë", "Björn", "Amélie", "Hiroshi", "Priya",
    "Mateo", "Chloé", "Lukas", "Sofía", "Ingrid", "Kwame", "Mei", "Omar", "Hannah", "Raphaël",
];
const LAST: &[&str] = &[
    "Smith",
    "García",
    "Müller",
    "Nguyen",
    "O'Brien",
    "Kowalski",
    "Dubois",
    "Rossi",
    "Tanaka",
    "Andersson",
    "Okafor",
    "Patel",
    "Fernández",
    "Schmidt",
    "Lefèvre",
    "Johansson",
    "Kim",
    "Silva",
];
const INDUSTRIES: &[&str] = &[
    "Software",
    "Manufacturing",
    "Healthcare",
    "Retail",
    "Financial services",
    "Logistics",
    "Education",
    "Media",
    "Energy",
    "Hospitality",
    "Construction",
    "Agriculture",
];
const SIZES: &[&str] = &[
    "1-10",
    "11-50",
    "51-200",
    "201-500",
    "501-1000",
    "1001-5000",
    "5001+",
];
/// (country, currency, phone prefix, share in percent). A prefix plus four digits is a valid
/// number of that country, so seeded records pass the same validation as typed ones.
const COUNTRIES: &[(&str, &str, &str, u32)] = &[
    ("US", "USD", "+1415555", 38),
    ("GB", "GBP", "+44207946", 12),
    ("DE", "EUR", "+493012", 10),
    ("FR", "EUR", "+3314200", 8),
    ("CA", "CAD", "+1416555", 7),
    ("AU", "AUD", "+6129000", 5),
    ("JP", "JPY", "+8131234", 4),
    ("NL", "EUR", "+3120123", 4),
    ("ES", "EUR", "+3491123", 4),
    ("SE", "SEK", "+468123", 3),
    ("BR", "BRL", "+55113000", 3),
    ("IN", "INR", "+91224000", 2),
];
/// (plan, tier, MRR range in major units)
const PLANS: &[(&str, &str, u32, u32)] = &[
    ("Starter", "Bronze", 49, 300),
    ("Growth", "Silver", 300, 1_500),
    ("Pro", "Gold", 1_500, 6_000),
    ("Enterprise", "Platinum", 6_000, 60_000),
];
/// (status, share in percent)
const STATUSES: &[(&str, u32)] = &[
    ("active", 52),
    ("onboarding", 8),
    ("lead", 10),
    ("at_risk", 11),
    ("suspended", 4),
    ("churned", 15),
];
const TAGS: &[&str] = &[
    "enterprise",
    "smb",
    "q4-renewal",
    "expansion",
    "champion-left",
    "beta",
    "integration:hubspot",
    "integration:salesforce",
    "vip-support",
    "onboarding-call",
    "reference",
    "price-sensitive",
];

/// One generated customer, ready for insertion.
#[derive(Debug, Clone)]
struct Generated {
    id: CustomerId,
    code: String,
    kind: &'static str,
    name: String,
    first_name: Option<String>,
    last_name: Option<String>,
    email: String,
    phone: String,
    website: Option<String>,
    domain: Option<String>,
    industry: &'static str,
    size: &'static str,
    status: &'static str,
    customer_type: &'static str,
    tier: &'static str,
    plan: &'static str,
    currency: &'static str,
    country: &'static str,
    mrr_minor: i64,
    ltv_minor: i64,
    payment_terms_days: i32,
    payment_status: &'static str,
    owner: Option<UserId>,
    health: i32,
    churn: i32,
    customer_since: NaiveDate,
    last_activity_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    tags: Vec<&'static str>,
    search_text: String,
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (item, weight) in items {
        if roll < *weight {
            return *item;
        }
        roll -= weight;
    }
    items[0].0
}

/// Generates customer number `n` (1-based) of a tenant; deterministic in `(seed, n)` order.
fn generate(rng: &mut StdRng, n: u64, now: DateTime<Utc>, owners: &[UserId]) -> Generated {
    let is_person = rng.random_ratio(1, 5);
    let country_idx = weighted(
        rng,
        &COUNTRIES
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.3))
            .collect::<Vec<_>>(),
    );
    let (country, currency, phone_prefix, _) = COUNTRIES[country_idx];
    let status = weighted(rng, STATUSES);
    let plan_idx = weighted(rng, &[(0usize, 40), (1, 32), (2, 20), (3, 8)]);
    let (plan, tier, mrr_lo, mrr_hi) = PLANS[plan_idx];
    let minor_factor: i64 = if currency == "JPY" { 1 } else { 100 };
    let yen = if currency == "JPY" { 150 } else { 1 };
    let mrr_major = i64::from(rng.random_range(mrr_lo..=mrr_hi)) * yen;
    let mrr_minor = if status == "lead" {
        0
    } else {
        mrr_major * minor_factor
    };
    let tenure_days = rng.random_range(1..(6 * 365));
    let customer_since = (now - Duration::days(tenure_days)).date_naive();
    let months = (tenure_days / 30).max(1);
    let ltv_minor = mrr_major * minor_factor * months * i64::from(rng.random_range(80..=100)) / 100;
    let (health_lo, health_hi) = match status {
        "active" => (62, 98),
        "onboarding" => (55, 90),
        "lead" => (40, 80),
        "at_risk" => (18, 52),
        "suspended" => (10, 45),
        _ => (3, 30),
    };
    let health = rng.random_range(health_lo..=health_hi);
    let churn = (100 - health + rng.random_range(-8..=8)).clamp(0, 100);
    let payment_status = match (status, rng.random_range(0..100)) {
        ("suspended", _) => "failed",
        ("at_risk", r) if r < 30 => "overdue",
        (_, r) if r < 5 => "pending",
        (_, r) if r < 11 => "overdue",
        (_, r) if r < 13 => "failed",
        _ => "current",
    };
    let (kind, name, first_name, last_name, email, website, domain) = if is_person {
        let first = pick(rng, FIRST);
        let last = pick(rng, LAST);
        let local = tenure_domain::search::fold(&format!("{first} {last}")).replace(' ', ".");
        (
            "person",
            format!("{first} {last}"),
            Some(first.to_owned()),
            Some(last.to_owned()),
            format!("{local}{n}@example.com"),
            None,
            None,
        )
    } else {
        let head = pick(rng, COMPANY_HEADS);
        let tail = pick(rng, COMPANY_TAILS);
        let legal = pick(rng, LEGAL);
        let slug = tenure_domain::search::fold(&format!("{head} {tail}")).replace(' ', "");
        let domain = format!("{slug}{n}.example");
        (
            "company",
            format!("{head} {tail} {legal}"),
            None,
            None,
            format!("hello@{domain}"),
            Some(format!("https://{domain}")),
            Some(domain),
        )
    };
    let phone = format!("{phone_prefix}{:04}", n % 10_000);
    let activity_days = match status {
        "churned" => rng.random_range(60..400),
        "lead" => rng.random_range(0..30),
        _ => rng.random_range(0..45),
    };
    let last_activity_at = (rng.random_range(0..10) > 0).then(|| {
        now - Duration::days(activity_days) - Duration::minutes(rng.random_range(0..1440))
    });
    let created_at = now - Duration::days(tenure_days) - Duration::hours(rng.random_range(0..24));
    let mut tags: Vec<&'static str> = (0..rng.random_range(0..=3))
        .map(|_| pick(rng, TAGS))
        .collect();
    tags.sort_unstable();
    tags.dedup();
    let code = CustomerCode::generated(n).as_str().to_owned();
    let search_text = tenure_domain::search::search_text(&[
        &code,
        &name,
        &email,
        domain.as_deref().unwrap_or_default(),
        &tenure_domain::search::digits(&phone),
    ]);
    Generated {
        id: CustomerId::new(),
        code,
        kind,
        name,
        first_name,
        last_name,
        email,
        phone,
        website,
        domain,
        industry: pick(rng, INDUSTRIES),
        size: pick(rng, SIZES),
        status,
        customer_type: if plan == "Enterprise" && rng.random_ratio(1, 3) {
            "vip"
        } else if rng.random_ratio(1, 25) {
            "partner"
        } else {
            "standard"
        },
        tier,
        plan,
        currency,
        country,
        mrr_minor,
        ltv_minor,
        payment_terms_days: pick(rng, &[14, 30, 30, 45, 60]),
        payment_status,
        owner: (!owners.is_empty()).then(|| pick(rng, owners)),
        health,
        churn,
        customer_since,
        last_activity_at,
        created_at,
        tags,
        search_text,
    }
}

/// Rows generated and sent per round trip.
const BATCH: u64 = 5_000;

/// Loads of at least this many rows (and at least the table's size) rebuild indexes after.
const REBUILD_AT: u64 = 50_000;

const BULK_COLUMNS: &[&str] = &[
    "id",
    "organization_id",
    "customer_code",
    "kind",
    "name",
    "name_sort",
    "first_name",
    "last_name",
    "email",
    "phone",
    "website",
    "domain",
    "industry",
    "company_size",
    "status",
    "customer_type",
    "tier",
    "plan",
    "currency",
    "mrr_minor",
    "ltv_minor",
    "payment_terms_days",
    "payment_status",
    "owner_id",
    "health_score",
    "churn_risk",
    "custom_fields",
    "settings",
    "portal_access",
    "country",
    "customer_since",
    "last_activity_at",
    "search_text",
    "version",
    "created_at",
    "updated_at",
];

impl Generated {
    fn values(&self, org: OrganizationId) -> Vec<Value> {
        vec![
            self.id.as_uuid().into(),
            org.as_uuid().into(),
            self.code.clone().into(),
            self.kind.into(),
            self.name.clone().into(),
            tenure_domain::search::fold(&self.name).into(),
            self.first_name.clone().into(),
            self.last_name.clone().into(),
            self.email.clone().into(),
            self.phone.clone().into(),
            self.website.clone().into(),
            self.domain.clone().into(),
            self.industry.into(),
            self.size.into(),
            self.status.into(),
            self.customer_type.into(),
            self.tier.into(),
            self.plan.into(),
            self.currency.into(),
            self.mrr_minor.into(),
            self.ltv_minor.into(),
            self.payment_terms_days.into(),
            self.payment_status.into(),
            self.owner.map(|o| o.as_uuid()).into(),
            self.health.into(),
            self.churn.into(),
            crate::sql::json(serde_json::json!({})),
            crate::sql::json(serde_json::json!({})),
            false.into(),
            self.country.into(),
            self.customer_since.into(),
            self.last_activity_at.into(),
            self.search_text.clone().into(),
            1i64.into(),
            self.created_at.into(),
            self.created_at.into(),
        ]
    }

    /// The same values as one PostgreSQL `COPY ... (FORMAT csv)` line.
    fn csv_line(&self, org: OrganizationId, out: &mut String) {
        use std::fmt::Write;
        fn q(out: &mut String, s: &str) {
            out.push('"');
            out.push_str(&s.replace('"', "\"\""));
            out.push('"');
        }
        fn opt(out: &mut String, s: Option<&str>) {
            if let Some(s) = s {
                q(out, s);
            }
        }
        let _ = write!(out, "{},{},", self.id.as_uuid(), org.as_uuid());
        q(out, &self.code);
        out.push(',');
        q(out, self.kind);
        out.push(',');
        q(out, &self.name);
        out.push(',');
        q(out, &tenure_domain::search::fold(&self.name));
        out.push(',');
        opt(out, self.first_name.as_deref());
        out.push(',');
        opt(out, self.last_name.as_deref());
        out.push(',');
        q(out, &self.email);
        out.push(',');
        q(out, &self.phone);
        out.push(',');
        opt(out, self.website.as_deref());
        out.push(',');
        opt(out, self.domain.as_deref());
        out.push(',');
        for s in [
            self.industry,
            self.size,
            self.status,
            self.customer_type,
            self.tier,
            self.plan,
            self.currency,
        ] {
            q(out, s);
            out.push(',');
        }
        let _ = write!(
            out,
            "{},{},{},",
            self.mrr_minor, self.ltv_minor, self.payment_terms_days
        );
        q(out, self.payment_status);
        out.push(',');
        if let Some(owner) = self.owner {
            let _ = write!(out, "{}", owner.as_uuid());
        }
        let _ = write!(
            out,
            ",{},{},\"{{}}\",\"{{}}\",false,",
            self.health, self.churn
        );
        q(out, self.country);
        let _ = write!(out, ",{},", self.customer_since);
        if let Some(at) = self.last_activity_at {
            let _ = write!(out, "{}", at.to_rfc3339());
        }
        out.push(',');
        q(out, &self.search_text);
        let _ = writeln!(
            out,
            ",1,{},{}",
            self.created_at.to_rfc3339(),
            self.created_at.to_rfc3339()
        );
    }
}

/// One batch as the loader wants it: rows for multi-row inserts, or `COPY` text (customers,
/// tags) made on the generator's thread.
enum Batch {
    Rows(Vec<Generated>),
    Csv((String, String)),
}

fn csv_batch(org: OrganizationId, rows: &[Generated]) -> (String, String) {
    let mut customers = String::with_capacity(rows.len() * 400);
    let mut tags = String::with_capacity(rows.len() * 60);
    for generated in rows {
        generated.csv_line(org, &mut customers);
        for tag in &generated.tags {
            tags.push_str(&format!(
                "{},{},\"{}\"\n",
                org.as_uuid(),
                generated.id.as_uuid(),
                tag
            ));
        }
    }
    (customers, tags)
}

/// The demo tenants and their people. Passwords are hashed by the caller (the API crate owns
/// argon2), so this module never sees a plain password.
pub struct DemoSpec<'a> {
    pub password_hash: &'a str,
    pub customers: u64,
}

/// What the demo seeding did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOutcome {
    pub created: bool,
    pub demo: Organization,
}

impl Store {
    /// Creates "Demo Co" (owner, staff and viewer users, `spec.customers` customers) and "Other
    /// Ltd" (one owner, a few hundred customers) unless "Demo Co" already exists.
    pub async fn seed_demo(&self, spec: &DemoSpec<'_>) -> Result<DemoOutcome, StoreError> {
        if let Some(existing) = self.organization_by_slug_or_name("demo-co").await? {
            return Ok(DemoOutcome {
                created: false,
                demo: existing,
            });
        }
        let demo = self
            .create_organization("Demo Co", Some("US"), "USD")
            .await?;
        let mut owners = Vec::new();
        for (email, name, role) in [
            ("owner@demo.example", "Olivia Owner", Role::Owner),
            ("staff@demo.example", "Sam Staff", Role::Staff),
            ("viewer@demo.example", "Vera Viewer", Role::Viewer),
        ] {
            let user = self
                .create_user(NewUser {
                    organization_id: demo.id,
                    email,
                    name,
                    role,
                    password_hash: spec.password_hash,
                })
                .await?;
            if role != Role::Viewer {
                owners.push(user.id);
            }
        }
        self.seed_tiers(demo.id, "USD").await?;
        self.seed_custom_fields(demo.id).await?;
        self.bulk_insert_customers(demo.id, spec.customers, 2026, &owners)
            .await?;
        self.seed_customer_records(demo.id, 2026).await?;
        // Bulk loads bypass the write paths that keep duplicate keys current.
        self.rebuild_match_keys(demo.id).await?;
        let other = self
            .create_organization("Other Ltd", Some("GB"), "GBP")
            .await?;
        let other_owner = self
            .create_user(NewUser {
                organization_id: other.id,
                email: "owner@other.example",
                name: "Oscar Other",
                role: Role::Owner,
                password_hash: spec.password_hash,
            })
            .await?;
        self.seed_tiers(other.id, "GBP").await?;
        self.bulk_insert_customers(other.id, 300, 7, &[other_owner.id])
            .await?;
        self.rebuild_match_keys(other.id).await?;
        Ok(DemoOutcome {
            created: true,
            demo,
        })
    }

    /// Live companies with a website, first by name: the demo's near-duplicates copy these.
    pub async fn demo_duplicate_sources(
        &self,
        org: OrganizationId,
        count: u64,
    ) -> Result<Vec<crate::customer::CustomerRecord>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            id: uuid::Uuid,
        }
        let rows = Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!("SELECT id FROM customers WHERE organization_id = ? AND kind = 'company' AND website IS NOT NULL AND deleted_at IS NULL ORDER BY name_sort, id LIMIT {count}"),
            vec![org.as_uuid().into()],
        ))
        .all(&self.db)
        .await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            records.push(
                self.customer(
                    org,
                    tenure_domain::ids::CustomerId::from_uuid(row.id),
                    false,
                )
                .await?,
            );
        }
        Ok(records)
    }

    /// PostgreSQL only, for the import benchmark: copies `from`'s customers (with new ids) to
    /// `to` by `COPY` through the server-side file `path`, timing only the load into the
    /// indexed table. Returns the rows loaded and the load's duration.
    pub async fn copy_customers_for_bench(
        &self,
        from: OrganizationId,
        to: OrganizationId,
        path: &str,
    ) -> Result<(u64, std::time::Duration), StoreError> {
        #[derive(FromQueryResult)]
        struct Column {
            column_name: String,
        }
        let columns: Vec<String> = Column::find_by_statement(stmt(
            DbBackend::Postgres,
            "SELECT column_name::text AS column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'customers' ORDER BY ordinal_position",
            vec![],
        ))
        .all(&self.db)
        .await?
        .into_iter()
        .map(|c| c.column_name)
        .collect();
        let select: Vec<String> = columns
            .iter()
            .map(|c| match c.as_str() {
                "id" => "gen_random_uuid()".to_owned(),
                "organization_id" => format!("'{to}'::uuid"),
                other => other.to_owned(),
            })
            .collect();
        let quoted = path.replace('\'', "''");
        self.db
            .execute_unprepared(&format!(
                "COPY (SELECT {} FROM customers WHERE organization_id = '{from}') TO '{quoted}' WITH (FORMAT csv)",
                select.join(", ")
            ))
            .await?;
        let started = std::time::Instant::now();
        let loaded = self
            .db
            .execute_unprepared(&format!(
                "COPY customers ({}) FROM '{quoted}' WITH (FORMAT csv)",
                columns.join(", ")
            ))
            .await?;
        Ok((loaded.rows_affected(), started.elapsed()))
    }

    /// Inserts `count` generated customers into `org` as fast as the backend allows, continuing
    /// the organisation's code sequence. Returns how many were inserted. Duplicate keys are not
    /// written (call [`Store::rebuild_match_keys`] when duplicate detection must see them).
    pub async fn bulk_insert_customers(
        &self,
        org: OrganizationId,
        count: u64,
        seed: u64,
        owners: &[UserId],
    ) -> Result<u64, StoreError> {
        let backend = self.db.get_database_backend();
        #[derive(FromQueryResult)]
        struct Seq {
            customer_seq: i64,
        }
        let start = Seq::find_by_statement(stmt(
            backend,
            "UPDATE organizations SET customer_seq = customer_seq + ? WHERE id = ? RETURNING customer_seq",
            vec![i64::try_from(count).unwrap_or(i64::MAX).into(), org.as_uuid().into()],
        ))
        .one(&self.db)
        .await?
        .ok_or(StoreError::NotFound)?
        .customer_seq
            - i64::try_from(count).unwrap_or(0);
        let first = u64::try_from(start).unwrap_or(0) + 1;
        // Generation runs on its own thread, a couple of batches ahead, so the database is never
        // waiting for the next rows.
        let (sender, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
        let owners = owners.to_vec();
        let as_csv = self.backend() == crate::Backend::Postgres;
        std::thread::spawn(move || {
            let mut rng = StdRng::seed_from_u64(seed ^ first);
            let now = crate::now();
            for done in (0..count).step_by(BATCH as usize) {
                let n = BATCH.min(count - done);
                let rows: Vec<Generated> = (0..n)
                    .map(|i| generate(&mut rng, first + done + i, now, &owners))
                    .collect();
                let batch = if as_csv {
                    Batch::Csv(csv_batch(org, &rows))
                } else {
                    Batch::Rows(rows)
                };
                if sender.blocking_send(batch).is_err() {
                    return; // the loader stopped (an error); nothing left to do
                }
            }
        });
        match self.backend() {
            crate::Backend::Postgres => self.copy_all(count, &mut batches).await?,
            crate::Backend::Sqlite => {
                while let Some(batch) = batches.recv().await {
                    if let Batch::Rows(rows) = batch {
                        self.insert_batch(org, &rows).await?;
                    }
                }
            }
        }
        audit::record(
            &self.db,
            org,
            &Actor::system("seed"),
            "customer.seeded",
            "organization",
            Some(org.as_uuid()),
            serde_json::json!({ "customers": count, "seed": seed }),
        )
        .await?;
        Ok(count)
    }

    /// Loads every batch with `COPY` in one PostgreSQL transaction. When the load is at least as
    /// large as the table already is, the secondary indexes are dropped first and rebuilt at the
    /// end (a sorted build beats a million incremental inserts), and so are the foreign keys
    /// (validated in one pass instead of once per row); DDL is transactional, so a
    /// failure leaves the table and its indexes as they were. This holds an exclusive lock on
    /// `customers` for the duration: it is an offline bulk path for seeding, not for imports.
    async fn copy_all(
        &self,
        count: u64,
        batches: &mut tokio::sync::mpsc::Receiver<Batch>,
    ) -> Result<(), StoreError> {
        use sea_orm::sqlx::{self, AssertSqlSafe, Connection};
        let to_db = |e: sqlx::Error| StoreError::Database(sea_orm::DbErr::Custom(e.to_string()));
        let started = std::time::Instant::now();
        let pool = self.db.get_postgres_connection_pool();
        let mut conn = pool.acquire().await.map_err(to_db)?;
        let mut tx = conn.begin().await.map_err(to_db)?;
        sqlx::raw_sql("SET LOCAL synchronous_commit = off; SET LOCAL maintenance_work_mem = '1GB'")
            .execute(&mut *tx)
            .await
            .map_err(to_db)?;
        let existing: i64 = sqlx::query_scalar(
            "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = 'customers'::regclass",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(to_db)?;
        let rebuild = count >= REBUILD_AT && i64::try_from(count).unwrap_or(i64::MAX) >= existing;
        let definitions: Vec<(String, String)> = if rebuild {
            sqlx::query_as(
                "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
                 AND tablename IN ('customers', 'customer_tags') \
                 AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid IN ('customers'::regclass, 'customer_tags'::regclass))",
            )
            .fetch_all(&mut *tx)
            .await
            .map_err(to_db)?
        } else {
            Vec::new()
        };
        // Foreign keys are checked row by row during COPY (one lookup per row and tag); re-adding
        // them afterwards validates the whole table in one join. Primary and unique keys are
        // rebuilt the same way, by a sort. Foreign keys come first (including other tables' keys
        // that point here): they depend on the others.
        let constraints: Vec<(String, String, String)> = if rebuild {
            sqlx::query_as(
                "SELECT conname::text, conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE (contype IN ('f', 'p', 'u') AND conrelid IN ('customers'::regclass, 'customer_tags'::regclass)) \
                    OR (contype = 'f' AND confrelid IN ('customers'::regclass, 'customer_tags'::regclass)) \
                 ORDER BY contype = 'f' DESC, conname",
            )
            .fetch_all(&mut *tx)
            .await
            .map_err(to_db)?
        } else {
            Vec::new()
        };
        for (name, table, _) in &constraints {
            sqlx::raw_sql(AssertSqlSafe(format!(
                "ALTER TABLE {table} DROP CONSTRAINT \"{name}\""
            )))
            .execute(&mut *tx)
            .await
            .map_err(to_db)?;
        }
        for (name, _) in &definitions {
            sqlx::raw_sql(AssertSqlSafe(format!("DROP INDEX \"{name}\"")))
                .execute(&mut *tx)
                .await
                .map_err(to_db)?;
        }
        let customers_copy = format!(
            "COPY customers ({}) FROM STDIN WITH (FORMAT csv)",
            BULK_COLUMNS.join(", ")
        );
        let mut copied = 0;
        while let Some(batch) = batches.recv().await {
            let Batch::Csv((customers, tags)) = batch else {
                continue;
            };
            let mut copy = tx.copy_in_raw(&customers_copy).await.map_err(to_db)?;
            copy.send(customers.into_bytes()).await.map_err(to_db)?;
            copied += copy.finish().await.map_err(to_db)?;
            let mut copy = tx
                .copy_in_raw("COPY customer_tags (organization_id, customer_id, tag) FROM STDIN WITH (FORMAT csv)")
                .await
                .map_err(to_db)?;
            copy.send(tags.into_bytes()).await.map_err(to_db)?;
            copy.finish().await.map_err(to_db)?;
        }
        if copied != count {
            // The generator stopped early; the transaction rolls back on drop.
            return Err(StoreError::Database(sea_orm::DbErr::Custom(format!(
                "bulk load copied {copied} of {count} rows"
            ))));
        }
        tracing::info!(
            rows = count,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "bulk copy done"
        );
        for (name, definition) in &definitions {
            sqlx::raw_sql(AssertSqlSafe(definition.clone()))
                .execute(&mut *tx)
                .await
                .map_err(to_db)?;
            tracing::info!(index = %name, elapsed_ms = started.elapsed().as_millis() as u64, "index rebuilt");
        }
        for (name, table, definition) in constraints.iter().rev() {
            sqlx::raw_sql(AssertSqlSafe(format!(
                "ALTER TABLE {table} ADD CONSTRAINT \"{name}\" {definition}"
            )))
            .execute(&mut *tx)
            .await
            .map_err(to_db)?;
        }
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "keys rebuilt and validated"
        );
        tx.commit().await.map_err(to_db)?;
        Ok(())
    }

    async fn insert_batch(
        &self,
        org: OrganizationId,
        batch: &[Generated],
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let backend = txn.get_database_backend();
        let row_marks = format!("({})", vec!["?"; BULK_COLUMNS.len()].join(", "));
        for chunk in batch.chunks(400) {
            let sql = format!(
                "INSERT INTO customers ({}) VALUES {}",
                BULK_COLUMNS.join(", "),
                vec![row_marks.as_str(); chunk.len()].join(", ")
            );
            let values: Vec<Value> = chunk.iter().flat_map(|g| g.values(org)).collect();
            txn.execute_raw(stmt(backend, &sql, values)).await?;
            let tag_values: Vec<Value> = chunk
                .iter()
                .flat_map(|g| {
                    g.tags.iter().flat_map(move |t| {
                        [org.as_uuid().into(), g.id.as_uuid().into(), Value::from(*t)]
                    })
                })
                .collect();
            if !tag_values.is_empty() {
                let sql = format!(
                    "INSERT INTO customer_tags (organization_id, customer_id, tag) VALUES {}",
                    vec!["(?, ?, ?)"; tag_values.len() / 3].join(", ")
                );
                txn.execute_raw(stmt(backend, &sql, tag_values)).await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenure_domain::values::{CountryCode, Email, PhoneNumber};

    #[test]
    fn generated_customers_pass_the_validation_a_typed_one_would() {
        let mut rng = StdRng::seed_from_u64(7);
        let now = crate::now();
        let mut bad = std::collections::BTreeSet::new();
        for n in 1..=2_000 {
            let g = generate(&mut rng, n, now, &[]);
            let region = CountryCode::parse(g.country).ok();
            if PhoneNumber::parse(&g.phone, region.as_ref()).is_err() {
                bad.insert(format!("{} {}", g.country, g.phone));
            }
            assert!(Email::parse(&g.email).is_ok(), "{}", g.email);
        }
        assert!(
            bad.is_empty(),
            "{} invalid, e.g. {:?}",
            bad.len(),
            bad.iter().take(12).collect::<Vec<_>>()
        );
    }
}
