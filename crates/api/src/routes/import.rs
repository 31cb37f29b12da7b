//! Imports. So far: the vendor templates and mapping targets the CSV wizard offers (the upload,
//! validation and background job come next, issue 6).

use actix_web::{get, web};
use tenure_api_types::{ImportTemplateColumn, ImportTemplateList, ImportTemplateView};
use tenure_domain::import::{TARGETS, TEMPLATES};
use tenure_domain::permission::Permission;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_templates);
}

/// The vendor export formats an import can be mapped with (HubSpot, Salesforce, Pipedrive), each
/// column with its other spellings and the field it feeds, and every mapping target.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    responses((status = 200, body = ImportTemplateList)))]
#[get("/import-templates")]
async fn list_templates(user: AuthUser) -> Result<web::Json<ImportTemplateList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    Ok(web::Json(ImportTemplateList {
        items: TEMPLATES
            .iter()
            .map(|t| ImportTemplateView {
                id: t.id.to_owned(),
                label: t.label.to_owned(),
                vendor: t.vendor.to_owned(),
                kind: t.kind.to_owned(),
                source: t.source.to_owned(),
                columns: t
                    .columns
                    .iter()
                    .map(|c| ImportTemplateColumn {
                        header: c.header.to_owned(),
                        aliases: c.aliases.iter().map(|a| (*a).to_owned()).collect(),
                        target: c.target.to_owned(),
                        transform: c.transform.as_ref().map(|t| t.describe()),
                    })
                    .collect(),
            })
            .collect(),
        targets: TARGETS.iter().map(|t| (*t).to_owned()).collect(),
    }))
}
