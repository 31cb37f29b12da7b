//! Assembles the actix application: routes under `/api/v1`, operations endpoints, extractor
//! error handlers that speak problem+json, middleware (request ids, tracing, metrics,
//! compression), the Swagger UI, and the SPA for every other path.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{Compress, Next, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{ApiError, json_error, path_error, query_error};
use crate::routes;
use crate::state::AppState;

/// Largest JSON body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Registers every documented route. Order matters where paths overlap: fixed segments
/// (`/customers/counts`, `/customers/bulk/...`) before `/customers/{id}`.
pub fn configure_routes(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/api/v1")
            .configure(routes::instance::configure)
            .configure(routes::auth::configure)
            .configure(routes::users::configure)
            .configure(routes::customer_export::configure)
            .configure(routes::duplicate::configure)
            .configure(routes::merge::configure)
            .configure(routes::customer_list::configure)
            .configure(routes::customer_bulk::configure)
            .configure(routes::customer::configure)
            .configure(routes::gdpr::configure)
            .configure(routes::overview::configure)
            .configure(routes::contact::configure)
            .configure(routes::activity::configure)
            .configure(routes::goal::configure)
            .configure(routes::account::configure)
            .configure(routes::tier::configure)
            .configure(routes::custom_field::configure)
            .configure(routes::import::configure)
            .configure(routes::import_mapping::configure)
            .configure(routes::events::configure),
    )
    .configure(routes::ops::configure);
}

/// Starts serving on `listener` with `workers` threads (default: one per core).
pub fn serve(
    listener: TcpListener,
    state: AppState,
    workers: Option<usize>,
) -> std::io::Result<Server> {
    crate::import::worker::spawn(state.clone());
    crate::duplicate::spawn(state.clone());
    let state = web::Data::new(state);
    // Built once: the spec route must be registered before the `/api/v1` scope, which would
    // otherwise swallow `/api/v1/openapi.json`.
    let api = crate::openapi::document();
    let mut server = HttpServer::new(move || {
        let (app, _) = App::new()
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", api.clone()))
            .app_data(state.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(MAX_BODY_BYTES)
                    .content_type_required(true)
                    .content_type(|mime| {
                        mime.subtype() == actix_web::mime::JSON
                            || mime.suffix() == Some(actix_web::mime::JSON)
                    })
                    .error_handler(|err, _| json_error(err).into()),
            )
            .app_data(web::QueryConfig::default().error_handler(|err, _| query_error(err).into()))
            .app_data(web::PathConfig::default().error_handler(|err, _| path_error(err).into()))
            .wrap(Compress::default())
            .wrap(from_fn(observe))
            .wrap(TracingLogger::default())
            .into_utoipa_app()
            .configure(configure_routes)
            .split_for_parts();
        app.route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::Found()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .default_service(web::to(not_found))
    })
    .listen(listener)?;
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// Echoes the request id as `x-request-id` and records metrics for the matched route.
async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let request_id = crate::auth::request_id(req.request());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let mut response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    if let Some(state) = state {
        state.metrics.observe(
            &method,
            &route,
            response.status().as_u16(),
            started.elapsed(),
        );
    }
    if let Some(id) = request_id
        && let Ok(value) = HeaderValue::from_str(&id)
    {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}

/// Unknown paths: JSON problems under `/api`; everything else belongs to the SPA (its files,
/// or its page for a history-API route such as `/customers?status=active`).
async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if req.path() == "/api" || req.path().starts_with("/api/") {
        Err(ApiError::NotFound)
    } else {
        Ok(crate::spa::respond(&req))
    }
}
