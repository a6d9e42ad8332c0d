//! (method, path) → handler. The only module that knows the URL space;
//! unknown paths are `404 NOT_FOUND`, known paths with the wrong method
//! `405 METHOD_NOT_ALLOWED` with an `Allow` header, both as JSON.

use std::time::Instant;

use hyper::body::Incoming;
use hyper::{Method, Request};

use crate::api::{self, assets, ops, ApiRoute};
use crate::app::App;
use crate::error::{self, ApiError, HttpResponse};
use crate::store::Store;

pub async fn route<S: Store>(app: &App<S>, req: Request<Incoming>) -> HttpResponse {
    let path = req.uri().path();
    let post_only = |route| {
        if req.method() == Method::POST {
            Ok(route)
        } else {
            Err(ApiError::MethodNotAllowed("POST"))
        }
    };
    let mut id = None;
    let api_route = match path {
        "/api/v1/verify" => Some(post_only(ApiRoute::Verify)),
        "/api/v1/session" => Some(post_only(ApiRoute::Session)),
        "/api/v1/token/verify" => Some(post_only(ApiRoute::TokenVerify)),
        "/api/v1/challenge/create" => Some(post_only(ApiRoute::ChallengeCreate)),
        "/api/v1/challenge/verify" => Some(post_only(ApiRoute::ChallengeVerify)),
        "/api/v1/webhooks" => Some(match *req.method() {
            Method::GET => Ok(ApiRoute::WebhooksList),
            Method::POST => Ok(ApiRoute::WebhooksCreate),
            _ => Err(ApiError::MethodNotAllowed("GET, POST")),
        }),
        p if p.starts_with("/api/v1/webhooks/") && !p["/api/v1/webhooks/".len()..].contains('/') => {
            id = Some(p["/api/v1/webhooks/".len()..].to_string());
            Some(match *req.method() {
                Method::DELETE => Ok(ApiRoute::WebhooksDelete),
                _ => Err(ApiError::MethodNotAllowed("DELETE")),
            })
        }
        _ => None,
    };
    match api_route {
        Some(Ok(r)) => return api::call(app, r, id.as_deref(), req).await,
        Some(Err(e)) => return finish(app, "method_not_allowed", Instant::now(), Err(e)),
        None => {}
    }
    let started = Instant::now();
    let get = req.method() == Method::GET || req.method() == Method::HEAD;
    match path {
        "/healthz" if get => finish(app, "healthz", started, Ok(ops::healthz())),
        "/readyz" if get => {
            let resp = ops::readyz(app).await;
            finish(app, "readyz", started, Ok(resp))
        }
        "/metrics" if get => finish(app, "metrics", started, Ok(ops::metrics(app))),
        "/v1/huma.js" if get => finish(app, "snippet", started, Ok(assets::snippet(req.headers()))),
        "/demo" if get => finish(app, "demo", started, Ok(assets::demo(app.config.dev_key.as_deref()))),
        "/healthz" | "/readyz" | "/metrics" | "/v1/huma.js" | "/demo" => finish(
            app,
            "method_not_allowed",
            started,
            Err(ApiError::MethodNotAllowed("GET")),
        ),
        "/admin/v1/keys" => {
            let resp = api::admin::handle(app, req, None).await;
            finish(app, "admin_keys", started, resp)
        }
        p if p.starts_with("/admin/v1/keys/") && !p["/admin/v1/keys/".len()..].contains('/') => {
            let id = p["/admin/v1/keys/".len()..].to_string();
            let resp = api::admin::handle(app, req, Some(&id)).await;
            finish(app, "admin_keys", started, resp)
        }
        _ => finish(
            app,
            "not_found",
            started,
            Err(ApiError::NotFound(format!(
                "There is no route {path}; see the API reference for the routes."
            ))),
        ),
    }
}

fn finish<S: Store>(
    app: &App<S>,
    route: &'static str,
    started: Instant,
    result: Result<HttpResponse, ApiError>,
) -> HttpResponse {
    let resp = result.unwrap_or_else(|e| error::render(&e));
    app.metrics
        .observe_request(route, resp.status().as_u16(), started.elapsed().as_secs_f64());
    resp
}
