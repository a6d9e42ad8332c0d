//! Redis faults under load: a real `redis-server` (append-only file, fsync
//! on every write) is killed and restarted on the same port while a few
//! tasks loop verify and token/verify against huma. Nothing answers 500,
//! nothing hangs (every answer within 1 s), 503s come only while Redis is
//! down (plus the breaker's cool-down after it returns, and one stall of
//! a slow fsync answered as the store timeout says), with
//! `Retry-After`, `/readyz` says 503 meanwhile, the server recovers by
//! itself, consume-once is still exact across the outage, and every
//! accepted verify's webhook event is delivered.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use common::api::Api;
use common::huma::{Backend, Huma};
use common::receiver::{Receiver, Reply};
use common::RedisServer;

#[derive(Debug, Clone)]
struct Call {
    /// Since the test's start.
    at: Duration,
    took: Duration,
    status: u16,
    verify: bool,
    retry_after: Option<String>,
    reason: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_killed_and_restarted_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let mut redis = RedisServer::start_persistent(dir.path());
    let rx = Receiver::start(vec![], Reply::Status(200)).await;
    let ca = rx.ca_file.to_str().unwrap().to_string();
    let api = Arc::new(Api::new(Huma::start(
        &Backend::Redis(redis.url()),
        &[
            ("HUMA_WEBHOOK_CA_FILE", &ca),
            ("HUMA_WEBHOOK_ALLOW_PRIVATE", "1"),
            ("HUMA_WEBHOOK_RETRY_SCHEDULE", "1,1,2"),
            // Above the production default (100 ms): this Redis fsyncs every
            // write, and on a shared disk an fsync now and then takes longer
            // than 100 ms — a 503 then is the store timeout doing its job
            // (seen in CI: one call of 103.8 ms answered 503 three seconds
            // after the restart), not the outage this test is about. Two
            // timed-out round trips stay under the 1 s every answer must keep.
            ("HUMA_REDIS_TIMEOUT_MS", "250"),
        ],
    )));
    let k = api
        .create_key(json!({"plan": "enterprise", "burst_per_minute": 1_000_000}))
        .await;
    let key = k["key"].as_str().unwrap().to_string();
    let hook = api
        .post(
            "/api/v1/webhooks",
            &key,
            json!({"url": rx.url("/hook"), "events": ["bot.detected"]}),
        )
        .await;
    assert_eq!(hook.status, 201, "{hook:?}");
    let mint = |api: Arc<Api>, key: String| async move {
        let v = api.verify(&key, json!({"userId": "u"})).await;
        assert_eq!(v.status, 200, "{v:?}");
        v.json["token"].as_str().unwrap().to_string()
    };
    // One token spent before the outage, one left unspent across it.
    let spent = mint(api.clone(), key.clone()).await;
    let a = api
        .post("/api/v1/token/verify", &key, json!({"token": spent, "consume": true}))
        .await;
    assert_eq!(a.json["valid"], true, "{a:?}");
    let unspent = mint(api.clone(), key.clone()).await;

    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(Mutex::new(Vec::<Call>::new()));
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let (api, key, stop, calls, spent) = (api.clone(), key.clone(), stop.clone(), calls.clone(), spent.clone());
            tokio::spawn(async move {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let at = t0.elapsed();
                    let verify = (n + i) % 2 == 0;
                    let a = if verify {
                        api.verify(&key, json!({"userId": format!("u{i}-{n}")})).await
                    } else {
                        api.post("/api/v1/token/verify", &key, json!({"token": spent, "consume": true}))
                            .await
                    };
                    let took = t0.elapsed() - at;
                    calls.lock().unwrap().push(Call {
                        at,
                        took,
                        status: a.status.as_u16(),
                        verify,
                        retry_after: a.header("retry-after").map(str::to_string),
                        reason: a.json["reason"].as_str().map(str::to_string),
                    });
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed_at = t0.elapsed();
    tokio::task::block_in_place(|| redis.kill());
    tokio::time::sleep(Duration::from_millis(700)).await;
    let r = api.request(Method::GET, "/readyz", None, None, &[]).await;
    assert_eq!(r.status, 503, "readyz while Redis is down");
    let m = api.request(Method::GET, "/metrics", None, None, &[]).await;
    assert!(
        m.text.contains("huma_store_breaker_state 1") || m.text.contains("huma_store_breaker_state 2"),
        "the breaker opened: {}",
        m.text
            .lines()
            .filter(|l| l.contains("breaker"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let restarting_at = t0.elapsed();
    tokio::task::block_in_place(|| redis.restart());
    let restarted_at = t0.elapsed();
    let ready_by = restarted_at + Duration::from_millis(2500);
    tokio::time::sleep(Duration::from_millis(3500)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }

    let calls = calls.lock().unwrap().clone();
    for l in api
        .huma
        .logs()
        .iter()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
    {
        if !l.contains("\"request\"") {
            println!("{l}");
        }
    }
    let slow: Vec<_> = calls.iter().filter(|c| c.took > Duration::from_secs(1)).collect();
    assert!(slow.is_empty(), "requests over 1 s: {slow:?}");
    let bad: Vec<_> = calls.iter().filter(|c| c.status != 200 && c.status != 503).collect();
    assert!(bad.is_empty(), "only 200 or 503: {bad:?}");
    for c in calls.iter().filter(|c| c.status == 503) {
        assert_eq!(c.retry_after.as_deref(), Some("1"), "{c:?}");
        assert!(
            c.at + c.took >= killed_at,
            "503 before the outage (killed {killed_at:?}): {c:?}"
        );
    }
    // After the outage a 503 is allowed only as the store timeout doing its
    // job: this Redis fsyncs every write, and a few seconds after the
    // restart an answer now and then takes longer than the timeout (seen
    // in CI at 100 ms, and in a full local run at 250 ms with the webhook
    // workers working off their backlog). That is one stall, logged as a
    // timeout, answered 503 for at most one breaker cycle; recovery is
    // checked after the load. Calls are listed as they finished, so the
    // stall's span is read from their start times.
    let late: Vec<_> = calls.iter().filter(|c| c.status == 503 && c.at > ready_by).collect();
    let (first, last) = (late.iter().map(|c| c.at).min(), late.iter().map(|c| c.at).max());
    if let (Some(first), Some(last)) = (first, last) {
        let timed_out = api.huma.logs().iter().any(|l| l.contains("did not answer within"));
        assert!(
            timed_out,
            "503 after the outage (killed {killed_at:?}, back {restarted_at:?}) with no store timeout logged: {late:?}"
        );
        assert!(
            last - first <= Duration::from_millis(1500),
            "one stall, one breaker cycle: {late:?}"
        );
        println!(
            "a store stall after the restart: {} answers 503 from {:?}",
            late.len(),
            first
        );
    }
    let during = calls
        .iter()
        .filter(|c| c.at > killed_at + Duration::from_millis(200) && c.at + c.took < restarting_at);
    let not_503: Vec<_> = during.clone().filter(|c| c.status != 503).collect();
    assert!(during.count() > 20 && not_503.is_empty(), "{not_503:?}");
    let after: Vec<_> = calls.iter().filter(|c| c.at > ready_by).collect();
    assert!(after.len() > 20, "load went on after recovery: {}", after.len());
    assert!(
        after
            .iter()
            .all(|c| c.status == 200 || late.iter().any(|l| l.at == c.at)),
        "recovered: {after:?}"
    );
    // The token consumed before the outage stayed consumed throughout.
    for c in calls.iter().filter(|c| c.status == 200 && c.reason.is_some()) {
        assert_eq!(c.reason.as_deref(), Some("already_used"), "{c:?}");
    }
    let first_recovered = calls
        .iter()
        .filter(|c| c.at > restarted_at && c.status == 200)
        .map(|c| c.at)
        .min();
    let mut fast: Vec<Duration> = calls.iter().filter(|c| c.status == 503).map(|c| c.took).collect();
    fast.sort();
    println!(
        "median 503 latency: {:?}, p99: {:?}",
        fast.get(fast.len() / 2),
        fast.get(fast.len() * 99 / 100)
    );
    println!(
        "calls: {}, 503s: {}, max latency: {:?}, killed at {killed_at:?}, restarted at {restarted_at:?}, first 200 after restart at {first_recovered:?}",
        calls.len(),
        calls.iter().filter(|c| c.status == 503).count(),
        calls.iter().map(|c| c.took).max().unwrap(),
    );

    assert_eq!(api.request(Method::GET, "/readyz", None, None, &[]).await.status, 200);
    // Consume-once is exact after the restart: the unspent token is spent
    // exactly once, the spent one stays spent.
    let wins = common::api::consume_race(std::slice::from_ref(&api), &key, &unspent).await;
    assert_eq!(wins, 1);
    let a = api
        .post("/api/v1/token/verify", &key, json!({"token": spent, "consume": true}))
        .await;
    assert_eq!(a.json["reason"], "already_used", "{a:?}");

    // Every verify that answered 200 (plus the two minted before the load)
    // had its event accepted into the outbox: each is delivered.
    let accepted = calls.iter().filter(|c| c.verify && c.status == 200).count() + 2;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ids: std::collections::HashSet<String> = rx
            .requests()
            .iter()
            .map(|r| r.header("huma-delivery").to_string())
            .collect();
        if ids.len() >= accepted {
            assert_eq!(ids.len(), accepted, "no event beyond the accepted ones");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {accepted} events delivered",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
