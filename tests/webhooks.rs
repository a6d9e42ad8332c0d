//! Webhooks end to end: the management routes on both backends, and
//! delivery to a real HTTPS receiver on loopback (`common::receiver`, a
//! throwaway CA that huma trusts through `HUMA_WEBHOOK_CA_FILE`): exact body
//! and headers, the signature checked by the seed's own Node code, retries
//! with a stable `Huma-Delivery`, 410, a hanging endpoint, a restart in the
//! middle of retries, and the SSRF policy.

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{json, Value};

use common::api::{bot_signals, human_signals, Api, Env};
use common::receiver::{Receiver, Recorded, Reply};

both_backends!(
    manage_webhooks,
    delivers_signed_events,
    retries_keep_the_delivery_id,
    a_restart_in_the_middle_of_retries_loses_nothing,
);

const WAIT: Duration = Duration::from_secs(20);

/// huma trusting the receiver's CA, allowed to reach loopback, retrying in seconds.
fn start(env: &Env, rx: &Receiver, extra: &[(&str, &str)]) -> Api {
    let ca = rx.ca_file.to_str().unwrap().to_string();
    let mut vars: Vec<(&str, &str)> = vec![
        ("HUMA_WEBHOOK_CA_FILE", &ca),
        ("HUMA_WEBHOOK_ALLOW_PRIVATE", "1"),
        ("HUMA_WEBHOOK_RETRY_SCHEDULE", "1,1,2"),
    ];
    for (k, v) in extra {
        vars.retain(|(x, _)| x != k);
        vars.push((k, v));
    }
    env.start(&vars)
}

async fn register(api: &Api, key: &str, url: &str, events: Option<&[&str]>) -> Value {
    let mut body = json!({ "url": url });
    if let Some(e) = events {
        body["events"] = json!(e);
    }
    let a = api.post("/api/v1/webhooks", key, body).await;
    assert_eq!(a.status, 201, "{a:?}");
    a.json
}

async fn list(api: &Api, key: &str) -> Value {
    let a = api.request(Method::GET, "/api/v1/webhooks", Some(key), None, &[]).await;
    assert_eq!(a.status, 200, "{a:?}");
    a.json
}

