//! `GET /instance`: what a client may know before signing in (version, demo logins in demo mode).

use actix_web::{get, web};
use tenure_api_types::{DemoLogin, InstanceInfo};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::state::AppState;
use crate::{DEMO_LOGINS, DEMO_PASSWORD};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(instance);
}

/// The server's version and, when it runs with `--demo`, the demo logins. No sign-in needed.
#[utoipa::path(tag = "auth", responses((status = 200, body = InstanceInfo)))]
#[get("/instance")]
async fn instance(state: web::Data<AppState>) -> web::Json<InstanceInfo> {
    let demo_logins = if state.demo {
        DEMO_LOGINS
            .iter()
            .map(|(email, label)| DemoLogin {
                email: (*email).to_owned(),
                password: DEMO_PASSWORD.to_owned(),
                label: (*label).to_owned(),
            })
            .collect()
    } else {
        Vec::new()
    };
    web::Json(InstanceInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        demo_logins,
    })
}
