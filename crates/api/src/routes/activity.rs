//! The activity timeline of a customer (keyset-paged, filtered by type, outcome and date),
//! engagements people log, and the account actions recorded on it: send message and resend
//! invoice.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, SubsecRound, Utc};
use serde::Deserialize;
use tenure_api_types::{
    ActivityInput, ActivityList, ActivityView, Problem, ResendInvoiceInput, SendMessageInput,
};
use tenure_domain::activity::{
    ActivityType, Direction, MAX_ATTENDEES, MAX_DURATION_MINUTES, NewActivity, Outcome,
    SUBJECT_MAX_CHARS, subject,
};
use tenure_domain::customer::{LABEL_MAX_CHARS, NOTES_MAX_CHARS};
use tenure_domain::error::{FieldError, Validator, ValueError};
use tenure_domain::ids::{ActivityId, ContactId, CustomerId};
use tenure_domain::money::Money;
use tenure_domain::permission::Permission;
use tenure_domain::values::{BoundedText, CurrencyCode, Email, LongText};
use tenure_store::activity::{ActivityRecord, TimelineCursor, TimelineFilter};
use tenure_store::customer::CustomerRecord;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::convert::{money_text, parse_opt, parse_required, present};
use crate::error::ApiError;
use crate::routes::{created, if_match_version, ok, patch_input};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_activities)
        .service(create_activity)
        .service(get_activity)
        .service(patch_activity)
        .service(delete_activity)
        .service(restore_activity)
        .service(send_message)
        .service(resend_invoice);
}

pub fn activity_view(r: &ActivityRecord) -> ActivityView {
    ActivityView {
        id: r.id,
        customer_id: r.customer_id,
        system: !ActivityType::parse(&r.activity_type).is_ok_and(|t| t.is_engagement()),
        activity_type: r.activity_type.clone(),
        subject: r.subject.clone(),
        body: r.body.clone(),
        direction: r.direction.clone(),
        outcome: r.outcome.clone(),
        occurred_at: r.occurred_at,
        scheduled_at: r.scheduled_at,
        completed_at: r.completed_at,
        duration_minutes: r.duration_minutes.map(i64::from),
        attendees: serde_json::from_value(r.attendees.clone()).unwrap_or_default(),
        amount: r
            .amount_minor
            .map(|m| money_text(m, r.currency.as_deref().unwrap_or("USD"))),
        currency: r.currency.clone(),
        contact_id: r.contact_id,
        related_type: r.related_type.clone(),
        related_ref: r.related_ref.clone(),
        metadata: match &r.metadata {
            serde_json::Value::Object(map) => map.clone(),
            _ => serde_json::Map::new(),
        },
        actor_id: r.actor_user_id,
        actor_label: r.actor_label.clone(),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn activity_input(r: &ActivityRecord) -> ActivityInput {
    let view = activity_view(r);
    ActivityInput {
        activity_type: Some(view.activity_type),
        subject: Some(view.subject),
        body: view.body,
        direction: view.direction,
        outcome: view.outcome,
        occurred_at: Some(view.occurred_at),
        scheduled_at: view.scheduled_at,
        completed_at: view.completed_at,
        duration_minutes: view.duration_minutes,
        attendees: Some(view.attendees),
        amount: view.amount,
        currency: view.currency,
        contact_id: view.contact_id,
    }
}

/// An engagement from its input; system types are refused here (only the system writes them).
fn new_engagement(
    input: &ActivityInput,
    customer: &CustomerRecord,
    now: DateTime<Utc>,
) -> Result<NewActivity, ApiError> {
    let mut v = Validator::new();
    let activity_type = match present(&input.activity_type) {
        Some(raw) => v.check("type", ActivityType::parse(raw)),
        None => {
            v.push(
                "type",
                "required: note, email, call, meeting, demo, training or task",
            );
            None
        }
    };
    if activity_type.is_some_and(|t| !t.is_engagement()) {
        v.push(
            "type",
            "this type is written by the system only; log note, email, call, meeting, demo, training or task",
        );
    }
    let subject_text = parse_required(&mut v, "subject", &input.subject, "required", |s| {
        BoundedText::parse(s, SUBJECT_MAX_CHARS)
    });
    let body = parse_opt(&mut v, "body", &input.body, |s| {
        LongText::parse(s, NOTES_MAX_CHARS)
    });
    let direction = parse_opt(&mut v, "direction", &input.direction, Direction::parse);
    let outcome = parse_opt(&mut v, "outcome", &input.outcome, Outcome::parse);
    let duration_minutes = input.duration_minutes.and_then(|d| {
        v.check(
            "duration_minutes",
            u32::try_from(d)
                .ok()
                .filter(|d| *d <= MAX_DURATION_MINUTES)
                .ok_or_else(|| ValueError::new("must be between 0 and 1440 minutes")),
        )
    });
    let attendees: Vec<BoundedText> = input
        .attendees
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, a)| {
            v.check(
                &format!("attendees[{i}]"),
                BoundedText::parse(a, LABEL_MAX_CHARS * 2),
            )
        })
        .collect();
    if attendees.len() > MAX_ATTENDEES {
        v.push("attendees", format!("at most {MAX_ATTENDEES} attendees"));
    }
    let currency = match present(&input.currency) {
        Some(raw) => v.check("currency", CurrencyCode::parse(raw)),
        None => CurrencyCode::parse(&customer.currency).ok(),
    };
    let amount = match (present(&input.amount), currency) {
        (Some(raw), Some(currency)) => v
            .check("amount", Money::parse(raw, &currency))
            .map(|m| (m, currency)),
        _ => None,
    };
    let at = |t: Option<DateTime<Utc>>| t.map(|t| t.trunc_subsecs(6));
    let (scheduled_at, completed_at) = (at(input.scheduled_at), at(input.completed_at));
    let occurred_at = at(input.occurred_at)
        .or(completed_at)
        .or(scheduled_at)
        .unwrap_or(now);
    v.finish()?;
    let (Some(activity_type), Some(subject_text)) = (activity_type, subject_text) else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "type", "required",
        )]));
    };
    Ok(NewActivity {
        activity_type,
        subject: subject_text,
        body,
        direction,
        outcome,
        occurred_at,
        scheduled_at,
        completed_at,
        duration_minutes,
        attendees,
        amount,
        contact_id: input.contact_id.map(ContactId::from_uuid),
        related_type: None,
        related_ref: None,
        metadata: serde_json::Map::new(),
    })
}

