//! Whole-process behaviour: restarts (graceful and crash) on both backends,
//! two processes sharing one Redis, graceful shutdown, first-start key
//! bootstrap, the `huma keys` CLI, and the privacy scan of the store and the
//! logs after a run.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use common::api::{consume_race, human_signals, Api, Env};
use common::huma::{cli, Backend, Huma};

both_backends!(state_survives_a_restart, sigterm_drains_and_exits_zero);

async fn state_survives_a_restart(env: Env) {
    let api = env.start(&[]);
    let k = api.create_key(json!({"plan": "pro", "monthly_limit": 100})).await;
    let key = k["key"].as_str().unwrap().to_string();
    let v = api
        .verify(&key, json!({"userId": "u1", "sessionData": human_signals()}))
        .await;
    let token = v.json["token"].as_str().unwrap().to_string();
    let spent = api.verify(&key, json!({"userId": "u2"})).await.json["token"]
        .as_str()
        .unwrap()
        .to_string();
    let a = api
        .post("/api/v1/token/verify", &key, json!({"token": spent, "consume": true}))
        .await;
    assert_eq!(a.json["valid"], true);
    let revoked = api.create_key(json!({"plan": "pro"})).await;
    api.revoke_key(revoked["id"].as_str().unwrap()).await;
    assert!(api.huma.terminate().success(), "SIGTERM exits 0");

    let api = env.start(&[]);
    let a = api
        .post("/api/v1/token/verify", &key, json!({"token": token, "userId": "u1"}))
        .await;
    assert_eq!(a.json["valid"], true, "the token survived: {a:?}");
    let a = api
        .post("/api/v1/token/verify", &key, json!({"token": spent, "consume": true}))
        .await;
    assert_eq!(a.json["reason"], "already_used", "consumed stays consumed: {a:?}");
    let s = api
        .post("/api/v1/session", &key, json!({"userId": "u1", "sessionToken": token}))
        .await;
    assert_eq!(s.json["baseline"], v.json["score"], "the baseline survived: {s:?}");
    api.verify(revoked["key"].as_str().unwrap(), json!({"userId": "u"}))
        .await
        .assert_error(401, "INVALID_API_KEY");
    let me = api.listed_key(&k["id"]).await;
    assert_eq!(me["usage_this_month"], 2, "the quota counter survived: {me}");
}

