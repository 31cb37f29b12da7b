//! `GET /users`: the people of the caller's organisation, for owner pickers and filters.

use actix_web::{get, web};
use tenure_api_types::{Problem, UserList, UserView};
use tenure_domain::permission::Permission;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users);
}

/// The users of your organisation, by name.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
async fn list_users(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<UserList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let users = state.store.users_of(user.organization_id).await?;
    Ok(web::Json(UserList {
        items: users
            .into_iter()
            .map(|u| UserView {
                id: u.id.as_uuid(),
                email: u.email,
                name: u.name,
                role: u.role.as_str().to_owned(),
            })
            .collect(),
    }))
}
