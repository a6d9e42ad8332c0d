//! One check per row of the contract (`shared/spec/api.md`), over real HTTP
//! against the real binary, on both the embedded store and a private
//! redis-server.

mod common;

use reqwest::Method;
use serde_json::{json, Value};

use common::api::{bot_signals, consume_race, human_signals, settle_in_minute, statuses, Api, Env};
use common::huma::ADMIN_TOKEN;

both_backends!(
    auth_errors,
    routing_errors,
    verify_without_signals,
    verify_with_signals,
    request_errors,
    signals_errors,
    body_limit,
    rate_limit_headers,
    burst_limit,
    flood_limit,
    monthly_quota,
    check_order,
    trial_expiry,
    publishable_keys,
    test_keys,
    session_heartbeat,
    heartbeat_limit,
    token_verify,
    token_freshness,
    parallel_consume,
    admin_api,
    operational_endpoints,
    replayed_signals,
);

async fn auth_errors(env: Env) {
    let api = env.start(&[]);
    let body = Some(json!({"userId": "u1"}).to_string());
    let a = api
        .request(Method::POST, "/api/v1/verify", None, body.clone(), &[])
        .await;
    a.assert_error(401, "MISSING_AUTH");
    assert!(
        a.header("ratelimit").is_none(),
        "no rate-limit headers before the key is known"
    );
    let a = api
        .request(
            Method::POST,
            "/api/v1/verify",
            None,
            body.clone(),
            &[("authorization", "Basic abc")],
        )
        .await;
    a.assert_error(401, "MISSING_AUTH");
    for bad in [
        "huma_live_short",
        "sk_live_00000000000000000000000000000000",
        "huma_live_0000000000000000000000000000000!",
    ] {
        api.verify(bad, json!({"userId": "u1"}))
            .await
            .assert_error(401, "INVALID_API_KEY_FORMAT");
    }
    let unknown = format!("huma_live_{}", "A".repeat(32));
    api.verify(&unknown, json!({"userId": "u1"}))
        .await
        .assert_error(401, "INVALID_API_KEY");
    // A key of one kind presented with another prefix is unknown.
    let (key, id) = api.live_key("pro").await;
    let swapped = key.replace("huma_live_", "huma_test_");
    api.verify(&swapped, json!({"userId": "u1"}))
        .await
        .assert_error(401, "INVALID_API_KEY");
    assert_eq!(api.verify(&key, json!({"userId": "u1"})).await.status, 200);
    api.revoke_key(&id).await;
    api.verify(&key, json!({"userId": "u1"}))
        .await
        .assert_error(401, "INVALID_API_KEY");
}

async fn routing_errors(env: Env) {
    let api = env.start(&[]);
    let a = api.request(Method::GET, "/nope", None, None, &[]).await;
    a.assert_error(404, "NOT_FOUND");
    let a = api.request(Method::GET, "/api/v1/verify", None, None, &[]).await;
    a.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(a.header("allow"), Some("POST"));
    let a = api.request(Method::POST, "/healthz", None, None, &[]).await;
    a.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(a.header("allow"), Some("GET"));
    let a = api
        .request(Method::PUT, "/admin/v1/keys", Some(ADMIN_TOKEN), None, &[])
        .await;
    a.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(a.header("allow"), Some("GET, POST"));
}

async fn verify_without_signals(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let a = api.verify(&key, json!({"userId": "user_abc123"})).await;
    assert_eq!(a.status, 200, "{a:?}");
    let conf = a.json["confidence"].as_f64().unwrap();
    assert!(conf <= 0.2, "{a:?}");
    assert_eq!(a.json["human"], false);
    assert_eq!(a.json["score"].as_u64().unwrap(), (conf * 100.0).round() as u64);
    assert_eq!(a.json["pii_stored"], false);
    assert!(a.json["notes"].as_array().unwrap().contains(&json!("no_signals")));
    assert!(a.json.get("agent").is_none(), "no agent block without signals: {a:?}");
    let token = a.json["token"].as_str().unwrap();
    assert!(token.starts_with("h_verified_") && token.len() == 33, "{token}");
    assert!(token["h_verified_".len()..].bytes().all(|b| b.is_ascii_alphanumeric()));
    let b = api.verify(&key, json!({"userId": "user_abc123"})).await;
    assert_ne!(b.json["token"], a.json["token"], "tokens are unique");
}

