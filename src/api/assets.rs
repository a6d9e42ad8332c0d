//! The browser side of huma, served by the server itself: the snippet
//! `GET /v1/huma.js` (embedded at build time, with a strong ETag and a short
//! public cache) and `GET /demo`, a sign-up form that calls `Huma.verify`
//! with the development key injected server-side; and `GET /openapi.yaml`.

use std::sync::LazyLock;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderMap, HeaderValue, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use hyper::{Response, StatusCode};
use ring::digest::{digest, SHA256};

use crate::error::HttpResponse;

/// The snippet: the collector (`web/huma.js`) followed by the challenge UI
/// (`web/challenge.js`), byte for byte.
pub const SNIPPET: &str = concat!(
    include_str!("../../web/huma.js"),
    "\n",
    include_str!("../../web/challenge.js")
);

const DEMO: &str = include_str!("../../web/demo.html");
const DEMO_KEY_SLOT: &str = "__HUMA_DEV_KEY__";
const SNIPPET_CACHE: &str = "public, max-age=300";

/// The snippet's strong validator: a quoted prefix of its SHA-256, computed
/// once, since the content cannot change while the process runs.
static SNIPPET_ETAG: LazyLock<HeaderValue> = LazyLock::new(|| {
    let hash = digest(&SHA256, SNIPPET.as_bytes());
    let hex: String = hash.as_ref()[..16].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).expect("hex in quotes is a valid header value")
});

/// `GET /v1/huma.js`: the snippet, or `304` when the client holds this version.
pub fn snippet(headers: &HeaderMap) -> HttpResponse {
    let etag = SNIPPET_ETAG.clone();
    let fresh = headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| etag_matches(v, etag.to_str().unwrap_or_default()));
    let (status, body) = if fresh {
        (StatusCode::NOT_MODIFIED, Bytes::new())
    } else {
        (StatusCode::OK, Bytes::from_static(SNIPPET.as_bytes()))
    };
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    if status == StatusCode::OK {
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/javascript; charset=utf-8"),
        );
    }
    h.insert(ETAG, etag);
    h.insert(CACHE_CONTROL, HeaderValue::from_static(SNIPPET_CACHE));
    resp
}

/// `GET /demo`: the sign-up form with `dev_key` written into its script, or
/// an empty key that makes the page tell the operator to set `HUMA_DEV_KEY`.
pub fn demo(dev_key: Option<&str>) -> HttpResponse {
    let page = DEMO.replace(DEMO_KEY_SLOT, &script_string(dev_key.unwrap_or("")));
    let mut resp = Response::new(Full::new(Bytes::from(page)));
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // The page carries a key: never let a shared cache keep it.
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): a `W/`
/// prefix does not prevent a match, and `*` matches any current version.
fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag)
}

/// A JavaScript string literal that is also safe inside an HTML `<script>`:
/// anything but `[A-Za-z0-9_.-]` becomes a `\uXXXX` escape. Config already
/// limits the dev key to `huma_live_[A-Za-z0-9]{32}`; this keeps the page
/// safe whatever the value.
fn script_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for unit in s.encode_utf16() {
        match char::from_u32(u32::from(unit)) {
            Some(c) if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') => out.push(c),
            _ => out.push_str(&format!("\\u{unit:04x}")),
        }
    }
    out.push('"');
    out
}

/// The OpenAPI 3.1 description of the whole API (`openapi.yaml` at the
/// repository root, kept honest by `tests/openapi.rs`).
pub const OPENAPI: &str = include_str!("../../openapi.yaml");

/// `GET /openapi.yaml`.
pub fn openapi() -> HttpResponse {
    let mut resp = Response::new(Full::new(Bytes::from_static(OPENAPI.as_bytes())));
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/yaml"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static(SNIPPET_CACHE));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_comparison() {
        let check = |header: &str, expected: bool| {
            assert_eq!(etag_matches(header, "\"abc\""), expected, "{header}");
        };
        check("\"abc\"", true);
        check("W/\"abc\"", true);
        check("\"x\", \"abc\"", true);
        check("*", true);
        check("\"abd\"", false);
        check("abc", false);
        check("", false);
    }

    #[test]
    fn demo_key_is_a_safe_script_string() {
        assert_eq!(script_string("huma_live_x"), "\"huma_live_x\"");
        assert_eq!(script_string("</script>"), "\"\\u003c\\u002fscript\\u003e\"");
        assert_eq!(script_string("é\""), "\"\\u00e9\\u0022\"");
        let body = demo(None);
        assert_eq!(body.status(), StatusCode::OK);
    }
}
