//! (method, path) → handler. The only module that knows the URL space;
//! unknown paths are `404 NOT_FOUND`, known paths with the wrong method
//! `405 METHOD_NOT_ALLOWED` with an `Allow` header, both as JSON.
//!
//! Every request gets an id: the caller's `X-Request-Id` when it is sane
//! (1–128 characters of `[A-Za-z0-9._-]`), else 16 random hex digits. It is
//! echoed in the `X-Request-Id` response header and carried by the
//! request's log line with the route, status and latency. Log levels keep
//! this cheap at tens of thousands of requests a second: 2xx/3xx at
//! `debug` (off under the default `RUST_LOG=info`), 4xx at `info`, 5xx at
//! `warn`. The line never holds a path beyond the route name, a header
//! value other than the id, or anything from the body.

use std::time::Instant;

use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Method, Request};

use crate::api::{self, assets, ops, ApiRoute};
use crate::app::App;
use crate::error::{self, ApiError, HttpResponse};
use crate::store::Store;

/// `X-Request-Id`, in both directions.
pub const REQUEST_ID: &str = "x-request-id";

pub async fn route<S: Store>(app: &App<S>, req: Request<Incoming>) -> HttpResponse {
    let started = Instant::now();
    let id = match req.headers().get(REQUEST_ID) {
        Some(v) if sane_request_id(v.as_bytes()) => v.clone(),
        _ => generated_request_id(),
    };
    let method = req.method().clone();
    let (route, mut resp) = handle(app, req).await;
    let status = resp.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let request_id = id.to_str().unwrap_or_default();
    if status >= 500 {
        tracing::warn!(request_id, %method, route, status, latency_ms, "request");
    } else if status >= 400 {
        tracing::info!(request_id, %method, route, status, latency_ms, "request");
    } else {
        tracing::debug!(request_id, %method, route, status, latency_ms, "request");
    }
    resp.headers_mut().insert(REQUEST_ID, id);
    resp
}

/// 1–128 characters of `[A-Za-z0-9._-]`: safe to echo and to log.
pub fn sane_request_id(v: &[u8]) -> bool {
    (1..=128).contains(&v.len())
        && v.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

fn generated_request_id() -> HeaderValue {
    HeaderValue::from_str(&format!("{:016x}", fastrand::u64(..))).expect("hex is a valid header value")
}

/// Routes the request; returns the route's name (for logs) and the answer.
async fn handle<S: Store>(app: &App<S>, req: Request<Incoming>) -> (&'static str, HttpResponse) {
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
        Some(Ok(r)) => return (r.name(), api::call(app, r, id.as_deref(), req).await),
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
        "/openapi.yaml" if get => finish(app, "openapi", started, Ok(assets::openapi())),
        "/v1/huma.js" if get => finish(app, "snippet", started, Ok(assets::snippet(req.headers()))),
        "/demo" if get => finish(app, "demo", started, Ok(assets::demo(app.config.dev_key.as_deref()))),
        "/healthz" | "/readyz" | "/metrics" | "/openapi.yaml" | "/v1/huma.js" | "/demo" => finish(
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
) -> (&'static str, HttpResponse) {
    let resp = result.unwrap_or_else(|e| error::render(&e));
    app.metrics
        .observe_request(route, resp.status().as_u16(), started.elapsed().as_secs_f64());
    (route, resp)
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_ids_are_checked() {
        for (id, sane) in [
            ("abc-123_X.y", true),
            ("", false),
            ("a b", false),
            ("a\"b", false),
            ("ü", false),
        ] {
            assert_eq!(super::sane_request_id(id.as_bytes()), sane, "{id}");
        }
        assert!(super::sane_request_id("a".repeat(128).as_bytes()));
        assert!(!super::sane_request_id("a".repeat(129).as_bytes()));
    }
}