async fn verify_with_signals(env: Env) {
    let api = env.start(&[]);
    let (pro, _) = api.live_key("pro").await;
    let (starter, _) = api.live_key("starter").await;
    let a = api
        .verify(
            &pro,
            json!({"userId": "u1", "sessionData": human_signals(), "explain": true}),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let c = a.json["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&c));
    assert_eq!((c * 100.0).round(), c * 100.0, "two decimals: {c}");
    assert_eq!(a.json["human"], c >= 0.5);
    assert!(c >= 0.5, "a human-like window scores human: {a:?}");
    let agent = &a.json["agent"];
    assert_eq!(agent["is_agent"], false, "{a:?}");
    assert!(agent["agent_confidence"].as_f64().is_some() && agent["signals"].is_array());
    let reasons = a.json["reasons"].as_array().expect("explain adds reasons");
    assert!(!reasons.is_empty());
    let w: Vec<f64> = reasons.iter().map(|r| r["weight"].as_f64().unwrap().abs()).collect();
    assert!(w.windows(2).all(|p| p[0] >= p[1]), "largest magnitude first: {w:?}");
    // The seed's verifyWithSignals sends `signals`.
    let b = api
        .verify(&pro, json!({"userId": "u2", "signals": bot_signals()}))
        .await;
    assert_eq!(b.status, 200, "{b:?}");
    assert_eq!(b.json["human"], false, "{b:?}");
    assert_eq!(b.json["agent"]["is_agent"], true, "{b:?}");
    assert!(b.json["agent"]["signals"]
        .as_array()
        .unwrap()
        .contains(&json!("webdriver")));
    assert!(b.json.get("reasons").is_none());
    // Starter has no agent block.
    let s = api
        .verify(&starter, json!({"userId": "u3", "sessionData": bot_signals()}))
        .await;
    assert_eq!(s.status, 200);
    assert!(s.json.get("agent").is_none(), "{s:?}");
    // `sessionData: null` is no signals.
    let n = api.verify(&pro, json!({"userId": "u4", "sessionData": null})).await;
    assert!(
        n.json["notes"].as_array().unwrap().contains(&json!("no_signals")),
        "{n:?}"
    );
}

async fn request_errors(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let raw = |b: &str| api.request(Method::POST, "/api/v1/verify", Some(&key), Some(b.to_string()), &[]);
    for (body, needle) in [
        ("not json", "JSON"),
        ("[1,2]", "JSON object"),
        ("{}", "userId"),
        (r#"{"userId": 42}"#, "userId"),
        (r#"{"userId": ""}"#, "userId"),
        (r#"{"userId": "u", "explain": 1}"#, "explain"),
        (r#"{"userId": "u", "action": "has space"}"#, "action"),
    ] {
        let a = raw(body).await;
        a.assert_error(400, "INVALID_REQUEST");
        assert!(a.json["error"].as_str().unwrap().contains(needle), "{body}: {a:?}");
    }
    let long = json!({"userId": "x".repeat(257)}).to_string();
    raw(&long).await.assert_error(400, "INVALID_REQUEST");
    let max = json!({"userId": "x".repeat(256)}).to_string();
    assert_eq!(raw(&max).await.status, 200);
    let a = api.post("/api/v1/session", &key, json!({"userId": "u"})).await;
    a.assert_error(400, "INVALID_REQUEST");
    assert!(a.json["error"].as_str().unwrap().contains("sessionToken"));
    let a = api.post("/api/v1/token/verify", &key, json!({"consume": true})).await;
    a.assert_error(400, "INVALID_REQUEST");
    assert!(a.json["error"].as_str().unwrap().contains("token"));
}

async fn signals_errors(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let mut stride = human_signals();
    stride["m"] = json!([0, 1]);
    let mut order = human_signals();
    order["m"] = json!([50, 1, 1, 10, 2, 2]);
    for (signals, field) in [
        (stride, "m"),
        (order, "m"),
        (json!({"v": 2, "dur": 10}), "v"),
        (json!("a string"), "sessionData"),
        (json!({"v": 1, "dur": 10, "env": {"webdriver": "no"}}), "webdriver"),
    ] {
        let a = api.verify(&key, json!({"userId": "u", "sessionData": signals})).await;
        a.assert_error(400, "INVALID_SIGNALS");
        assert!(a.json["error"].as_str().unwrap().contains(field), "{field}: {a:?}");
    }
    // A reader who never touched the page is valid and not a bot.
    let a = api
        .verify(&key, json!({"userId": "u", "sessionData": {"v": 1, "dur": 5000}}))
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.json["human"], true, "{a:?}");
}

async fn body_limit(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let big = json!({"userId": "u", "pad": "x".repeat(70 * 1024)}).to_string();
    let a = api
        .request(Method::POST, "/api/v1/verify", Some(&key), Some(big), &[])
        .await;
    a.assert_error(413, "PAYLOAD_TOO_LARGE");
    let fits = json!({"userId": "u", "pad": "x".repeat(60 * 1024)}).to_string();
    assert_eq!(
        api.request(Method::POST, "/api/v1/verify", Some(&key), Some(fits), &[])
            .await
            .status,
        200
    );
}

async fn rate_limit_headers(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    for a in [
        api.verify(&key, json!({"userId": "u"})).await,
        api.verify(&key, json!({"nope": 1})).await,
        api.post("/api/v1/token/verify", &key, json!({"token": "h_verified_x"}))
            .await,
    ] {
        assert_eq!(a.header("ratelimit-policy"), Some("\"burst\";q=1200;w=60"), "{a:?}");
        let rl = a.header("ratelimit").expect("RateLimit header");
        assert!(rl.starts_with("\"burst\";r="), "{rl}");
        let t: u64 = rl.rsplit("t=").next().unwrap().parse().unwrap();
        assert!((1..=60).contains(&t), "{rl}");
    }
}

async fn burst_limit(env: Env) {
    let api = env.start(&[]);
    let k = api.create_key(json!({"plan": "pro", "burst_per_minute": 3})).await;
    let key = k["key"].as_str().unwrap();
    settle_in_minute().await;
    let mut i = 0;
    let codes = statuses(4, "BURST_LIMIT_EXCEEDED", || {
        i += 1;
        api.verify(key, json!({"userId": format!("u{i}")}))
    })
    .await;
    assert_eq!(codes, [200, 200, 200, 429]);
    // The burst counts every /api/v1 call of the key, not only verifies.
    let a = api.post("/api/v1/token/verify", key, json!({"token": "x"})).await;
    a.assert_error(429, "BURST_LIMIT_EXCEEDED");
    assert!(a.header("ratelimit").is_some_and(|r| r.contains("r=0")), "{a:?}");
}

async fn flood_limit(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    settle_in_minute().await;
    let codes = statuses(11, "USER_FLOOD_DETECTED", || {
        api.verify(&key, json!({"userId": "same_user"}))
    })
    .await;
    assert_eq!(codes, [[200; 10].as_slice(), &[429]].concat());
    assert_eq!(api.verify(&key, json!({"userId": "other_user"})).await.status, 200);
}

async fn monthly_quota(env: Env) {
    let api = env.start(&[]);
    let k = api.create_key(json!({"plan": "starter", "monthly_limit": 2})).await;
    let key = k["key"].as_str().unwrap();
    // A refused body does not use quota.
    api.verify(key, json!({})).await.assert_error(400, "INVALID_REQUEST");
    assert_eq!(api.verify(key, json!({"userId": "a"})).await.status, 200);
    assert_eq!(api.verify(key, json!({"userId": "b"})).await.status, 200);
    api.verify(key, json!({"userId": "c"}))
        .await
        .assert_error(429, "MONTHLY_LIMIT_EXCEEDED");
    // challenge/create is metered too.
    api.post("/api/v1/challenge/create", key, json!({"userId": "c"}))
        .await
        .assert_error(429, "MONTHLY_LIMIT_EXCEEDED");
    // Heartbeats and token checks are not metered.
    let a = api
        .post(
            "/api/v1/token/verify",
            key,
            json!({"token": "h_verified_0000000000000000000000"}),
        )
        .await;
    assert_eq!(a.status, 200);
    let me = api.listed_key(&k["id"]).await;
    assert_eq!(me["usage_this_month"], 2, "{me}");
}

async fn check_order(env: Env) {
    let api = env.start(&[]);
    // Over quota and a bad body: the quota answers first.
    let k = api.create_key(json!({"plan": "pro", "monthly_limit": 0})).await;
    api.verify(k["key"].as_str().unwrap(), json!({"bad": true}))
        .await
        .assert_error(429, "MONTHLY_LIMIT_EXCEEDED");
    // Expired and over quota: expiry first.
    let k = api
        .create_key(json!({"plan": "pro", "monthly_limit": 0, "expires_at": "2020-01-01T00:00:00Z"}))
        .await;
    api.verify(k["key"].as_str().unwrap(), json!({"bad": true}))
        .await
        .assert_error(402, "TRIAL_EXPIRED");
    // Bad body before the flood check: the flood needs a userId.
    let (key, _) = api.live_key("pro").await;
    api.verify(&key, json!({"userId": 1}))
        .await
        .assert_error(400, "INVALID_REQUEST");
}

async fn trial_expiry(env: Env) {
    let api = env.start(&[]);
    let k = api.create_key(json!({"plan": "trial"})).await;
    let exp = k["expires_at"].as_str().expect("trial keys end");
    assert!(exp.ends_with('Z'));
    assert_eq!(
        api.verify(k["key"].as_str().unwrap(), json!({"userId": "u"}))
            .await
            .status,
        200
    );
    let old = api
        .create_key(json!({"plan": "trial", "expires_at": "2021-06-01T00:00:00Z"}))
        .await;
    let a = api.verify(old["key"].as_str().unwrap(), json!({"userId": "u"})).await;
    a.assert_error(402, "TRIAL_EXPIRED");
    assert!(a.header("ratelimit").is_none());
}

async fn publishable_keys(env: Env) {
    let api = env.start(&[]);
    let (live, live_id) = api.live_key("pro").await;
    let p = api
        .create_key(
            json!({"plan": "pro", "kind": "publishable", "account": live_id, "origins": ["https://shop.example"]}),
        )
        .await;
    let pubk = p["key"].as_str().unwrap();
    assert!(pubk.starts_with("huma_pub_"));
    let body = Some(json!({"userId": "u1", "sessionData": human_signals()}).to_string());
    let no_origin = api
        .request(Method::POST, "/api/v1/verify", Some(pubk), body.clone(), &[])
        .await;
    no_origin.assert_error(403, "FORBIDDEN");
    let wrong = api
        .request(
            Method::POST,
            "/api/v1/verify",
            Some(pubk),
            body.clone(),
            &[("origin", "https://evil.example")],
        )
        .await;
    wrong.assert_error(403, "FORBIDDEN");
    let ok = api
        .request(
            Method::POST,
            "/api/v1/verify",
            Some(pubk),
            body,
            &[("origin", "https://shop.example")],
        )
        .await;
    assert_eq!(ok.status, 200, "{ok:?}");
    let token = ok.json["token"].as_str().unwrap();
    // Only a secret key checks tokens, and it sees tokens of its account.
    let t = api
        .request(
            Method::POST,
            "/api/v1/token/verify",
            Some(pubk),
            Some(json!({"token": token}).to_string()),
            &[("origin", "https://shop.example")],
        )
        .await;
    t.assert_error(403, "FORBIDDEN");
    let t = api
        .post("/api/v1/token/verify", &live, json!({"token": token, "userId": "u1"}))
        .await;
    assert_eq!(t.json["valid"], true, "{t:?}");
    assert_eq!(t.json["hostname"], "shop.example");
    // A publishable key needs origins, and a valid account.
    let a = api
        .request(
            Method::POST,
            "/admin/v1/keys",
            Some(ADMIN_TOKEN),
            Some(json!({"plan": "pro", "kind": "publishable"}).to_string()),
            &[],
        )
        .await;
    a.assert_error(400, "INVALID_REQUEST");
}

async fn test_keys(env: Env) {
    let api = env.start(&[]);
    let (_, live_id) = api.live_key("pro").await;
    let t = api
        .create_key(json!({"plan": "pro", "kind": "test", "account": live_id, "monthly_limit": 1}))
        .await;
    let key = t["key"].as_str().unwrap();
    for (user, conf, human, agent) in [
        ("bot_1", 0.05, false, false),
        ("agent_1", 0.95, true, true),
        ("borderline_1", 0.45, false, false),
        ("alice", 0.95, true, false),
        ("alice2", 0.95, true, false),
    ] {
        let a = api.verify(key, json!({"userId": user})).await;
        assert_eq!(a.status, 200, "test keys never count toward quota: {a:?}");
        assert_eq!(a.json["confidence"], json!(conf), "{user}");
        assert_eq!(a.json["human"], human, "{user}");
        assert_eq!(a.json["agent"]["is_agent"], agent, "{user}: {a:?}");
        assert!(a.json["notes"].as_array().unwrap().contains(&json!("test_key")));
    }
}

async fn session_heartbeat(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let (other, _) = api.live_key("pro").await;
    let v = api
        .verify(&key, json!({"userId": "u1", "sessionData": human_signals()}))
        .await;
    let token = v.json["token"].as_str().unwrap().to_string();
    let baseline = v.json["score"].as_u64().unwrap();
    // No activity: the baseline stands.
    let a = api
        .post("/api/v1/session", &key, json!({"userId": "u1", "sessionToken": token}))
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.json["score"].as_u64().unwrap(), baseline);
    assert_eq!(a.json["baseline"].as_u64().unwrap(), baseline);
    assert_eq!(a.json["delta"], 0);
    assert_eq!(a.json["action"], "allow");
    assert_eq!(a.json["notes"], json!(["no_activity"]));
    let a = api
        .post(
            "/api/v1/session",
            &key,
            json!({"userId": "u1", "sessionToken": token, "sessionData": {"v": 1, "dur": 30000}}),
        )
        .await;
    assert_eq!(a.json["notes"], json!(["no_activity"]), "{a:?}");
    // The same person keeps going.
    let a = api
        .post(
            "/api/v1/session",
            &key,
            json!({"userId": "u1", "sessionToken": token, "sessionData": human_signals()}),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let s = a.json["score"].as_i64().unwrap();
    assert_eq!(a.json["delta"].as_i64().unwrap(), s - baseline as i64);
    assert_eq!(a.json["action"], "allow", "{a:?}");
    // A script takes over.
    let a = api
        .post(
            "/api/v1/session",
            &key,
            json!({"userId": "u1", "sessionToken": token, "sessionData": bot_signals()}),
        )
        .await;
    assert_eq!(a.json["anomaly"], true, "{a:?}");
    let s = a.json["score"].as_u64().unwrap();
    assert_eq!(a.json["action"], if s < 30 { "block" } else { "flag" }, "{a:?}");
    // Unknown token, wrong user, foreign account: all plain 404.
    for (k, body) in [
        (
            &key,
            json!({"userId": "u1", "sessionToken": "h_verified_0000000000000000000000"}),
        ),
        (&key, json!({"userId": "u1", "sessionToken": "garbage"})),
        (&key, json!({"userId": "u2", "sessionToken": token})),
        (&other, json!({"userId": "u1", "sessionToken": token})),
    ] {
        api.post("/api/v1/session", k, body)
            .await
            .assert_error(404, "NOT_FOUND");
    }
}

async fn heartbeat_limit(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let v = api.verify(&key, json!({"userId": "u1"})).await;
    let token = v.json["token"].as_str().unwrap();
    settle_in_minute().await;
    let body = json!({"userId": "u1", "sessionToken": token});
    let codes = statuses(7, "BURST_LIMIT_EXCEEDED", || {
        api.post("/api/v1/session", &key, body.clone())
    })
    .await;
    assert_eq!(codes, [200, 200, 200, 200, 200, 200, 429]);
}

async fn token_verify(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let (other, _) = api.live_key("pro").await;
    let v = api
        .verify(
            &key,
            json!({"userId": "u1", "action": "login", "sessionData": human_signals()}),
        )
        .await;
    let token = v.json["token"].as_str().unwrap().to_string();
    let api = &api;
    let check = |k: &str, body: Value| {
        let k = k.to_string();
        async move { api.post("/api/v1/token/verify", &k, body).await }
    };
    let a = check(&key, json!({"token": token, "userId": "u1", "action": "login"})).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["valid"], true, "{a:?}");
    assert!(a.json.get("reason").is_none());
    assert_eq!(a.json["kind"], "verified");
    assert_eq!(a.json["human"], v.json["human"]);
    assert_eq!(a.json["confidence"], v.json["confidence"]);
    assert_eq!(a.json["action"], "login");
    assert_eq!(a.json["hostname"], "shop.example");
    assert!(a.json["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(a.json["expires_at"].as_str().unwrap() > a.json["created_at"].as_str().unwrap());
    for (body, reason) in [
        (json!({"token": token, "userId": "u2"}), "user_mismatch"),
        (json!({"token": token, "action": "checkout"}), "action_mismatch"),
        (json!({"token": "h_verified_0000000000000000000000"}), "not_found"),
        (json!({"token": "nonsense"}), "not_found"),
    ] {
        let a = check(&key, body).await;
        assert_eq!(a.json["valid"], false, "{a:?}");
        assert_eq!(a.json["reason"], reason, "{a:?}");
    }
    assert_eq!(check(&other, json!({"token": token})).await.json["reason"], "not_found");
    let a = check(&key, json!({"token": token, "consume": true})).await;
    assert_eq!(a.json["valid"], true, "{a:?}");
    let a = check(&key, json!({"token": token, "consume": true})).await;
    assert_eq!(
        (a.json["valid"].clone(), a.json["reason"].clone()),
        (json!(false), json!("already_used"))
    );
    let a = check(&key, json!({"token": token})).await;
    assert_eq!(a.json["reason"], "already_used");
}

async fn token_freshness(env: Env) {
    let api = env.start(&[("HUMA_TOKEN_FRESH_SECS", "1"), ("HUMA_TOKEN_TTL_SECS", "3")]);
    let (key, _) = api.live_key("pro").await;
    let v = api.verify(&key, json!({"userId": "u1"})).await;
    let token = v.json["token"].as_str().unwrap();
    assert_eq!(
        api.post("/api/v1/token/verify", &key, json!({"token": token}))
            .await
            .json["valid"],
        true
    );
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let a = api
        .post("/api/v1/token/verify", &key, json!({"token": token, "consume": true}))
        .await;
    assert_eq!(a.json["reason"], "expired", "{a:?}");
    // Still a session baseline.
    let s = api
        .post("/api/v1/session", &key, json!({"userId": "u1", "sessionToken": token}))
        .await;
    assert_eq!(s.status, 200, "{s:?}");
    // Past the baseline TTL the token is gone.
    tokio::time::sleep(std::time::Duration::from_millis(2000)).await;
    let s = api
        .post("/api/v1/session", &key, json!({"userId": "u1", "sessionToken": token}))
        .await;
    s.assert_error(404, "NOT_FOUND");
    let a = api.post("/api/v1/token/verify", &key, json!({"token": token})).await;
    assert_eq!(a.json["reason"], "not_found", "{a:?}");
}

async fn parallel_consume(env: Env) {
    let api = std::sync::Arc::new(env.start(&[]));
    let (key, _) = api.live_key("pro").await;
    for round in 0..3 {
        let v = api.verify(&key, json!({"userId": format!("u{round}")})).await;
        let token = v.json["token"].as_str().unwrap().to_string();
        let valid = consume_race(std::slice::from_ref(&api), &key, &token).await;
        assert_eq!(valid, 1, "exactly one consume wins");
    }
}

async fn admin_api(env: Env) {
    let api = env.start(&[]);
    let a = api.request(Method::GET, "/admin/v1/keys", None, None, &[]).await;
    a.assert_error(401, "MISSING_AUTH");
    let a = api
        .request(Method::GET, "/admin/v1/keys", Some("wrong-token"), None, &[])
        .await;
    a.assert_error(401, "INVALID_API_KEY");
    let k = api
        .create_key(json!({"plan": "enterprise", "name": "acme", "burst_per_minute": 5}))
        .await;
    for f in ["id", "key", "kind", "plan", "name", "created_at", "expires_at"] {
        assert!(k.get(f).is_some(), "{f} in {k}");
    }
    assert_eq!(k["kind"], "live");
    assert_eq!(k["plan"], "enterprise");
    assert!(k["expires_at"].is_null());
    assert!(k["id"].as_str().unwrap().starts_with("key_"));
    let list = api
        .request(Method::GET, "/admin/v1/keys", Some(ADMIN_TOKEN), None, &[])
        .await;
    let keys = list.json["keys"].as_array().unwrap();
    let me = keys.iter().find(|x| x["id"] == k["id"]).expect("listed");
    for f in [
        "id",
        "plan",
        "name",
        "created_at",
        "expires_at",
        "revoked",
        "usage_this_month",
    ] {
        assert!(me.get(f).is_some(), "{f} in {me}");
    }
    assert!(me.get("key").is_none(), "the key is shown only at creation");
    assert!(!list.text.contains(k["key"].as_str().unwrap()));
    for bad in [
        json!({"plan": "gold"}),
        json!({}),
        json!({"plan": "pro", "kind": "root"}),
        json!({"plan": "pro", "expires_at": "tomorrow"}),
    ] {
        let a = api
            .request(
                Method::POST,
                "/admin/v1/keys",
                Some(ADMIN_TOKEN),
                Some(bad.to_string()),
                &[],
            )
            .await;
        a.assert_error(400, "INVALID_REQUEST");
    }
    let a = api
        .request(Method::DELETE, "/admin/v1/keys/key_nope", Some(ADMIN_TOKEN), None, &[])
        .await;
    a.assert_error(404, "NOT_FOUND");
    // Without HUMA_ADMIN_TOKEN the operator API does not exist.
    drop(api);
    let off = Api::new(common::huma::Huma::start(&env.backend, &[("HUMA_ADMIN_TOKEN", "")]));
    off.request(Method::GET, "/admin/v1/keys", Some(ADMIN_TOKEN), None, &[])
        .await
        .assert_error(404, "NOT_FOUND");
}

async fn operational_endpoints(env: Env) {
    let api = env.start(&[]);
    let a = api.request(Method::GET, "/healthz", None, None, &[]).await;
    assert_eq!((a.status.as_u16(), a.text.as_str()), (200, "ok"));
    let a = api.request(Method::GET, "/readyz", None, None, &[]).await;
    assert_eq!(a.status, 200);
    let (key, _) = api.live_key("pro").await;
    api.verify(&key, json!({"userId": "u"})).await;
    let m = api.request(Method::GET, "/metrics", None, None, &[]).await;
    assert_eq!(m.status, 200);
    assert!(
        m.text
            .contains("huma_requests_total{route=\"verify\",status=\"200\"} 1"),
        "{}",
        m.text
    );
    assert!(m.text.contains("huma_request_duration_seconds_bucket"));
    assert!(m.text.contains("huma_score_bucket"));
}

async fn replayed_signals(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let (other, _) = api.live_key("pro").await;
    let window = human_signals();
    let first = api.verify(&key, json!({"userId": "u1", "sessionData": window})).await;
    assert_eq!(first.json["human"], true, "{first:?}");
    assert!(!first.json["notes"]
        .as_array()
        .unwrap()
        .contains(&json!("replayed_signals")));
    // The same trace again, and a copy shifted 700 ms later: replays.
    let mut shifted = window.clone();
    for (arr, stride) in [("m", 3), ("c", 5), ("k", 3)] {
        let xs = shifted[arr].as_array_mut().unwrap();
        for i in (0..xs.len()).step_by(stride) {
            xs[i] = json!(xs[i].as_f64().unwrap() + 700.0);
        }
    }
    shifted["dur"] = json!(shifted["dur"].as_f64().unwrap() + 700.0);
    for again in [window.clone(), shifted] {
        let a = api
            .verify(&key, json!({"userId": "u2", "sessionData": again, "explain": true}))
            .await;
        assert_eq!(a.json["human"], false, "{a:?}");
        assert!(
            a.json["notes"].as_array().unwrap().contains(&json!("replayed_signals")),
            "{a:?}"
        );
        assert_eq!(a.json["reasons"][0]["code"], "replayed_signals");
    }
    // A copy with noise (±1 px, ±2 ms, order kept), as a replay tool that
    // knows about exact fingerprints would send: caught by the sketch.
    let mut noisy = window.clone();
    let mut flip = 0u64;
    for (arr, stride, xy) in [("m", 3, true), ("c", 5, true), ("k", 3, false)] {
        let xs = noisy[arr].as_array_mut().unwrap();
        let mut prev = 0.0f64;
        for i in (0..xs.len()).step_by(stride) {
            flip = flip.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let d = |k: u64| ((flip >> (20 + 8 * k)) % 3) as f64 - 1.0;
            let t = (xs[i].as_f64().unwrap() + 2.0 * d(0)).max(prev);
            (xs[i], prev) = (json!(t), t);
            if xy {
                xs[i + 1] = json!(xs[i + 1].as_f64().unwrap() + d(1));
                xs[i + 2] = json!(xs[i + 2].as_f64().unwrap() + d(2));
            }
        }
    }
    let n = api
        .verify(&key, json!({"userId": "u3", "sessionData": noisy, "explain": true}))
        .await;
    assert_eq!(n.json["human"], false, "{n:?}");
    assert_eq!(n.json["reasons"][0]["code"], "replayed_signals", "{n:?}");
    // Another person's window is not a replay of this one.
    let fresh = api
        .verify(&key, json!({"userId": "u4", "sessionData": human_signals()}))
        .await;
    assert_eq!(fresh.json["human"], true, "{fresh:?}");
    // Fingerprints are per account.
    let b = api.verify(&other, json!({"userId": "u1", "sessionData": window})).await;
    assert_eq!(b.json["human"], true, "{b:?}");
    // A heartbeat replaying the verify window is a replay too.
    let token = first.json["token"].as_str().unwrap();
    let s = api
        .post(
            "/api/v1/session",
            &key,
            json!({"userId": "u1", "sessionToken": token, "sessionData": window}),
        )
        .await;
    assert_eq!(s.json["action"], "block", "{s:?}");
    assert!(s.json["notes"].as_array().unwrap().contains(&json!("replayed_signals")));
}
