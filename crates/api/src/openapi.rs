//! The OpenAPI document's frame: title, servers, security scheme, shared schemas. Paths and
//! their schemas are collected from the route modules by utoipa-actix-web.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tenure API",
        description = "The public API of Tenure, the customer-success CRM. The SPA uses exactly this API.\n\nErrors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(tenure_api_types::Problem, tenure_api_types::ProblemField)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-in, tokens, the current user"),
        (name = "customers", description = "The customer directory and records"),
        (name = "contacts", description = "People and addresses of a customer"),
        (name = "activities", description = "The timeline: engagements, system events, account actions"),
        (name = "goals", description = "Customer goals and their progress"),
        (name = "account", description = "Credits ledger and account flags"),
        (name = "tiers", description = "The tier catalogue and tier changes with pricing impact"),
        (name = "settings", description = "Organisation settings such as custom field definitions"),
        (name = "imports", description = "CSV imports: vendor templates and column mapping"),
        (name = "duplicates", description = "Duplicate detection: explainable matching of customers"),
        (name = "operations", description = "Health, readiness, metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/login."))
                    .build(),
            ),
        );
    }
}

/// The complete document, as served at `/api/v1/openapi.json` and committed in
/// `openapi/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::app::configure_routes)
        .split_for_parts();
    api
}

use utoipa_actix_web::AppExt;
