//! Contacts and addresses of a customer: list, create, read, merge-patch (with optional
//! `If-Match`), soft delete and restore. `PATCH {"is_primary": true}` switches the primary in one
//! call.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use tenure_api_types::{
    AddressInput, AddressList, AddressView, ContactInput, ContactList, ContactView, Problem,
};
use tenure_domain::contact::{
    ADDRESS_LINE_MAX_CHARS, AddressKind, CONTACT_LABEL_MAX_CHARS, ContactRole, NewAddress,
    NewContact, PostalCode, PreferredChannel,
};
use tenure_domain::customer::NOTES_MAX_CHARS;
use tenure_domain::error::{FieldError, Validator};
use tenure_domain::ids::{AddressId, ContactId, CustomerId};
use tenure_domain::permission::Permission;
use tenure_domain::values::{BoundedText, CountryCode, Email, LongText, PhoneNumber};
use tenure_store::contact::{AddressRecord, ContactRecord};
use tenure_store::organization::Organization;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::convert::{default_region, parse_opt, parse_required, present};
use crate::error::ApiError;
use crate::routes::{created, if_match_version, ok, patch_input};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_contacts)
        .service(create_contact)
        .service(get_contact)
        .service(patch_contact)
        .service(delete_contact)
        .service(restore_contact)
        .service(list_addresses)
        .service(create_address)
        .service(get_address)
        .service(patch_address)
        .service(delete_address)
        .service(restore_address);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Also list soft-deleted rows (to restore them).
    #[serde(default)]
    include_deleted: bool,
}

