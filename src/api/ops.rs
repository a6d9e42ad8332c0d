//! Operational endpoints: `/healthz` (the process runs), `/readyz` (the
//! store answers and we are not draining), `/metrics` (Prometheus text).

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};

use crate::app::App;
use crate::error::HttpResponse;
use crate::store::Store;

pub fn healthz() -> HttpResponse {
    text(StatusCode::OK, "text/plain; charset=utf-8", Bytes::from_static(b"ok"))
}

pub async fn readyz<S: Store>(app: &App<S>) -> HttpResponse {
    if app.is_draining() {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain; charset=utf-8",
            Bytes::from_static(b"draining"),
        );
    }
    match app.store.ping().await {
        Ok(()) => text(
            StatusCode::OK,
            "text/plain; charset=utf-8",
            Bytes::from_static(b"ready"),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            text(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain; charset=utf-8",
                Bytes::from_static(b"store unavailable"),
            )
        }
    }
}

pub fn metrics<S: Store>(app: &App<S>) -> HttpResponse {
    app.metrics.breaker_state.set(app.store.breaker_state() as i64);
    text(
        StatusCode::OK,
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        Bytes::from(app.metrics.render()),
    )
}

pub fn no_content() -> HttpResponse {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}

fn text(status: StatusCode, content_type: &'static str, body: Bytes) -> HttpResponse {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}
