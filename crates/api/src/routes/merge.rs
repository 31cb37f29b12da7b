//! Merging duplicate customers over HTTP: a preview of what a merge would do, the merge, its
//! history and undo, and the organisation's survivorship rules. The plan is worked out in
//! [`crate::merge`]; the store does each merge or undo in one transaction.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use tenure_api_types::{
    CustomerView, MergeCounts, MergeInput, MergeList, MergePreview, MergeRulesView, MergeView,
    MergedCustomerRef, Problem,
};
use tenure_domain::error::FieldError;
use tenure_domain::ids::CustomerId;
use tenure_domain::merge::{Rule, Rules};
use tenure_domain::permission::Permission;
use tenure_store::merge::{CustomerRef, MergeRecord};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::convert::customer_view;
use crate::error::ApiError;
use crate::merge::{known_field, plan, undo_values};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(preview_merge)
        .service(create_merge)
        .service(list_merges)
        .service(get_merge)
        .service(undo_merge)
        .service(get_rules)
        .service(put_rules);
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn counts(c: &tenure_store::merge::MergeCounts) -> MergeCounts {
    MergeCounts {
        contacts: c.contacts,
        addresses: c.addresses,
        activities: c.activities,
        goals: c.goals,
        ledger_entries: c.ledger_entries,
        flags: c.flags,
        children: c.children,
        duplicate_pairs: c.duplicate_pairs,
        left_behind: c.left_behind,
    }
}

fn reference(r: &CustomerRef) -> MergedCustomerRef {
    MergedCustomerRef {
        id: r.id,
        customer_code: r.customer_code.clone(),
        name: r.name.clone(),
    }
}

fn merge_view(m: &MergeRecord) -> MergeView {
    MergeView {
        id: m.id,
        survivor: reference(&m.survivor),
        merged: m.merged.iter().map(reference).collect(),
        fields: m.fields.clone(),
        moved: counts(&m.counts),
        status: m.status.clone(),
        created_by_label: m.created_by_label.clone(),
        created_at: m.created_at,
        undone_by_label: m.undone_by_label.clone(),
        undone_at: m.undone_at,
    }
}

/// What `POST /merges` with the same body would do now: every field's values side by side with
/// the one the survivor keeps (by the request's `fields`, else the organisation's rules), the
/// survivor as it would be, and how many related records would move. Nothing is written.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])),
    request_body = MergeInput,
    responses((status = 200, body = MergePreview),
        (status = 409, description = "A record is merged, deleted or changed (`merge_conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/merges/preview")]
async fn preview_merge(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<MergeInput>,
) -> Result<web::Json<MergePreview>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let org = state.store.organization(user.organization_id).await?;
    let planned = plan(&state.store, &org, &body, today()).await?;
    let outcome = state
        .store
        .merge_customers(org.id, &planned.plan, &user.actor(), true)
        .await?;
    let records: Vec<CustomerView> = planned
        .records
        .iter()
        .map(|r| customer_view(r, today()))
        .collect();
    Ok(web::Json(MergePreview {
        records,
        fields: planned.fields,
        result: customer_view(&outcome.survivor, today()),
        moves: counts(&outcome.merge.counts),
        tags: planned.tags,
    }))
}

