//! Duplicate detection in the database: each customer's blocking keys, kept current by every
//! write that changes what matching reads (the customer, its contacts, its addresses), and the
//! candidates for a record found through those keys and scored by the domain's matcher.
//!
//! What matching reads of a customer ([`match_inputs`]): kind, name, given and family names,
//! birth date, website, tax id and country; the emails and phones of the customer and of its
//! live contacts; the first line and postal code of its primary (else first) live address.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use tenure_domain::customer::CustomerKind;
use tenure_domain::duplicate::{MatchInput, MatchScore, Model, Profile, blocking, score};
use tenure_domain::ids::{CustomerId, OrganizationId};
use tenure_domain::values::CountryCode;
use uuid::Uuid;

use crate::sql::{insert_many, stmt};
use crate::{Store, StoreError};

pub mod fixture;
pub mod pairs;
pub mod scan;

/// Customers filed under one key beyond which the key is too common to be evidence of
/// anything ("gmail", a shared switchboard): the check ignores it, the scan caps the block.
pub const BLOCK_CAP: usize = 200;

/// Ids bound per statement (SQLite's limit on parameters is far above).
const ID_CHUNK: usize = 2_000;

/// One possible duplicate of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub customer_id: Uuid,
    pub customer_code: String,
    pub name: String,
    pub matched: MatchScore,
}

/// The matcher's input for each live customer of `ids`, keyed by id.
pub(crate) async fn match_inputs(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, MatchInput>, StoreError> {
    #[derive(FromQueryResult)]
    struct CustomerRow {
        id: Uuid,
        kind: String,
        name: String,
        first_name: Option<String>,
        last_name: Option<String>,
        birth_date: Option<chrono::NaiveDate>,
        email: Option<String>,
        phone: Option<String>,
        website: Option<String>,
        tax_id: Option<String>,
        country: Option<String>,
    }
    #[derive(FromQueryResult)]
    struct ContactRow {
        customer_id: Uuid,
        email: Option<String>,
        phone: Option<String>,
        mobile: Option<String>,
    }
    #[derive(FromQueryResult)]
    struct AddressRow {
        customer_id: Uuid,
        line1: String,
        postal_code: Option<String>,
    }
    let backend = db.get_database_backend();
    let mut inputs: HashMap<Uuid, MatchInput> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(ID_CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let values = || -> Vec<Value> {
            let mut v: Vec<Value> = vec![org.as_uuid().into()];
            v.extend(chunk.iter().map(|id| Value::from(*id)));
            v
        };
        let customers = CustomerRow::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT id, kind, name, first_name, last_name, birth_date, email, phone, website, tax_id, country \
                 FROM customers WHERE organization_id = ? AND id IN ({marks}) AND deleted_at IS NULL"
            ),
            values(),
        ))
        .all(db)
        .await?;
        for c in customers {
            let country = c
                .country
                .as_deref()
                .and_then(|c| CountryCode::parse(c).ok());
            inputs.insert(
                c.id,
                MatchInput {
                    kind: CustomerKind::parse(&c.kind).ok(),
                    name: Some(c.name),
                    first_name: c.first_name,
                    last_name: c.last_name,
                    birth_date: c.birth_date,
                    emails: c.email.into_iter().collect(),
                    phones: c.phone.into_iter().collect(),
                    website: c.website,
                    tax_id: c.tax_id,
                    country,
                    ..MatchInput::default()
                },
            );
        }
        let contacts = ContactRow::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT customer_id, email, phone, mobile FROM contacts \
                 WHERE organization_id = ? AND customer_id IN ({marks}) AND deleted_at IS NULL"
            ),
            values(),
        ))
        .all(db)
        .await?;
        for c in contacts {
            if let Some(input) = inputs.get_mut(&c.customer_id) {
                input.emails.extend(c.email);
                input.phones.extend(c.phone);
                input.phones.extend(c.mobile);
            }
        }
        let addresses = AddressRow::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT customer_id, line1, postal_code FROM addresses \
                 WHERE organization_id = ? AND customer_id IN ({marks}) AND deleted_at IS NULL \
                 ORDER BY customer_id, is_primary DESC, created_at, id"
            ),
            values(),
        ))
        .all(db)
        .await?;
        for a in addresses {
            if let Some(input) = inputs.get_mut(&a.customer_id)
                && input.address.is_none()
            {
                input.address = Some(a.line1);
                input.postal_code = a.postal_code;
            }
        }
    }
    Ok(inputs)
}