async fn sigterm_drains_and_exits_zero(env: Env) {
    let api = Arc::new(env.start(&[]));
    let (key, _) = api.live_key("pro").await;
    // Requests in flight when SIGTERM arrives still get their answers.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (api, key) = (api.clone(), key.clone());
            tokio::spawn(async move {
                api.verify(&key, json!({"userId": format!("u{i}")}))
                    .await
                    .status
                    .as_u16()
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(5)).await;
    common::huma::signal(api.huma.pid(), "TERM");
    for t in tasks {
        let s = t.await.unwrap();
        assert_eq!(s, 200);
    }
    let api = Arc::try_unwrap(api).ok().expect("no other owner");
    assert!(api.huma.terminate().success());
}

#[test]
fn sigterm_right_after_start_up_still_drains() {
    // The handler is installed before "listening" is logged.
    for _ in 0..5 {
        let env = Env::embedded();
        let huma = Huma::start(&env.backend, &[]);
        assert!(huma.terminate().success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_turns_readyz_503_during_the_drain_delay() {
    let env = Env::embedded();
    let api = env.start(&[("HUMA_DRAIN_DELAY_MS", "1500")]);
    assert_eq!(api.request(Method::GET, "/readyz", None, None, &[]).await.status, 200);
    common::huma::signal(api.huma.pid(), "TERM");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = api.request(Method::GET, "/readyz", None, None, &[]).await;
    assert_eq!((r.status.as_u16(), r.text.as_str()), (503, "draining"));
    assert_eq!(api.request(Method::GET, "/healthz", None, None, &[]).await.status, 200);
    let (key, _) = api.live_key("pro").await;
    assert_eq!(
        api.verify(&key, json!({"userId": "u"})).await.status,
        200,
        "still serving while draining"
    );
    assert!(api.huma.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_crash_loses_at_most_a_flush_interval() {
    let env = Env::embedded();
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let v = api.verify(&key, json!({"userId": "u1"})).await;
    let token = v.json["token"].as_str().unwrap().to_string();
    // Past the 200 ms flush interval (and the contract's ~1 s), then a crash.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    api.huma.kill();
    let api = env.start(&[]);
    let a = api.post("/api/v1/token/verify", &key, json!({"token": token})).await;
    assert_eq!(a.json["valid"], true, "{a:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_redis_behave_as_one() {
    let env = Env::redis();
    let a = Arc::new(env.start(&[]));
    let b = Arc::new(Api::new(Huma::start(&env.backend, &[])));
    let k = a.create_key(json!({"plan": "pro", "monthly_limit": 4})).await;
    let key = k["key"].as_str().unwrap().to_string();
    // A key created on one instance works on the other; the quota is shared.
    let mut codes = Vec::new();
    for i in 0..5 {
        let api = if i % 2 == 0 { &a } else { &b };
        codes.push(
            api.verify(&key, json!({"userId": format!("u{i}")}))
                .await
                .status
                .as_u16(),
        );
    }
    assert_eq!(codes, [200, 200, 200, 200, 429]);
    // Consume-once holds across instances.
    let (key2, _) = a.live_key("pro").await;
    let token = b.verify(&key2, json!({"userId": "x"})).await.json["token"]
        .as_str()
        .unwrap()
        .to_string();
    let wins = consume_race(&[a.clone(), b.clone()], &key2, &token).await;
    assert_eq!(wins, 1);
    // A revoke on one instance is refused at once on the other.
    a.revoke_key(k["id"].as_str().unwrap()).await;
    b.verify(&key, json!({"userId": "late"}))
        .await
        .assert_error(401, "INVALID_API_KEY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_redis_answers_503_at_once_and_readyz_says_so() {
    let mut env = Env::redis();
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    assert_eq!(api.request(Method::GET, "/readyz", None, None, &[]).await.status, 200);
    drop(env.redis.take());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let a = api.verify(&key, json!({"userId": "u"})).await;
    a.assert_error(503, "UNAVAILABLE");
    assert_eq!(a.header("retry-after"), Some("1"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no hanging request: {:?}",
        started.elapsed()
    );
    assert_eq!(api.request(Method::GET, "/readyz", None, None, &[]).await.status, 503);
    assert_eq!(api.request(Method::GET, "/healthz", None, None, &[]).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_prints_a_key_once_and_dev_key_works() {
    let env = Env::embedded();
    let huma = Huma::start(&env.backend, &[]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let printed: Vec<String> = huma.stderr().into_iter().filter(|l| l.contains("huma_live_")).collect();
    assert_eq!(printed.len(), 1, "{printed:?}");
    let key = printed[0].rsplit(' ').next().unwrap().to_string();
    let api = Api::new(huma);
    assert_eq!(api.verify(&key, json!({"userId": "u"})).await.status, 200);
    assert!(
        api.huma.logs().iter().all(|l| !l.contains(&key)),
        "the key is not logged"
    );
    assert!(api.huma.terminate().success());
    let again = Huma::start(&env.backend, &[]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        again.stderr().iter().all(|l| !l.contains("huma_live_")),
        "printed once only"
    );
    drop(again);

    let dev = format!("huma_live_{}", "D".repeat(32));
    let env2 = Env::embedded();
    for _ in 0..2 {
        let api = Api::new(Huma::start(&env2.backend, &[("HUMA_DEV_KEY", &dev)]));
        let a = api.verify(&dev, json!({"userId": "u"})).await;
        assert_eq!(a.status, 200, "{a:?}");
        assert!(a.json.get("agent").is_none());
        assert!(api.huma.stderr().iter().all(|l| !l.contains("huma_live_")));
        assert!(api.huma.terminate().success());
    }
}

#[test]
fn bad_configuration_exits_2_naming_the_variable() {
    for (var, val) in [
        ("REDIS_URL", "localhost:6379"),
        ("HUMA_TOKEN_TTL_SECS", "soon"),
        ("HUMA_LISTEN", "nowhere"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_huma"))
            .env_clear()
            .env(var, val)
            .output()
            .expect("huma runs");
        assert_eq!(out.status.code(), Some(2), "{var}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(var), "{var}: {out:?}");
    }
}

#[test]
fn keys_cli_creates_lists_and_revokes() {
    for env in [Env::embedded(), Env::redis()] {
        let (s, out, err) = cli(&env.backend, &["keys", "create", "--plan", "starter", "--name", "shop"]);
        assert!(s.success(), "{out} {err}");
        let key = out
            .lines()
            .find_map(|l| l.strip_prefix("key:"))
            .unwrap()
            .trim()
            .to_string();
        let id = out
            .lines()
            .find_map(|l| l.strip_prefix("id:"))
            .unwrap()
            .trim()
            .to_string();
        assert!(key.starts_with("huma_live_"));
        let (s, out, _) = cli(&env.backend, &["keys", "list"]);
        assert!(s.success());
        assert!(
            out.contains(&id) && out.contains("starter") && !out.contains(&key),
            "{out}"
        );
        let (s, _, _) = cli(&env.backend, &["keys", "revoke", &id]);
        assert!(s.success());
        let (s, _, err) = cli(&env.backend, &["keys", "revoke", "key_missing"]);
        assert!(!s.success() && err.contains("key_missing"));
        let (_, out, _) = cli(&env.backend, &["keys", "list"]);
        assert!(out.lines().any(|l| l.contains(&id) && l.contains("true")), "{out}");
        if let Backend::Redis(_) = env.backend {
            continue;
        }
        // The revoked key is refused by a server on the same store.
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let api = env.start(&[]);
            api.verify(&key, json!({"userId": "u"}))
                .await
                .assert_error(401, "INVALID_API_KEY");
        });
    }
}

/// After a run with distinctive userIds, keys and tokens, neither the store
/// (every Redis key and value; every byte of the embedded files) nor the
/// logs hold any of them in the clear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_personal_in_the_store_or_the_logs() {
    for env in [Env::embedded(), Env::redis()] {
        let api = env.start(&[("RUST_LOG", "debug")]);
        let (key, _) = api.live_key("pro").await;
        let user = "alice.personal@example.com";
        let v = api
            .verify(
                &key,
                json!({"userId": user, "sessionData": human_signals(), "action": "signup"}),
            )
            .await;
        let token = v.json["token"].as_str().unwrap().to_string();
        api.post(
            "/api/v1/session",
            &key,
            json!({"userId": user, "sessionToken": token, "sessionData": human_signals()}),
        )
        .await;
        api.post(
            "/api/v1/token/verify",
            &key,
            json!({"token": token, "userId": user, "consume": true}),
        )
        .await;
        api.verify(&key, json!({"userId": user, "sessionData": {"v": 1, "dur": -1}}))
            .await;
        let logs = api.huma.logs().join("\n");
        assert!(api.huma.terminate().success());
        let secrets = [
            user,
            key.as_str(),
            token.as_str(),
            &key["huma_live_".len()..],
            &token["h_verified_".len()..],
        ];
        let stored: Vec<u8> = match &env.backend {
            Backend::Embedded(dir) => std::fs::read(dir.join("huma.redb")).expect("the store file"),
            Backend::Redis(_) => redis_dump(env.redis.as_ref().unwrap().url()),
        };
        assert!(!stored.is_empty());
        for s in secrets {
            assert!(!logs.contains(s), "logs hold {s}");
            assert!(!contains(&stored, s.as_bytes()), "{:?} holds {s}", env.backend);
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every key name and every value (as DUMP bytes) of a Redis server.
fn redis_dump(url: String) -> Vec<u8> {
    let port = url.trim_end_matches('/').rsplit(':').next().unwrap().to_string();
    let keys = Command::new("redis-cli")
        .args(["-p", &port, "--scan"])
        .output()
        .expect("redis-cli runs");
    let mut all = keys.stdout.clone();
    for k in String::from_utf8_lossy(&keys.stdout).lines() {
        let out = Command::new("redis-cli")
            .args(["-p", &port, "--no-raw", "DUMP", k])
            .output()
            .unwrap();
        all.extend(out.stdout);
        let h = Command::new("redis-cli")
            .args(["-p", &port, "HGETALL", k])
            .output()
            .unwrap();
        all.extend(h.stdout);
        let g = Command::new("redis-cli")
            .args(["-p", &port, "GET", k])
            .output()
            .unwrap();
        all.extend(g.stdout);
    }
    all
}