/// Merges 1 to 9 customers into a survivor in one transaction. The survivor keeps, field by
/// field, the value of the record `fields` names, or the organisation's survivorship rule's
/// pick; tags are united. Contacts (primary reconciled), addresses, activities, goals, ledger
/// entries, flags, children in the hierarchy and open duplicate pairs move to the survivor; a
/// `merge` entry goes on its timeline and the audit log. The merged records are soft-deleted
/// with `merged_into`. Two merges of overlapping records: one wins, the other is a 409
/// `merge_conflict` naming each record that changed.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])),
    request_body = MergeInput,
    responses((status = 201, body = MergeView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A record is merged, deleted or changed (`merge_conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/merges")]
async fn create_merge(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<MergeInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let org = state.store.organization(user.organization_id).await?;
    let planned = plan(&state.store, &org, &body, today()).await?;
    let outcome = state
        .store
        .merge_customers(org.id, &planned.plan, &user.actor(), false)
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/merges/{}", outcome.merge.id),
        ))
        .json(merge_view(&outcome.merge)))
}

/// Query of merge history.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MergeParams {
    /// Only merges into this survivor.
    customer: Option<Uuid>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<u64>,
}

/// Merge history, newest first: who merged what into which survivor, the field choices, what
/// moved, and whether it was undone.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])), params(MergeParams),
    responses((status = 200, body = MergeList),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/merges")]
async fn list_merges(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<MergeParams>,
) -> Result<web::Json<MergeList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "limit",
            "must be 1 to 200",
        )]));
    }
    let page = state
        .store
        .merges(
            user.organization_id,
            params.customer.map(CustomerId::from_uuid),
            params.cursor.as_deref(),
            limit,
        )
        .await?;
    Ok(web::Json(MergeList {
        items: page.items.iter().map(merge_view).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One merge.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MergeView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/merges/{id}")]
async fn get_merge(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<MergeView>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let merge = state.store.merge(user.organization_id, *id).await?;
    Ok(web::Json(merge_view(&merge)))
}

/// Undoes a merge: the merged records come back, every moved record returns to where it was,
/// and the survivor's fields the merge set go back to their old values; edits to its other
/// fields and records added to it since stay. When something was changed since in a way undo
/// would lose (a field the merge set, a moved contact deleted or moved on, a merged record
/// restored), nothing is changed and a 409 `undo_conflict` names each one. Undoing twice is a
/// 409 `conflict`.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MergeView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since (`undo_conflict`) or already undone (`conflict`)", body = Problem, content_type = "application/problem+json")))]
#[post("/merges/{id}/undo")]
async fn undo_merge(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<MergeView>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let org = state.store.organization(user.organization_id).await?;
    let merge = state.store.merge(org.id, *id).await?;
    match merge.status.as_str() {
        "undone" => return Err(ApiError::Conflict("merge_undone".to_owned())),
        "erased" => {
            return Err(ApiError::Refused {
                code: "undo_conflict",
                reasons: vec![FieldError::new("merge", tenure_store::merge::ERASED_MERGE)],
            });
        }
        _ => {}
    }
    let (version, restored) = undo_values(&state.store, &org, *id, today()).await?;
    let merge = state
        .store
        .undo_merge(org.id, *id, version, &restored, &user.actor())
        .await?;
    Ok(web::Json(merge_view(&merge)))
}

fn rules_view(rules: &Rules) -> MergeRulesView {
    MergeRulesView {
        default: rules.default.as_str().to_owned(),
        fields: rules
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().to_owned()))
            .collect(),
        trusted_sources: rules.trusted_sources.clone(),
    }
}

/// The organisation's survivorship rules (the built-in defaults until an owner sets them).
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = MergeRulesView)))]
#[get("/merge-rules")]
async fn get_rules(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<MergeRulesView>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let rules = state
        .store
        .merge_rules(user.organization_id)
        .await?
        .unwrap_or_default();
    Ok(web::Json(rules_view(&rules)))
}

/// Replaces the survivorship rules merges use for fields the person merging does not choose.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    request_body = MergeRulesView,
    responses((status = 200, body = MergeRulesView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[put("/merge-rules")]
async fn put_rules(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<MergeRulesView>,
) -> Result<web::Json<MergeRulesView>, ApiError> {
    user.require(Permission::SettingsWrite)?;
    let mut errors = Vec::new();
    let default = Rule::parse(&body.default)
        .map_err(|e| errors.push(FieldError::new("default", e.message)))
        .ok();
    let mut fields = BTreeMap::new();
    for (field, rule) in &body.fields {
        match Rule::parse(rule) {
            Ok(rule) => {
                fields.insert(field.clone(), rule);
            }
            Err(e) => errors.push(FieldError::new(format!("fields.{field}"), e.message)),
        }
    }
    let rules = Rules {
        default: default.unwrap_or(Rule::NonEmpty),
        fields,
        trusted_sources: body
            .trusted_sources
            .iter()
            .map(|s| s.trim().to_owned())
            .collect(),
    };
    if let Err(mut more) = rules.check(known_field) {
        errors.append(&mut more);
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    state
        .store
        .set_merge_rules(user.organization_id, &rules, &user.actor())
        .await?;
    Ok(web::Json(rules_view(&rules)))
}
