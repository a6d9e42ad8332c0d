//! What an operator relies on: `huma check-config` (secrets masked, exit 0,
//! exit 2 on a bad value), `huma healthcheck` (the container's probe),
//! request ids (echoed, generated, logged with route and status) and every
//! metrics family on `/metrics`.

mod common;

use std::process::Command;

use reqwest::Method;
use serde_json::{json, Value};

use common::api::{human_signals, Env};

fn huma(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huma"));
    cmd.args(args).env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("huma runs")
}

#[test]
fn check_config_prints_every_variable_with_secrets_masked() {
    let secrets = [
        ("HUMA_SECRET", "server-secret-value-0123456789"),
        ("HUMA_ADMIN_TOKEN", "admin-token-value-42"),
        ("HUMA_DEV_KEY", "huma_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ];
    let mut env = secrets.to_vec();
    env.push(("REDIS_URL", "redis://huma:redis-password-77@cache:6379/2"));
    env.push(("HUMA_REDIS_TIMEOUT_MS", "150"));
    let out = huma(&["check-config"], &env);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for (_, v) in secrets {
        assert!(!text.contains(v), "{text}");
    }
    assert!(!text.contains("redis-password-77"), "{text}");
    assert!(text.contains("REDIS_URL=redis://huma:***@cache:6379/2"), "{text}");
    assert!(text.contains("HUMA_SECRET=***"), "{text}");
    assert!(text.contains("HUMA_REDIS_TIMEOUT_MS=150"), "{text}");
    // Every variable of the README's table is printed, and nothing else.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for line in text.lines() {
        let var = line.split('=').next().unwrap();
        assert!(
            readme.contains(&format!("`{var}`")) || var.starts_with("HUMA_PLAN_"),
            "{var} is not in the README"
        );
    }
    for var in [
        "HUMA_REDIS_BREAKER_FAILURES",
        "HUMA_REDIS_BREAKER_COOLDOWN_MS",
        "HUMA_LIMITS_SYNC_MS",
    ] {
        assert!(text.contains(var), "{var}");
    }

    let out = huma(&["check-config"], &[("HUMA_REDIS_BREAKER_FAILURES", "zero")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HUMA_REDIS_BREAKER_FAILURES"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_subcommand_probes_healthz() {
    let env = Env::embedded();
    let api = env.start(&[]);
    let listen = api.huma.addr.to_string();
    let ok = huma(&["healthcheck"], &[("HUMA_LISTEN", &listen)]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let port = api.huma.addr.port().to_string();
    let ok = huma(&["healthcheck"], &[("HUMA_LISTEN", &format!("0.0.0.0:{port}"))]);
    assert_eq!(ok.status.code(), Some(0), "0.0.0.0 means ask loopback: {ok:?}");
    drop(api);
    let down = huma(&["healthcheck"], &[("HUMA_LISTEN", &listen)]);
    assert_eq!(down.status.code(), Some(1), "{down:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_echoed_generated_and_logged() {
    let env = Env::embedded();
    let api = env.start(&[("RUST_LOG", "info")]);
    let a = api
        .request(
            Method::GET,
            "/nowhere",
            None,
            None,
            &[("x-request-id", "req-abc.123_X")],
        )
        .await;
    assert_eq!(a.status, 404);
    assert_eq!(a.header("x-request-id"), Some("req-abc.123_X"));
    let generated = api.request(Method::GET, "/healthz", None, None, &[]).await;
    let id = generated.header("x-request-id").expect("a generated id").to_string();
    assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    let other = api.request(Method::GET, "/healthz", None, None, &[]).await;
    assert_ne!(other.header("x-request-id"), Some(id.as_str()), "fresh per request");
    let insane = "x".repeat(129);
    let a = api
        .request(Method::GET, "/healthz", None, None, &[("x-request-id", &insane)])
        .await;
    assert_ne!(
        a.header("x-request-id"),
        Some(insane.as_str()),
        "an insane id is replaced"
    );
    let a = api
        .request(Method::GET, "/healthz", None, None, &[("x-request-id", "has space")])
        .await;
    assert_eq!(a.header("x-request-id").map(str::len), Some(16));
    // An API error is logged at info with the id, route and status.
    let a = api
        .request(
            Method::POST,
            "/api/v1/verify",
            Some("nope"),
            Some("{}".into()),
            &[("x-request-id", "req-401")],
        )
        .await;
    assert_eq!(a.status, 401);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let lines: Vec<Value> = api
        .huma
        .logs()
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let find = |id: &str| {
        lines
            .iter()
            .find(|l| l["fields"]["request_id"] == id)
            .unwrap_or_else(|| panic!("no log line for {id}: {lines:?}"))
            .clone()
    };
    let l = find("req-abc.123_X");
    assert_eq!(l["fields"]["route"], "not_found");
    assert_eq!(l["fields"]["status"], 404);
    assert_eq!(l["level"], "INFO");
    assert!(l["fields"]["latency_ms"].as_f64().is_some(), "{l}");
    let l = find("req-401");
    assert_eq!(
        (l["fields"]["route"].as_str(), l["fields"]["status"].as_u64()),
        (Some("verify"), Some(401))
    );
    assert!(
        lines.iter().all(|l| l["fields"]["request_id"] != id.as_str()),
        "2xx is logged at debug, off under RUST_LOG=info"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_expose_every_family() {
    let env = Env::redis();
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let v = api
        .verify(&key, json!({"userId": "u1", "sessionData": human_signals()}))
        .await;
    assert_eq!(v.status, 200);
    let m = api.request(Method::GET, "/metrics", None, None, &[]).await;
    assert_eq!(m.status, 200);
    for family in [
        "huma_requests",
        "huma_request_duration_seconds",
        "huma_score",
        "huma_agent_flags",
        "huma_limits_hit",
        "huma_store_errors",
        "huma_store_duration_seconds",
        "huma_store_breaker_state",
        "huma_webhook_deliveries",
        "huma_webhook_queue_depth",
    ] {
        assert!(
            m.text.contains(&format!("# TYPE {family} ")),
            "{family} missing:\n{}",
            m.text
        );
    }
    assert!(
        m.text
            .contains("huma_store_duration_seconds_count{op=\"quota_take\"} 1"),
        "{}",
        m.text
    );
    assert!(m.text.contains("huma_store_breaker_state 0"), "{}", m.text);
    assert!(
        m.text
            .contains("huma_requests_total{route=\"verify\",status=\"200\"} 1"),
        "{}",
        m.text
    );
}
