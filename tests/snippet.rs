//! The snippet and the demo as a browser fetches them: `/v1/huma.js` with
//! its type, ETag, cache policy and `304`, its gzipped size budget, and the
//! `/demo` page with the form ids and the development key (or the message
//! asking for one).

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::api::Env;
use reqwest::{Method, StatusCode};

const DEV_KEY: &str = "huma_live_SnippetTestKey0123456789abcdefgh";
/// The snippet's budget on the wire, gzipped.
const GZIP_BUDGET: usize = 8 * 1024;

#[tokio::test]
async fn snippet_is_served_with_validators_and_cache_headers() {
    let env = Env::embedded();
    let api = env.start(&[("HUMA_DEV_KEY", DEV_KEY)]);
    let first = api.request(Method::GET, "/v1/huma.js", None, None, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        first.header("content-type"),
        Some("application/javascript; charset=utf-8")
    );
    assert_eq!(first.header("cache-control"), Some("public, max-age=300"));
    let etag = first.header("etag").expect("an ETag").to_string();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
        "a strong ETag: {etag}"
    );
    assert!(first.text.contains("startSession") && first.text.contains("getCoalescedEvents"));

    for (if_none_match, expected) in [
        (etag.clone(), StatusCode::NOT_MODIFIED),
        (format!("W/{etag}"), StatusCode::NOT_MODIFIED),
        (format!("\"other\", {etag}"), StatusCode::NOT_MODIFIED),
        ("*".to_string(), StatusCode::NOT_MODIFIED),
        ("\"other\"".to_string(), StatusCode::OK),
    ] {
        let again = api
            .request(
                Method::GET,
                "/v1/huma.js",
                None,
                None,
                &[("if-none-match", &if_none_match)],
            )
            .await;
        assert_eq!(again.status, expected, "If-None-Match: {if_none_match}");
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        if expected == StatusCode::NOT_MODIFIED {
            assert!(again.text.is_empty(), "a 304 has no body");
        }
    }

    let post = api
        .request(Method::POST, "/v1/huma.js", None, Some("{}".into()), &[])
        .await;
    post.assert_error(405, "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn snippet_fits_the_gzip_budget() {
    let env = Env::embedded();
    let api = env.start(&[]);
    let js = api.request(Method::GET, "/v1/huma.js", None, None, &[]).await;
    let size = gzipped_len(js.text.as_bytes());
    println!("huma.js: {} bytes, {size} bytes gzipped", js.text.len());
    assert!(
        size < GZIP_BUDGET,
        "huma.js is {size} bytes gzipped; the budget is {GZIP_BUDGET}"
    );
}

#[tokio::test]
async fn demo_has_the_form_and_the_dev_key() {
    let env = Env::embedded();
    let api = env.start(&[("HUMA_DEV_KEY", DEV_KEY)]);
    let page = api.request(Method::GET, "/demo", None, None, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    for id in ["id=\"email\"", "id=\"password\"", "id=\"submit\"", "id=\"result\""] {
        assert!(page.text.contains(id), "/demo has {id}");
    }
    assert!(page.text.contains("src=\"/v1/huma.js\""));
    assert!(page.text.contains(&format!("var DEV_KEY = \"{DEV_KEY}\";")));
    assert!(!page.text.contains("__HUMA_DEV_KEY__"));
}

#[tokio::test]
async fn demo_without_a_dev_key_asks_for_one() {
    let env = Env::embedded();
    let api = env.start(&[]);
    let page = api.request(Method::GET, "/demo", None, None, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("var DEV_KEY = \"\";"));
    assert!(page.text.contains("Set <code>HUMA_DEV_KEY</code>"));
}

/// The size `gzip` (default level, as servers and CDNs use) makes of `data`.
fn gzipped_len(data: &[u8]) -> usize {
    let mut child = Command::new("gzip")
        .arg("-c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip runs");
    child.stdin.take().expect("stdin").write_all(data).expect("gzip reads");
    let out = child.wait_with_output().expect("gzip finishes");
    assert!(out.status.success());
    out.stdout.len()
}