pub fn contact_view(r: &ContactRecord) -> ContactView {
    ContactView {
        id: r.id,
        customer_id: r.customer_id,
        full_name: tenure_domain::contact::full_name(
            r.first_name.as_deref(),
            r.last_name.as_deref(),
            r.email.as_deref(),
        ),
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        email: r.email.clone(),
        phone: r.phone.clone(),
        mobile: r.mobile.clone(),
        title: r.title.clone(),
        department: r.department.clone(),
        role: r.role.clone(),
        is_primary: r.is_primary,
        is_influencer: r.is_influencer,
        portal_access: r.portal_access,
        preferred_channel: r.preferred_channel.clone(),
        receives_order_updates: r.receives_order_updates,
        receives_marketing: r.receives_marketing,
        last_contacted_at: r.last_contacted_at,
        notes: r.notes.clone(),
        version: r.version,
        deleted_at: r.deleted_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// The input that reproduces a stored contact, for merge patches.
fn contact_input(r: &ContactRecord) -> ContactInput {
    ContactInput {
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        email: r.email.clone(),
        phone: r.phone.clone(),
        mobile: r.mobile.clone(),
        title: r.title.clone(),
        department: r.department.clone(),
        role: Some(r.role.clone()),
        is_primary: Some(r.is_primary),
        is_influencer: Some(r.is_influencer),
        portal_access: Some(r.portal_access),
        preferred_channel: r.preferred_channel.clone(),
        receives_order_updates: Some(r.receives_order_updates),
        receives_marketing: Some(r.receives_marketing),
        last_contacted_at: r.last_contacted_at,
        notes: r.notes.clone(),
    }
}

/// Parses a contact body; every field error at once.
pub(crate) fn new_contact(
    input: &ContactInput,
    org: &Organization,
) -> Result<NewContact, Vec<FieldError>> {
    let mut v = Validator::new();
    let region = default_region(org);
    let label = |v: &mut Validator, field: &str, raw: &Option<String>| {
        parse_opt(v, field, raw, |s| {
            BoundedText::parse(s, CONTACT_LABEL_MAX_CHARS)
        })
    };
    let phone = |v: &mut Validator, field: &str, raw: &Option<String>| {
        parse_opt(v, field, raw, |s| PhoneNumber::parse(s, region.as_ref()))
    };
    let first_name = label(&mut v, "first_name", &input.first_name);
    let last_name = label(&mut v, "last_name", &input.last_name);
    let email = parse_opt(&mut v, "email", &input.email, Email::parse);
    let phone_number = phone(&mut v, "phone", &input.phone);
    let mobile = phone(&mut v, "mobile", &input.mobile);
    let title = label(&mut v, "title", &input.title);
    let department = label(&mut v, "department", &input.department);
    let role = parse_opt(&mut v, "role", &input.role, ContactRole::parse);
    let preferred_channel = parse_opt(
        &mut v,
        "preferred_channel",
        &input.preferred_channel,
        PreferredChannel::parse,
    );
    let notes = parse_opt(&mut v, "notes", &input.notes, |s| {
        LongText::parse(s, NOTES_MAX_CHARS)
    });
    v.finish()?;
    let mut contact = NewContact {
        first_name,
        last_name,
        email,
        phone: phone_number,
        mobile,
        title,
        department,
        role: role.unwrap_or(ContactRole::Contact),
        is_primary: input.is_primary.unwrap_or(false),
        is_influencer: input.is_influencer.unwrap_or(false),
        portal_access: input.portal_access.unwrap_or(false),
        preferred_channel,
        receives_order_updates: input.receives_order_updates.unwrap_or(false),
        receives_marketing: input.receives_marketing.unwrap_or(false),
        last_contacted_at: input.last_contacted_at,
        notes,
    };
    contact.validate()?;
    Ok(contact)
}

fn address_view(r: &AddressRecord) -> AddressView {
    AddressView {
        id: r.id,
        customer_id: r.customer_id,
        kind: r.kind.clone(),
        label: r.label.clone(),
        line1: r.line1.clone(),
        line2: r.line2.clone(),
        city: r.city.clone(),
        region: r.region.clone(),
        postal_code: r.postal_code.clone(),
        country: r.country.clone(),
        is_primary: r.is_primary,
        version: r.version,
        deleted_at: r.deleted_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn address_input(r: &AddressRecord) -> AddressInput {
    AddressInput {
        kind: Some(r.kind.clone()),
        label: r.label.clone(),
        line1: Some(r.line1.clone()),
        line2: r.line2.clone(),
        city: r.city.clone(),
        region: r.region.clone(),
        postal_code: r.postal_code.clone(),
        country: Some(r.country.clone()),
        is_primary: Some(r.is_primary),
    }
}

/// Parses an address body; every field error at once.
pub(crate) fn new_address(input: &AddressInput) -> Result<NewAddress, Vec<FieldError>> {
    let mut v = Validator::new();
    let line = |v: &mut Validator, field: &str, raw: &Option<String>| {
        parse_opt(v, field, raw, |s| {
            BoundedText::parse(s, ADDRESS_LINE_MAX_CHARS)
        })
    };
    let kind = parse_opt(&mut v, "kind", &input.kind, AddressKind::parse);
    let label = parse_opt(&mut v, "label", &input.label, |s| {
        BoundedText::parse(s, CONTACT_LABEL_MAX_CHARS)
    });
    let line1 = parse_required(&mut v, "line1", &input.line1, "required", |s| {
        BoundedText::parse(s, ADDRESS_LINE_MAX_CHARS)
    });
    let line2 = line(&mut v, "line2", &input.line2);
    let city = line(&mut v, "city", &input.city);
    let region = line(&mut v, "region", &input.region);
    let country = parse_required(
        &mut v,
        "country",
        &input.country,
        "required (ISO 3166-1 alpha-2, e.g. US)",
        CountryCode::parse,
    );
    let postal_code = match (present(&input.postal_code), country) {
        (Some(raw), Some(country)) => v.check("postal_code", PostalCode::parse(raw, country)),
        _ => None,
    };
    v.finish()?;
    let (Some(line1), Some(country)) = (line1, country) else {
        return Err(vec![FieldError::new("line1", "required")]);
    };
    Ok(NewAddress {
        kind: kind.unwrap_or(AddressKind::Other),
        label,
        line1,
        line2,
        city,
        region,
        postal_code,
        country,
        is_primary: input.is_primary.unwrap_or(false),
    })
}

/// The customer's contacts, primary first.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = ContactList), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/contacts")]
async fn list_contacts(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    params: web::Query<ListParams>,
) -> Result<web::Json<ContactList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let records = state
        .store
        .contacts(
            user.organization_id,
            CustomerId::from_uuid(*id),
            params.include_deleted,
        )
        .await?;
    Ok(web::Json(ContactList {
        items: records.iter().map(contact_view).collect(),
    }))
}

/// Add a contact. The first contact becomes primary; `is_primary: true` demotes the old one.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ContactInput,
    responses(
        (status = 201, body = ContactView, headers(("ETag" = String), ("Location" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another contact of this customer has the email", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/contacts")]
async fn create_contact(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let org = state.store.organization(user.organization_id).await?;
    let new = new_contact(&body, &org)?;
    let customer = CustomerId::from_uuid(*id);
    let record = state
        .store
        .create_contact(org.id, customer, &new, &user.actor())
        .await?;
    Ok(created(
        format!("/api/v1/customers/{customer}/contacts/{}", record.id),
        record.version,
        contact_view(&record),
    ))
}

#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("contact_id" = Uuid, Path)),
    responses((status = 200, body = ContactView, headers(("ETag" = String))), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/contacts/{contact_id}")]
async fn get_contact(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersRead)?;
    let (customer, contact) = path.into_inner();
    let record = state
        .store
        .contact(
            user.organization_id,
            CustomerId::from_uuid(customer),
            ContactId::from_uuid(contact),
        )
        .await?;
    Ok(ok(record.version, contact_view(&record)))
}

/// Change a contact with a JSON merge patch; `{"is_primary": true}` makes it the primary.
/// `If-Match` is honoured when sent.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("contact_id" = Uuid, Path)),
    request_body(content = Object, description = "Any subset of ContactInput's fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = ContactView, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[patch("/customers/{id}/contacts/{contact_id}")]
async fn patch_contact(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, contact) = path.into_inner();
    let (customer, contact) = (
        CustomerId::from_uuid(customer),
        ContactId::from_uuid(contact),
    );
    let org = state.store.organization(user.organization_id).await?;
    let current = state.store.contact(org.id, customer, contact).await?;
    if current.deleted_at.is_some() {
        return Err(ApiError::NotFound);
    }
    let input = patch_input(&contact_input(&current), &body)?;
    let new = new_contact(&input, &org)?;
    let record = state
        .store
        .update_contact(
            org.id,
            customer,
            contact,
            if_match_version(&req)?,
            &new,
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, contact_view(&record)))
}

/// Soft-delete a contact (restorable); a deleted primary hands over to the oldest contact.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("contact_id" = Uuid, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 412, body = Problem, content_type = "application/problem+json")))]
#[delete("/customers/{id}/contacts/{contact_id}")]
async fn delete_contact(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, contact) = path.into_inner();
    let record = state
        .store
        .delete_contact(
            user.organization_id,
            CustomerId::from_uuid(customer),
            ContactId::from_uuid(contact),
            if_match_version(&req)?,
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, contact_view(&record)))
}

/// Restore a deleted contact.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("contact_id" = Uuid, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/contacts/{contact_id}/restore")]
async fn restore_contact(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, contact) = path.into_inner();
    let record = state
        .store
        .restore_contact(
            user.organization_id,
            CustomerId::from_uuid(customer),
            ContactId::from_uuid(contact),
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, contact_view(&record)))
}