/// How many live customers bear each name (the `f:` [`blocking::frequency_key`]s): every name
/// borne by two or more, or with `keys` only those names. A name missing is borne by one.
pub(crate) async fn name_counts(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    keys: Option<&[String]>,
) -> Result<HashMap<String, u32>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        match_key: String,
        n: i64,
    }
    let mut values: Vec<Value> = vec![org.as_uuid().into()];
    let filter = match keys {
        None => "match_key LIKE 'f:%'".to_owned(),
        Some([]) => return Ok(HashMap::new()),
        Some(keys) => {
            values.extend(keys.iter().map(|k| Value::from(k.clone())));
            format!("match_key IN ({})", vec!["?"; keys.len()].join(", "))
        }
    };
    let rows = Row::find_by_statement(stmt(
        db.get_database_backend(),
        &format!(
            "SELECT match_key, COUNT(*) AS n FROM customer_match_keys \
             WHERE organization_id = ? AND {filter} GROUP BY match_key HAVING COUNT(*) > 1"
        ),
        values,
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.match_key, u32::try_from(r.n).unwrap_or(u32::MAX)))
        .collect())
}

/// Rewrites the blocking keys of `ids` from their current data, in the caller's transaction
/// (a deleted customer keeps none).
pub(crate) async fn refresh_match_keys(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    ids: &[Uuid],
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let inputs = match_inputs(db, org, ids).await?;
    let backend = db.get_database_backend();
    for chunk in ids.chunks(ID_CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values: Vec<Value> = vec![org.as_uuid().into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        db.execute_raw(stmt(
            backend,
            &format!(
                "DELETE FROM customer_match_keys WHERE organization_id = ? AND customer_id IN ({marks})"
            ),
            values,
        ))
        .await?;
    }
    let mut rows: Vec<Vec<Value>> = Vec::new();
    for id in ids {
        if let Some(input) = inputs.get(id) {
            for key in blocking::keys(&Profile::new(input)) {
                rows.push(vec![org.as_uuid().into(), key.into(), (*id).into()]);
            }
        }
    }
    insert_many(
        db,
        "customer_match_keys",
        &["organization_id", "match_key", "customer_id"],
        rows,
    )
    .await?;
    Ok(())
}

impl Store {
    /// Recomputes the keys of every customer of the organisation (after a bulk load that
    /// bypassed the write paths, such as seeding, or when the keys' definition changed), in
    /// transactions of a few thousand; then marks the organisation's keys current.
    pub async fn rebuild_match_keys(&self, org: OrganizationId) -> Result<u64, StoreError> {
        #[derive(FromQueryResult)]
        struct IdRow {
            id: Uuid,
        }
        let mut after = Uuid::nil();
        let mut total = 0u64;
        loop {
            let ids: Vec<Uuid> = IdRow::find_by_statement(stmt(
                self.db.get_database_backend(),
                "SELECT id FROM customers WHERE organization_id = ? AND id > ? ORDER BY id LIMIT 2000",
                vec![org.as_uuid().into(), after.into()],
            ))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
            let Some(last) = ids.last() else {
                self.db
                    .execute_raw(stmt(
                        self.db.get_database_backend(),
                        "UPDATE organizations SET match_keys_version = ? WHERE id = ?",
                        vec![blocking::VERSION.into(), org.as_uuid().into()],
                    ))
                    .await?;
                return Ok(total);
            };
            after = *last;
            let txn = self.begin_write().await?;
            refresh_match_keys(&txn, org, &ids).await?;
            txn.commit().await?;
            total += ids.len() as u64;
        }
    }

    /// Organisations whose keys were built by an older [`blocking::VERSION`].
    pub async fn stale_match_keys(&self) -> Result<Vec<OrganizationId>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            id: Uuid,
        }
        Ok(Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT id FROM organizations WHERE match_keys_version < ? ORDER BY id",
            vec![blocking::VERSION.into()],
        ))
        .all(&self.db)
        .await?
        .into_iter()
        .map(|r| OrganizationId::from_uuid(r.id))
        .collect())
    }

    /// Rebuilds the organisation's keys if an older definition built them; `true` if it did.
    pub async fn refresh_stale_match_keys(&self, org: OrganizationId) -> Result<bool, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            match_keys_version: i32,
        }
        let version = Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT match_keys_version FROM organizations WHERE id = ?",
            vec![org.as_uuid().into()],
        ))
        .one(&self.db)
        .await?
        .ok_or(StoreError::NotFound)?
        .match_keys_version;
        if version >= blocking::VERSION {
            return Ok(false);
        }
        self.rebuild_match_keys(org).await?;
        Ok(true)
    }

    /// Live customers that may be the same as `draft`: those sharing a blocking key with it
    /// (keys shared by more than [`BLOCK_CAP`] customers are ignored as too common), scored,
    /// best first, at least `min_score`, at most `limit`. `exclude` leaves out the record being
    /// edited.
    pub async fn duplicate_candidates(
        &self,
        org: OrganizationId,
        draft: &MatchInput,
        exclude: Option<CustomerId>,
        min_score: f64,
        limit: usize,
    ) -> Result<Vec<Candidate>, StoreError> {
        #[derive(FromQueryResult)]
        struct KeyRow {
            customer_id: Uuid,
        }
        let mut profile = Profile::new(draft);
        let backend = self.db.get_database_backend();
        let mut shared: HashMap<Uuid, usize> = HashMap::new();
        for key in blocking::keys(&profile) {
            let rows = KeyRow::find_by_statement(stmt(
                backend,
                "SELECT customer_id FROM customer_match_keys WHERE organization_id = ? AND match_key = ? LIMIT ?",
                vec![
                    org.as_uuid().into(),
                    key.into(),
                    i64::try_from(BLOCK_CAP + 1).unwrap_or(i64::MAX).into(),
                ],
            ))
            .all(&self.db)
            .await?;
            if rows.len() > BLOCK_CAP {
                continue;
            }
            for row in rows {
                *shared.entry(row.customer_id).or_default() += 1;
            }
        }
        if let Some(exclude) = exclude {
            shared.remove(&exclude.as_uuid());
        }
        // The records sharing the most keys are scored first; a draft rarely needs more.
        let mut ids: Vec<(Uuid, usize)> = shared.into_iter().collect();
        ids.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ids.truncate(4 * BLOCK_CAP);
        let ids: Vec<Uuid> = ids.into_iter().map(|(id, _)| id).collect();
        let inputs = match_inputs(&self.db, org, &ids).await?;
        let names = names_of(&self.db, org, &ids).await?;
        let mut profiles: HashMap<Uuid, Profile> = inputs
            .iter()
            .map(|(id, input)| (*id, Profile::new(input)))
            .collect();
        let mut keys: Vec<String> = profiles
            .values()
            .chain([&profile])
            .filter_map(blocking::frequency_key)
            .collect();
        keys.sort();
        keys.dedup();
        let counts = name_counts(&self.db, org, Some(&keys)).await?;
        // A new record being typed is one more bearer of its name.
        blocking::count_name(&mut profile, &counts);
        if exclude.is_none() && profile.name_count > 0 {
            profile.name_count += 1;
        }
        for p in profiles.values_mut() {
            blocking::count_name(p, &counts);
        }
        // A draft is incomplete by nature: what it lacks is not held against a candidate.
        let model = Model::for_draft();
        let mut candidates: Vec<Candidate> = ids
            .iter()
            .filter_map(|id| {
                let matched = score(&profile, profiles.get(id)?, &model);
                let (code, name) = names.get(id)?.clone();
                (matched.score >= min_score).then_some(Candidate {
                    customer_id: *id,
                    customer_code: code,
                    name,
                    matched,
                })
            })
            .collect();
        candidates.sort_by(|a, b| {
            b.matched
                .score
                .total_cmp(&a.matched.score)
                .then(a.customer_code.cmp(&b.customer_code))
        });
        candidates.truncate(limit);
        Ok(candidates)
    }
}