/// A contact named by an activity must belong to the customer.
async fn check_contact(
    state: &AppState,
    user: &AuthUser,
    customer: CustomerId,
    contact: Option<ContactId>,
) -> Result<Option<tenure_store::contact::ContactRecord>, ApiError> {
    let Some(contact) = contact else {
        return Ok(None);
    };
    match state
        .store
        .contact(user.organization_id, customer, contact)
        .await
    {
        Ok(found) if found.deleted_at.is_none() => Ok(Some(found)),
        Ok(_) | Err(tenure_store::StoreError::NotFound) => {
            Err(ApiError::Validation(vec![FieldError::new(
                "contact_id",
                "no such contact of this customer",
            )]))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TimelineParams {
    /// Comma-separated types, e.g. `call,meeting`.
    #[serde(rename = "type", default)]
    activity_type: Option<String>,
    /// Comma-separated outcomes.
    #[serde(default)]
    outcome: Option<String>,
    /// Occurred at or after (RFC 3339).
    #[serde(default)]
    from: Option<DateTime<Utc>>,
    /// Occurred before (RFC 3339).
    #[serde(default)]
    to: Option<DateTime<Utc>>,
    /// 1..=200, default 50.
    #[serde(default)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    cursor: Option<String>,
}

/// The customer's timeline, newest first, keyset-paged.
#[utoipa::path(tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path), TimelineParams),
    responses((status = 200, body = ActivityList), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/activities")]
async fn list_activities(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    params: web::Query<TimelineParams>,
) -> Result<web::Json<ActivityList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let mut v = Validator::new();
    let list = |raw: &Option<String>| -> Vec<String> {
        raw.iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let types: Vec<ActivityType> = list(&params.activity_type)
        .iter()
        .filter_map(|t| v.check("type", ActivityType::parse(t)))
        .collect();
    let outcomes: Vec<String> = list(&params.outcome)
        .iter()
        .filter_map(|o| v.check("outcome", Outcome::parse(o)))
        .map(|o| o.as_str().to_owned())
        .collect();
    if let (Some(from), Some(to)) = (params.from, params.to)
        && from >= to
    {
        v.push("to", "must be after from");
    }
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        v.push("limit", "must be between 1 and 200");
    }
    v.finish()?;
    let cursor = params
        .cursor
        .as_deref()
        .map(TimelineCursor::decode)
        .transpose()?;
    let filter = TimelineFilter {
        types,
        outcomes,
        from: params.from,
        to: params.to,
    };
    let page = state
        .store
        .timeline(
            user.organization_id,
            CustomerId::from_uuid(*id),
            &filter,
            cursor.as_ref(),
            limit,
        )
        .await?;
    Ok(web::Json(ActivityList {
        items: page.items.iter().map(activity_view).collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
    }))
}

/// Log an engagement (note, email, call, meeting, demo, training, task). Moves the customer's
/// `last_activity_at` forward.
#[utoipa::path(tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ActivityInput,
    responses(
        (status = 201, body = ActivityView, headers(("ETag" = String), ("Location" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/activities")]
async fn create_activity(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<ActivityInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let customer_id = CustomerId::from_uuid(*id);
    let customer = state
        .store
        .customer(user.organization_id, customer_id, false)
        .await?;
    let new = new_engagement(&body, &customer, tenure_store::now())?;
    check_contact(&state, &user, customer_id, new.contact_id).await?;
    let record = state
        .store
        .create_activity(user.organization_id, customer_id, &new, &user.actor())
        .await?;
    Ok(created(
        format!("/api/v1/customers/{customer_id}/activities/{}", record.id),
        record.version,
        activity_view(&record),
    ))
}

#[utoipa::path(tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("activity_id" = Uuid, Path)),
    responses((status = 200, body = ActivityView, headers(("ETag" = String))), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/activities/{activity_id}")]
async fn get_activity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersRead)?;
    let (customer, activity) = path.into_inner();
    let record = state
        .store
        .activity(
            user.organization_id,
            CustomerId::from_uuid(customer),
            ActivityId::from_uuid(activity),
        )
        .await?;
    Ok(ok(record.version, activity_view(&record)))
}

/// Change an engagement with a JSON merge patch; system entries cannot be changed.
#[utoipa::path(tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("activity_id" = Uuid, Path)),
    request_body(content = Object, description = "Any subset of ActivityInput's fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = ActivityView, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[patch("/customers/{id}/activities/{activity_id}")]
async fn patch_activity(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer_id, activity) = path.into_inner();
    let (customer_id, activity) = (
        CustomerId::from_uuid(customer_id),
        ActivityId::from_uuid(activity),
    );
    let org = user.organization_id;
    let customer = state.store.customer(org, customer_id, false).await?;
    let current = state.store.activity(org, customer_id, activity).await?;
    let input = patch_input(&activity_input(&current), &body)?;
    let new = new_engagement(&input, &customer, current.occurred_at)?;
    check_contact(&state, &user, customer_id, new.contact_id).await?;
    let record = state
        .store
        .update_activity(
            org,
            customer_id,
            activity,
            if_match_version(&req)?,
            &new,
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, activity_view(&record)))
}

/// Delete an engagement; system entries stay.
#[utoipa::path(tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("activity_id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
#[delete("/customers/{id}/activities/{activity_id}")]
async fn delete_activity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, activity) = path.into_inner();
    state
        .store
        .delete_activity(
            user.organization_id,
            CustomerId::from_uuid(customer),
            ActivityId::from_uuid(activity),
            &user.actor(),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore a deleted engagement.
#[utoipa::path(tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("activity_id" = Uuid, Path)),
    responses((status = 200, body = ActivityView), (status = 404, description = "No deleted activity with this id", body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/activities/{activity_id}/restore")]
async fn restore_activity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, activity) = path.into_inner();
    let record = state
        .store
        .restore_activity(
            user.organization_id,
            CustomerId::from_uuid(customer),
            ActivityId::from_uuid(activity),
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, activity_view(&record)))
}

/// Writes a system line for an account action and returns it as `201`.
async fn record_action(
    state: &AppState,
    user: &AuthUser,
    customer: CustomerId,
    activity: NewActivity,
) -> Result<HttpResponse, ApiError> {
    let record = state
        .store
        .create_activity(user.organization_id, customer, &activity, &user.actor())
        .await?;
    Ok(created(
        format!("/api/v1/customers/{customer}/activities/{}", record.id),
        record.version,
        activity_view(&record),
    ))
}

/// Send a message to the customer (or one of its contacts). It is recorded on the timeline as an
/// outbound email (or SMS or portal message) with its recipient; delivery is handed to the
/// organisation's mail integration when one is configured.
#[utoipa::path(tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SendMessageInput,
    responses(
        (status = 201, body = ActivityView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/actions/send-message")]
async fn send_message(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<SendMessageInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let customer_id = CustomerId::from_uuid(*id);
    let customer = state
        .store
        .customer(user.organization_id, customer_id, false)
        .await?;
    let contact = check_contact(
        &state,
        &user,
        customer_id,
        body.contact_id.map(ContactId::from_uuid),
    )
    .await?;
    let mut v = Validator::new();
    let channel = present(&body.channel)
        .unwrap_or("email")
        .to_ascii_lowercase();
    if !["email", "sms", "portal"].contains(&channel.as_str()) {
        v.push("channel", "channel must be one of: email, sms, portal");
    }
    let subject_text = parse_required(&mut v, "subject", &body.subject, "required", |s| {
        BoundedText::parse(s, SUBJECT_MAX_CHARS)
    });
    let text = parse_required(&mut v, "body", &body.body, "required", |s| {
        LongText::parse(s, NOTES_MAX_CHARS)
    });
    let to = match present(&body.to) {
        Some(raw) if channel == "email" => v
            .check("to", Email::parse(raw))
            .map(|e| e.as_str().to_owned()),
        Some(raw) => Some(raw.to_owned()),
        None => match channel.as_str() {
            "email" => contact
                .as_ref()
                .and_then(|c| c.email.clone())
                .or(customer.email.clone()),
            "sms" => contact
                .as_ref()
                .and_then(|c| c.mobile.clone().or(c.phone.clone()))
                .or(customer.phone.clone()),
            _ => Some("customer portal".to_owned()),
        },
    };
    if to.is_none() {
        v.push(
            "to",
            "no address to send to: give `to`, or a contact with one",
        );
    }
    v.finish()?;
    let (Some(subject_text), Some(to)) = (subject_text, to) else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "subject", "required",
        )]));
    };
    let mut activity = NewActivity::system(ActivityType::Email, subject_text, tenure_store::now());
    activity.direction = Some(Direction::Outbound);
    activity.body = text;
    activity.contact_id = contact.map(|c| ContactId::from_uuid(c.id));
    activity.attendees = BoundedText::parse(&to, LABEL_MAX_CHARS * 2)
        .into_iter()
        .collect();
    activity
        .metadata
        .insert("channel".to_owned(), channel.into());
    activity.metadata.insert("to".to_owned(), to.into());
    activity
        .metadata
        .insert("action".to_owned(), "send_message".into());
    record_action(&state, &user, customer_id, activity).await
}

/// Resend an invoice to the billing contact (or `to`), recorded on the timeline.
#[utoipa::path(tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ResendInvoiceInput,
    responses(
        (status = 201, body = ActivityView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/actions/resend-invoice")]
async fn resend_invoice(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<ResendInvoiceInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let customer_id = CustomerId::from_uuid(*id);
    let org = user.organization_id;
    let customer = state.store.customer(org, customer_id, false).await?;
    let mut v = Validator::new();
    let reference = parse_required(
        &mut v,
        "invoice_reference",
        &body.invoice_reference,
        "required, e.g. INV-1042",
        |s| BoundedText::parse(s, LABEL_MAX_CHARS),
    );
    let note = parse_opt(&mut v, "note", &body.note, |s| {
        LongText::parse(s, NOTES_MAX_CHARS)
    });
    let to = match present(&body.to) {
        Some(raw) => v
            .check("to", Email::parse(raw))
            .map(|e| e.as_str().to_owned()),
        None => {
            let contacts = state.store.contacts(org, customer_id, false).await?;
            contacts
                .iter()
                .find(|c| c.role == "billing" && c.email.is_some())
                .or_else(|| contacts.iter().find(|c| c.is_primary && c.email.is_some()))
                .and_then(|c| c.email.clone())
                .or(customer.email.clone())
        }
    };
    if to.is_none() {
        v.push(
            "to",
            "no billing email: give `to`, or add a billing contact with an email",
        );
    }
    v.finish()?;
    let (Some(reference), Some(to)) = (reference, to) else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "invoice_reference",
            "required",
        )]));
    };
    let mut activity = NewActivity::system(
        ActivityType::Email,
        subject(&format!("Invoice {} resent to {to}", reference.as_str())),
        tenure_store::now(),
    );
    activity.direction = Some(Direction::Outbound);
    activity.body = note;
    activity.related_type = Some("invoice".to_owned());
    activity.related_ref = Some(reference.as_str().to_owned());
    activity.metadata.insert("to".to_owned(), to.into());
    activity
        .metadata
        .insert("action".to_owned(), "resend_invoice".into());
    record_action(&state, &user, customer_id, activity).await
}