/// The customer's addresses by kind, primary first.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = AddressList), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/addresses")]
async fn list_addresses(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    params: web::Query<ListParams>,
) -> Result<web::Json<AddressList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let records = state
        .store
        .addresses(
            user.organization_id,
            CustomerId::from_uuid(*id),
            params.include_deleted,
        )
        .await?;
    Ok(web::Json(AddressList {
        items: records.iter().map(address_view).collect(),
    }))
}

/// Add an address. The first of its kind becomes primary; postal codes are checked for the
/// country.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = AddressInput,
    responses(
        (status = 201, body = AddressView, headers(("ETag" = String), ("Location" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/addresses")]
async fn create_address(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<AddressInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let new = new_address(&body)?;
    let customer = CustomerId::from_uuid(*id);
    let record = state
        .store
        .create_address(user.organization_id, customer, &new, &user.actor())
        .await?;
    Ok(created(
        format!("/api/v1/customers/{customer}/addresses/{}", record.id),
        record.version,
        address_view(&record),
    ))
}

#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("address_id" = Uuid, Path)),
    responses((status = 200, body = AddressView, headers(("ETag" = String))), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/addresses/{address_id}")]
async fn get_address(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersRead)?;
    let (customer, address) = path.into_inner();
    let record = state
        .store
        .address(
            user.organization_id,
            CustomerId::from_uuid(customer),
            AddressId::from_uuid(address),
        )
        .await?;
    Ok(ok(record.version, address_view(&record)))
}

/// Change an address with a JSON merge patch; `{"is_primary": true}` makes it the primary of
/// its kind.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("address_id" = Uuid, Path)),
    request_body(content = Object, description = "Any subset of AddressInput's fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = AddressView, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[patch("/customers/{id}/addresses/{address_id}")]
async fn patch_address(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, address) = path.into_inner();
    let (customer, address) = (
        CustomerId::from_uuid(customer),
        AddressId::from_uuid(address),
    );
    let org = user.organization_id;
    let current = state.store.address(org, customer, address).await?;
    if current.deleted_at.is_some() {
        return Err(ApiError::NotFound);
    }
    let mut input = patch_input(&address_input(&current), &body)?;
    // Primary is per kind: an address moving to another kind does not carry its old primary
    // flag along unless the patch asks for it.
    let moved = !input
        .kind
        .as_deref()
        .is_some_and(|k| k.trim().eq_ignore_ascii_case(&current.kind));
    if moved && body.get("is_primary").is_none() {
        input.is_primary = Some(false);
    }
    let new = new_address(&input)?;
    let record = state
        .store
        .update_address(
            org,
            customer,
            address,
            if_match_version(&req)?,
            &new,
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, address_view(&record)))
}

/// Soft-delete an address (restorable).
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("address_id" = Uuid, Path)),
    responses((status = 200, body = AddressView), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[delete("/customers/{id}/addresses/{address_id}")]
async fn delete_address(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, address) = path.into_inner();
    let record = state
        .store
        .delete_address(
            user.organization_id,
            CustomerId::from_uuid(customer),
            AddressId::from_uuid(address),
            if_match_version(&req)?,
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, address_view(&record)))
}

/// Restore a deleted address.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("address_id" = Uuid, Path)),
    responses((status = 200, body = AddressView), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/addresses/{address_id}/restore")]
async fn restore_address(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, address) = path.into_inner();
    let record = state
        .store
        .restore_address(
            user.organization_id,
            CustomerId::from_uuid(customer),
            AddressId::from_uuid(address),
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, address_view(&record)))
}