async fn names_of(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (String, String)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        customer_code: String,
        name: String,
    }
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(ID_CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values: Vec<Value> = vec![org.as_uuid().into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        let rows = Row::find_by_statement(stmt(
            db.get_database_backend(),
            &format!(
                "SELECT id, customer_code, name FROM customers WHERE organization_id = ? AND id IN ({marks})"
            ),
            values,
        ))
        .all(db)
        .await?;
        out.extend(rows.into_iter().map(|r| (r.id, (r.customer_code, r.name))));
    }
    Ok(out)
}

impl Store {
    /// The organisation's duplicate thresholds (the built-in defaults until an owner sets them).
    pub async fn duplicate_thresholds(
        &self,
        org: OrganizationId,
    ) -> Result<tenure_domain::duplicate::Thresholds, StoreError> {
        Ok(self
            .org_setting(org, crate::organization::OrgSetting::DuplicateThresholds)
            .await?
            .unwrap_or_default())
    }

    /// Replaces the organisation's duplicate thresholds, audited.
    pub async fn set_duplicate_thresholds(
        &self,
        org: OrganizationId,
        thresholds: &tenure_domain::duplicate::Thresholds,
        actor: &crate::Actor,
    ) -> Result<(), StoreError> {
        self.set_org_setting(
            org,
            crate::organization::OrgSetting::DuplicateThresholds,
            thresholds,
            actor,
        )
        .await
    }
}