/// `huma_webhook_deliveries_total{outcome="…"}` from `/metrics`.
async fn deliveries(api: &Api, outcome: &str) -> u64 {
    let text = api
        .http
        .get(api.huma.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let needle = format!("huma_webhook_deliveries_total{{outcome=\"{outcome}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&needle))
        .map_or(0, |n| n.trim().parse().unwrap())
}

async fn wait_deliveries(api: &Api, outcome: &str, n: u64) {
    let deadline = Instant::now() + WAIT;
    while deliveries(api, outcome).await < n {
        assert!(Instant::now() < deadline, "{n} deliveries with outcome {outcome}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs the seed's `verifyWebhook` (tests/verify_webhook.mjs) under node.
fn node_verifies(body: &str, signature: &str, secret: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body");
    std::fs::write(&file, body).unwrap();
    let out = Command::new("node")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/verify_webhook.mjs"))
        .arg(&file)
        .arg(signature)
        .arg(secret)
        .output()
        .expect("node runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    match String::from_utf8_lossy(&out.stdout).as_ref() {
        "true" => true,
        "false" => false,
        other => panic!("node printed {other:?}"),
    }
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn is_base62(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Checks one delivery against the contract: exact body for this verdict,
/// headers, and a signature the seed's Node code accepts.
fn check_delivery(r: &Recorded, event: &str, user: &str, answer: &Value, token: &str, secret: &str) {
    let body = r.json();
    let id = body["id"].as_str().unwrap();
    assert!(id.starts_with("evt_") && is_base62(&id[4..], 24), "{id}");
    let ts = body["timestamp"].as_str().unwrap();
    assert!(ts.len() == 24 && ts.ends_with('Z') && &ts[19..20] == ".", "{ts}");
    let expected = format!(
        r#"{{"id":"{id}","event":"{event}","user_id":{},"human":{},"confidence":{},"score":{},"token":"{token}","timestamp":"{ts}"}}"#,
        serde_json::to_string(user).unwrap(),
        event == "human.verified",
        answer["confidence"],
        answer["score"],
    );
    assert_eq!(r.body, expected);
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(r.header("huma-event"), event);
    assert_eq!(r.header("huma-delivery"), id);
    let sig = r.header("huma-signature");
    let (t, v1) = sig.split_once(',').unwrap();
    let t: i64 = t.strip_prefix("t=").unwrap().parse().unwrap();
    assert!((now_secs() - t).abs() < 60, "{sig}");
    let v1 = v1.strip_prefix("v1=").unwrap();
    assert!(v1.len() == 64 && v1.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert!(
        node_verifies(&r.body, sig, secret),
        "the seed's verifyWebhook accepts it"
    );
    assert!(!node_verifies(
        &r.body.replacen("\"human\"", "\"Human\"", 1),
        sig,
        secret
    ));
}

async fn manage_webhooks(env: Env) {
    let api = env.start(&[]);
    let (key, id) = api.live_key("pro").await;
    assert_eq!(list(&api, &key).await, json!({"webhooks": []}));

    let a = register(&api, &key, "https://hooks.example.com/huma", None).await;
    let wh = a["id"].as_str().unwrap().to_string();
    assert!(wh.starts_with("wh_") && is_base62(&wh[3..], 16), "{a}");
    let secret = a["secret"].as_str().unwrap();
    assert!(secret.starts_with("huma_whsec_") && is_base62(&secret[11..], 32), "{a}");
    assert_eq!(a["url"], "https://hooks.example.com/huma");
    assert_eq!(a["events"], json!(["bot.detected", "human.verified"]));
    assert_eq!(a["active"], true);
    let b = register(&api, &key, "https://hooks.example.com/bots", Some(&["bot.detected"])).await;
    assert_eq!(b["events"], json!(["bot.detected"]));

    let l = api
        .request(Method::GET, "/api/v1/webhooks", Some(&key), None, &[])
        .await;
    assert!(
        !l.text.contains("secret") && !l.text.contains("huma_whsec_"),
        "{}",
        l.text
    );
    let hooks = l.json["webhooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 2);
    // Ordered by creation time (seconds), so both orders are possible here.
    assert!(hooks.iter().any(|h| h["id"] == a["id"]) && hooks.iter().any(|h| h["id"] == b["id"]));
    for h in hooks {
        let mut keys: Vec<&str> = h.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["active", "created_at", "events", "id", "url"], "{h}");
    }

    for body in [
        json!({"url": "http://hooks.example.com/"}),
        json!({"url": "not a url"}),
        json!({"url": "https://"}),
        json!({"url": "https:///path"}),
        json!({"url": "https://user:pw@hooks.example.com/"}),
        json!({"url": "https://127.0.0.1/hook"}),
        json!({"url": "https://[::1]/"}),
        json!({"url": "https://10.0.0.8/"}),
        json!({"url": "https://192.168.1.1/"}),
        json!({"url": "https://169.254.169.254/latest/meta-data"}),
        json!({"url": "https://100.64.0.1/"}),
        json!({"url": "https://[::ffff:127.0.0.1]/"}),
        json!({"url": "https://[fd00::1]/"}),
        json!({"url": "https://0x7f000001/"}),
        json!({"url": "https://hooks.example.com/", "events": ["user.created"]}),
        json!({"url": "https://hooks.example.com/", "events": []}),
    ] {
        api.post("/api/v1/webhooks", &key, body.clone())
            .await
            .assert_error(400, "INVALID_WEBHOOK");
    }
    for body in [
        json!({}),
        json!({"url": 5}),
        json!({"url": "https://hooks.example.com/", "events": "bot.detected"}),
    ] {
        api.post("/api/v1/webhooks", &key, body)
            .await
            .assert_error(400, "INVALID_REQUEST");
    }

    for i in 0..3 {
        register(&api, &key, &format!("https://hooks.example.com/{i}"), None).await;
    }
    api.post("/api/v1/webhooks", &key, json!({"url": "https://hooks.example.com/6"}))
        .await
        .assert_error(409, "WEBHOOK_LIMIT_REACHED");

    // Another account sees none of them and cannot delete them.
    let (other, _) = api.live_key("pro").await;
    assert_eq!(list(&api, &other).await, json!({"webhooks": []}));
    let path = format!("/api/v1/webhooks/{wh}");
    api.request(Method::DELETE, &path, Some(&other), None, &[])
        .await
        .assert_error(404, "NOT_FOUND");

    let d = api.request(Method::DELETE, &path, Some(&key), None, &[]).await;
    assert_eq!(d.status, 204, "{d:?}");
    assert!(d.text.is_empty());
    api.request(Method::DELETE, &path, Some(&key), None, &[])
        .await
        .assert_error(404, "NOT_FOUND");
    assert_eq!(list(&api, &key).await["webhooks"].as_array().unwrap().len(), 4);
    register(&api, &key, "https://hooks.example.com/again", None).await;

    // Test keys manage the account's webhooks; publishable keys may not.
    let test = api
        .create_key(json!({"plan": "pro", "kind": "test", "account": id}))
        .await["key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(list(&api, &test).await["webhooks"].as_array().unwrap().len(), 5);
    let publishable = api
        .create_key(json!({"plan": "pro", "kind": "publishable", "account": id, "origins": ["https://shop.example"]}))
        .await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let origin = [("origin", "https://shop.example")];
    api.request(Method::GET, "/api/v1/webhooks", Some(&publishable), None, &origin)
        .await
        .assert_error(403, "FORBIDDEN");
    api.request(
        Method::POST,
        "/api/v1/webhooks",
        Some(&publishable),
        Some(json!({"url": "https://hooks.example.com/"}).to_string()),
        &origin,
    )
    .await
    .assert_error(403, "FORBIDDEN");

    // Routing and auth.
    api.request(Method::GET, "/api/v1/webhooks", None, None, &[])
        .await
        .assert_error(401, "MISSING_AUTH");
    let a = api
        .request(Method::PUT, "/api/v1/webhooks", Some(&key), None, &[])
        .await;
    a.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(a.header("allow"), Some("GET, POST"));
    let a = api.request(Method::GET, &path, Some(&key), None, &[]).await;
    a.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(a.header("allow"), Some("DELETE"));
    // Management calls count toward the burst window.
    let a = api
        .request(Method::GET, "/api/v1/webhooks", Some(&key), None, &[])
        .await;
    assert!(a.header("ratelimit").is_some(), "{a:?}");
}

async fn delivers_signed_events(env: Env) {
    let rx = Receiver::start(vec![], Reply::Status(200)).await;
    let api = start(&env, &rx, &[]);
    let (key, id) = api.live_key("pro").await;
    let all = register(&api, &key, &rx.url("/all"), None).await;
    let bots = register(&api, &key, &rx.url("/bots"), Some(&["bot.detected"])).await;
    let (all_secret, bots_secret) = (all["secret"].as_str().unwrap(), bots["secret"].as_str().unwrap());

    // A userId with characters JSON must escape, sent back as given.
    let user = "user_\u{e9}\"quoted\"/1";
    let human = api
        .verify(&key, json!({"userId": user, "sessionData": human_signals()}))
        .await;
    assert_eq!(human.json["human"], true, "{human:?}");
    let token = human.json["token"].as_str().unwrap().to_string();
    let r = rx.wait_for(1, WAIT).await;
    assert_eq!(r[0].path, "/all");
    check_delivery(&r[0], "human.verified", user, &human.json, &token, all_secret);
    assert!(!node_verifies(&r[0].body, r[0].header("huma-signature"), bots_secret));

    let bot = api.verify(&key, json!({"userId": "bot_1"})).await;
    assert_eq!(bot.json["human"], false);
    let r = rx.wait_for(3, WAIT).await;
    let (to_all, to_bots): (Vec<&Recorded>, Vec<&Recorded>) = r[1..].iter().partition(|r| r.path == "/all");
    let bot_token = bot.json["token"].as_str().unwrap();
    check_delivery(to_all[0], "bot.detected", "bot_1", &bot.json, bot_token, all_secret);
    check_delivery(to_bots[0], "bot.detected", "bot_1", &bot.json, bot_token, bots_secret);
    // One event, two endpoints: the same event id.
    assert_eq!(to_all[0].header("huma-delivery"), to_bots[0].header("huma-delivery"));

    // A session that turns into a script is blocked and fires bot.detected.
    let s = api
        .post(
            "/api/v1/session",
            &key,
            json!({"userId": user, "sessionToken": token, "sessionData": bot_signals()}),
        )
        .await;
    assert_eq!(s.json["action"], "block", "{s:?}");
    let r = rx.wait_for(5, WAIT).await;
    let blocked = r[3..].iter().find(|r| r.path == "/bots").unwrap();
    check_delivery(blocked, "bot.detected", user, &s.json, &token, bots_secret);

    // Test keys never fire.
    let test = api
        .create_key(json!({"plan": "pro", "kind": "test", "account": id}))
        .await["key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(api.verify(&test, json!({"userId": "bot_2"})).await.status, 200);
    assert_eq!(api.verify(&test, json!({"userId": "u_2"})).await.status, 200);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(rx.requests().len(), 5, "test keys fired a webhook");
    assert_eq!(deliveries(&api, "delivered").await, 5);

    // The userId and the secrets went to the endpoint, never to a log.
    let logs = api.huma.logs().join("\n");
    for s in [user, "bot_1", all_secret, bots_secret, &token] {
        assert!(!logs.contains(s), "logs hold {s}");
    }
}

/// On Redis, verifies of an account without webhooks read its (empty)
/// webhook list at most once per cache period, not once per verify.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_without_webhooks_pay_no_redis_round_trip() {
    let env = Env::redis();
    let port = env
        .redis
        .as_ref()
        .unwrap()
        .url()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let hvals = || {
        let out = Command::new("redis-cli")
            .args(["-p", &port, "INFO", "commandstats"])
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("cmdstat_hvals:calls="))
            .map_or(0, |rest| rest.split(',').next().unwrap().parse::<u64>().unwrap())
    };
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let before = hvals();
    let started = Instant::now();
    for i in 0..30 {
        assert_eq!(api.verify(&key, json!({"userId": format!("u{i}")})).await.status, 200);
    }
    let periods = started.elapsed().as_secs() / 2 + 1;
    let reads = hvals() - before;
    assert!(
        reads <= periods,
        "{reads} webhook reads for 30 verifies in {periods} cache periods"
    );
}

async fn retries_keep_the_delivery_id(env: Env) {
    let rx = Receiver::start(vec![Reply::Status(500), Reply::Status(503)], Reply::Status(200)).await;
    let api = start(&env, &rx, &[]);
    let (key, _) = api.live_key("pro").await;
    register(&api, &key, &rx.url("/hook"), None).await;
    api.verify(&key, json!({"userId": "u1"})).await;
    let r = rx.wait_for(3, WAIT).await;
    let id = r[0].header("huma-delivery");
    assert!(id.starts_with("evt_"));
    for (i, x) in r.iter().enumerate() {
        assert_eq!(x.header("huma-delivery"), id, "attempt {i}");
        assert_eq!(x.body, r[0].body, "attempt {i}");
    }
    // The waits follow the schedule (1 s, then 1 s, each ±10 %).
    for w in r.windows(2) {
        let gap = w[1].at - w[0].at;
        assert!(gap >= Duration::from_millis(850), "{gap:?}");
    }
    wait_deliveries(&api, "delivered", 1).await;
    assert_eq!(deliveries(&api, "failed").await, 2);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(rx.requests().len(), 3, "nothing after the success");
}

/// Three events fail their first attempt; SIGTERM while they wait for their
/// retry; a new process on the same store delivers all three, same ids.
async fn a_restart_in_the_middle_of_retries_loses_nothing(env: Env) {
    let rx = Receiver::start(vec![Reply::Status(500); 3], Reply::Status(200)).await;
    let api = start(&env, &rx, &[("HUMA_WEBHOOK_RETRY_SCHEDULE", "2,2,2")]);
    let (key, _) = api.live_key("pro").await;
    register(&api, &key, &rx.url("/hook"), None).await;
    for i in 0..3 {
        api.verify(&key, json!({"userId": format!("u{i}")})).await;
    }
    let first = rx.wait_for(3, WAIT).await;
    let ids: BTreeSet<String> = first.iter().map(|r| r.header("huma-delivery").to_string()).collect();
    assert_eq!(ids.len(), 3);
    assert!(api.huma.terminate().success());
    assert_eq!(rx.requests().len(), 3, "no retry before the restart");

    let api = start(&env, &rx, &[("HUMA_WEBHOOK_RETRY_SCHEDULE", "2,2,2")]);
    let all = rx.wait_for(6, WAIT).await;
    let redelivered: BTreeSet<String> = all[3..].iter().map(|r| r.header("huma-delivery").to_string()).collect();
    assert_eq!(redelivered, ids);
    wait_deliveries(&api, "delivered", 3).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(rx.requests().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_queued_at_sigterm_are_delivered_after_the_restart() {
    let env = Env::embedded();
    // Every first attempt hangs, so the queue is full of entries when the
    // server is stopped; they must all arrive after the restart.
    let rx = Receiver::start(vec![], Reply::Hang).await;
    let extra = [("HUMA_WEBHOOK_WORKERS", "1"), ("HUMA_WEBHOOK_TIMEOUT_MS", "1500")];
    let api = start(&env, &rx, &extra);
    let (key, _) = api.live_key("pro").await;
    register(&api, &key, &rx.url("/hook"), None).await;
    for i in 0..5 {
        api.verify(&key, json!({"userId": format!("u{i}")})).await;
    }
    rx.wait_for(1, WAIT).await;
    assert!(api.huma.terminate().success());
    rx.set_default(Reply::Status(200));
    let api = start(&env, &rx, &extra);
    wait_deliveries(&api, "delivered", 5).await;
    let delivered: BTreeSet<String> = rx
        .requests()
        .iter()
        .map(|r| r.header("huma-delivery").to_string())
        .collect();
    assert_eq!(delivered.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gives_up_after_the_schedule() {
    let env = Env::embedded();
    let rx = Receiver::start(vec![], Reply::Status(500)).await;
    let api = start(&env, &rx, &[("HUMA_WEBHOOK_RETRY_SCHEDULE", "1")]);
    let (key, _) = api.live_key("pro").await;
    register(&api, &key, &rx.url("/hook"), None).await;
    api.verify(&key, json!({"userId": "u1"})).await;
    wait_deliveries(&api, "dropped", 1).await;
    assert_eq!(deliveries(&api, "failed").await, 2);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(rx.requests().len(), 2, "one attempt and one retry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gone_deactivates_the_endpoint() {
    let env = Env::embedded();
    let rx = Receiver::start(vec![], Reply::Status(410)).await;
    let api = start(&env, &rx, &[]);
    let (key, _) = api.live_key("pro").await;
    register(&api, &key, &rx.url("/hook"), None).await;
    api.verify(&key, json!({"userId": "u1"})).await;
    rx.wait_for(1, WAIT).await;
    wait_deliveries(&api, "gone", 1).await;
    assert_eq!(list(&api, &key).await["webhooks"][0]["active"], false);
    api.verify(&key, json!({"userId": "u2"})).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        rx.requests().len(),
        1,
        "an inactive endpoint gets nothing, not even a retry"
    );
}

/// While the receiver holds a delivery without answering, verifies of the
/// same account answer as they do for an account without webhooks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_endpoint_does_not_slow_verify() {
    let env = Env::embedded();
    let rx = Receiver::start(vec![], Reply::Hang).await;
    let api = start(&env, &rx, &[("HUMA_WEBHOOK_TIMEOUT_MS", "8000")]);
    let (with, _) = api.live_key("pro").await;
    let (without, _) = api.live_key("pro").await;
    register(&api, &with, &rx.url("/hook"), None).await;
    api.verify(&with, json!({"userId": "u0"})).await;
    rx.wait_for(1, WAIT).await;
    let held_since = Instant::now();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..10 {
        let t = Instant::now();
        assert_eq!(api.verify(&with, json!({"userId": format!("u{i}")})).await.status, 200);
        a.push(t.elapsed());
        assert!(rx.holding() >= 1, "the receiver still holds a delivery");
        let t = Instant::now();
        assert_eq!(
            api.verify(&without, json!({"userId": format!("u{i}")})).await.status,
            200
        );
        b.push(t.elapsed());
    }
    let all_verifies = held_since.elapsed();
    assert!(rx.holding() >= 1);
    a.sort();
    b.sort();
    println!(
        "median verify with a hanging webhook {:?}, without webhooks {:?}",
        a[5], b[5]
    );
    // Twenty verifies answered while one delivery was held (the attempt
    // timeout is 8 s): none waited for the endpoint.
    assert!(all_verifies < Duration::from_millis(8000) / 2, "{all_verifies:?}");
    assert!(a[9] < Duration::from_millis(8000) / 10, "slowest verify {:?}", a[9]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssrf_names_resolving_to_loopback_are_never_delivered() {
    let env = Env::embedded();
    let rx = Receiver::start(vec![], Reply::Status(200)).await;
    let ca = rx.ca_file.to_str().unwrap().to_string();
    // Private targets not allowed (the default).
    let api = env.start(&[("HUMA_WEBHOOK_CA_FILE", &ca), ("HUMA_WEBHOOK_RETRY_SCHEDULE", "1")]);
    let (key, _) = api.live_key("pro").await;
    for url in [
        format!("https://127.0.0.1:{}/hook", rx.port),
        format!("https://[::1]:{}/hook", rx.port),
    ] {
        api.post("/api/v1/webhooks", &key, json!({ "url": url }))
            .await
            .assert_error(400, "INVALID_WEBHOOK");
    }
    // A name is accepted (it may resolve elsewhere later) but checked on
    // the resolved address at every attempt.
    register(&api, &key, &rx.url("/hook"), None).await;
    api.verify(&key, json!({"userId": "u1"})).await;
    wait_deliveries(&api, "dropped", 1).await;
    assert_eq!(deliveries(&api, "refused").await, 2);
    assert!(rx.requests().is_empty(), "{:?}", rx.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_failures_and_never_followed() {
    let env = Env::embedded();
    let rx = Receiver::start(vec![], Reply::Status(200)).await;
    rx.set_default(Reply::Redirect(format!("https://127.0.0.1:{}/target", rx.port)));
    let api = start(&env, &rx, &[("HUMA_WEBHOOK_RETRY_SCHEDULE", "1")]);
    let (key, _) = api.live_key("pro").await;
    register(&api, &key, &rx.url("/hook"), None).await;
    api.verify(&key, json!({"userId": "u1"})).await;
    wait_deliveries(&api, "dropped", 1).await;
    assert_eq!(deliveries(&api, "failed").await, 2);
    let r = rx.requests();
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(r.iter().all(|r| r.path == "/hook"), "the redirect was followed: {r:?}");
}
