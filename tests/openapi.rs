//! Keeps `openapi.yaml` honest: the document is what `GET /openapi.yaml`
//! serves; every path the router knows is documented and every documented
//! path is routed; a method a path does not document answers 405 with an
//! `Allow` header naming exactly the documented ones; and real answers of
//! the running server — successes and every error the scenario can provoke
//! — have a documented status, their documented required headers, a
//! documented content type, and a body valid against the documented
//! schema (JSON Schema 2020-12, through the `jsonschema` crate).

mod common;

use reqwest::Method;
use serde_json::{json, Value};

use common::api::{human_signals, Answer, Api, Env};
use common::huma::ADMIN_TOKEN;

const DOC: &str = include_str!("../openapi.yaml");
const ROUTER: &str = include_str!("../src/router.rs");
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn doc() -> Value {
    serde_norway::from_str(DOC).expect("openapi.yaml parses")
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {r}")),
        None => v,
    }
}

/// `schema` with the document's components beside it, so its `$ref`s resolve.
fn validate(doc: &Value, schema: &Value, instance: &Value, what: &str) {
    let mut root = schema.clone();
    if let Value::Object(m) = &mut root {
        m.insert("components".into(), doc["components"].clone());
    }
    let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{what}: bad schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{instance}");
}

/// Checks one real answer against the document's `path` `method` operation.
fn check(doc: &Value, path: &str, method: &str, a: &Answer) {
    let what = format!("{method} {path} → {}", a.status.as_u16());
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{what}: undocumented operation");
    let status = a.status.as_u16().to_string();
    let resp = resolve(
        doc,
        op["responses"]
            .get(&status)
            .unwrap_or_else(|| panic!("{what}: undocumented status\n{}", a.text)),
    );
    if let Some(headers) = resp["headers"].as_object() {
        for (name, h) in headers {
            let h = resolve(doc, h);
            match a.header(name) {
                Some(v) => validate(
                    doc,
                    &h["schema"],
                    &header_value(&h["schema"], v),
                    &format!("{what}: header {name}"),
                ),
                None => assert!(h["required"] != true, "{what}: required header {name} missing"),
            }
        }
    }
    let id = a.header("x-request-id").expect("every answer has X-Request-Id");
    validate(
        doc,
        &doc["components"]["headers"]["XRequestId"]["schema"],
        &json!(id),
        &what,
    );
    match resp["content"].as_object() {
        None => assert!(a.text.is_empty(), "{what}: a body where none is documented: {}", a.text),
        Some(content) => {
            let ct = a.header("content-type").unwrap_or("").split(';').next().unwrap().trim();
            let media = content
                .get(ct)
                .unwrap_or_else(|| panic!("{what}: undocumented content type {ct}"));
            let body = if ct == "application/json" {
                serde_json::from_str(&a.text).unwrap_or_else(|_| panic!("{what}: not JSON: {}", a.text))
            } else {
                Value::String(a.text.clone())
            };
            validate(doc, &media["schema"], &body, &what);
        }
    }
}

/// A 70 KiB verify. The server answers 413 without reading the body and
/// closes the connection; when the close overtakes the answer on the wire
/// (a reset while the client still writes) the client sees no answer at
/// all, so the call is tried a few times (the existing `tests/api.rs`
/// body-limit test has the same race).
async fn too_large(api: &Api, key: &str) -> Answer {
    let big = json!({"userId": "u", "pad": "x".repeat(70 * 1024)}).to_string();
    for _ in 0..5 {
        // Its own client: the closed connection must not go back to the
        // shared client's pool, where the next call could pick it up.
        let sent = reqwest::Client::new()
            .post(api.huma.url("/api/v1/verify"))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await;
        if let Ok(r) = sent {
            let (status, headers) = (r.status(), r.headers().clone());
            let text = r.text().await.unwrap_or_default();
            let json = serde_json::from_str(&text).unwrap_or(Value::Null);
            return Answer {
                status,
                headers,
                text,
                json,
            };
        }
    }
    panic!("no answer to an oversized body in 5 tries");
}

fn header_value(schema: &Value, v: &str) -> Value {
    match schema["type"].as_str() {
        Some("integer") => v.parse::<i64>().map_or(json!(v), |n| json!(n)),
        _ => json!(v),
    }
}

#[test]
fn router_and_document_name_the_same_paths() {
    let doc = doc();
    let documented: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    // Every path literal of the router ("/…", or a prefix "/…/" taking an id).
    let mut routed = Vec::new();
    for piece in ROUTER.split('"').skip(1).step_by(2) {
        if piece.starts_with('/') && !piece.contains(' ') && !piece.contains('{') {
            routed.push(if piece.ends_with('/') {
                format!("{piece}{{id}}")
            } else {
                piece.to_string()
            });
        }
    }
    routed.sort();
    routed.dedup();
    for r in &routed {
        assert!(
            documented.contains(&r.as_str()),
            "{r} is routed but not in openapi.yaml"
        );
    }
    for d in &documented {
        assert!(routed.iter().any(|r| r == d), "{d} is in openapi.yaml but not routed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undocumented_methods_answer_405_with_the_documented_allow() {
    let doc = doc();
    let env = Env::embedded();
    let api = env.start(&[]);
    for (path, item) in doc["paths"].as_object().unwrap() {
        let url = path.replace("{id}", "some_id");
        let auth = path.starts_with("/admin").then_some(ADMIN_TOKEN);
        let allowed: Vec<String> = METHODS
            .iter()
            .filter(|m| item.get(**m).is_some())
            .map(|m| m.to_uppercase())
            .collect();
        for m in METHODS.iter().filter(|m| item.get(**m).is_none()) {
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
            let a = api.request(method, &url, auth, None, &[]).await;
            a.assert_error(405, "METHOD_NOT_ALLOWED");
            let mut allow: Vec<String> = a.header("allow").unwrap().split(", ").map(str::to_string).collect();
            allow.sort();
            let mut want = allowed.clone();
            want.sort();
            assert_eq!(allow, want, "{m} {path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_answers_match_the_document() {
    let doc = doc();
    let env = Env::embedded();
    let api = env.start(&[]);
    let served = api.request(Method::GET, "/openapi.yaml", None, None, &[]).await;
    assert_eq!(served.text, DOC, "the served document is the file");
    check(&doc, "/openapi.yaml", "get", &served);
    for p in ["/healthz", "/readyz", "/metrics", "/v1/huma.js", "/demo"] {
        let a = api.request(Method::GET, p, None, None, &[]).await;
        check(&doc, p, "get", &a);
    }
    let etag = api.request(Method::GET, "/v1/huma.js", None, None, &[]).await;
    let etag = etag.header("etag").unwrap().to_string();
    let a = api
        .request(Method::GET, "/v1/huma.js", None, None, &[("if-none-match", &etag)])
        .await;
    check(&doc, "/v1/huma.js", "get", &a);

    // Operator API.
    let post = |path: &'static str, key: String, body: Value| {
        let api = &api;
        async move {
            api.request(Method::POST, path, Some(&key), Some(body.to_string()), &[])
                .await
        }
    };
    let admin = ADMIN_TOKEN.to_string();
    let created = post("/admin/v1/keys", admin.clone(), json!({"plan": "pro", "name": "acme"})).await;
    check(&doc, "/admin/v1/keys", "post", &created);
    let key = created.json["key"].as_str().unwrap().to_string();
    check(
        &doc,
        "/admin/v1/keys",
        "post",
        &post("/admin/v1/keys", admin.clone(), json!({"plan": "gold"})).await,
    );
    check(
        &doc,
        "/admin/v1/keys",
        "post",
        &post("/admin/v1/keys", "wrong".into(), json!({"plan": "pro"})).await,
    );
    let list = api
        .request(Method::GET, "/admin/v1/keys", Some(ADMIN_TOKEN), None, &[])
        .await;
    check(&doc, "/admin/v1/keys", "get", &list);
    let victim = post(
        "/admin/v1/keys",
        admin.clone(),
        json!({"plan": "trial", "expires_at": "2020-01-01T00:00:00Z"}),
    )
    .await;
    check(&doc, "/admin/v1/keys", "post", &victim);
    let expired_key = victim.json["key"].as_str().unwrap().to_string();
    let slow = post(
        "/admin/v1/keys",
        admin.clone(),
        json!({"plan": "pro", "burst_per_minute": 1}),
    )
    .await;
    let slow_key = slow.json["key"].as_str().unwrap().to_string();
    let pubk = post(
        "/admin/v1/keys",
        admin.clone(),
        json!({"plan": "pro", "kind": "publishable", "origins": ["https://shop.example"], "account": created.json["id"]}),
    )
    .await;
    check(&doc, "/admin/v1/keys", "post", &pubk);
    let pub_key = pubk.json["key"].as_str().unwrap().to_string();
    let del = |id: String| {
        let api = &api;
        async move {
            api.request(
                Method::DELETE,
                &format!("/admin/v1/keys/{id}"),
                Some(ADMIN_TOKEN),
                None,
                &[],
            )
            .await
        }
    };
    check(&doc, "/admin/v1/keys/{id}", "delete", &del("key_missing".into()).await);

    // Verification.
    let v = post(
        "/api/v1/verify",
        key.clone(),
        json!({"userId": "u1", "sessionData": human_signals(), "explain": true, "action": "signup"}),
    )
    .await;
    check(&doc, "/api/v1/verify", "post", &v);
    let token = v.json["token"].as_str().unwrap().to_string();
    for (k, body) in [
        (key.clone(), json!({"userId": "u2"})),
        (key.clone(), json!({"nope": 1})),
        (key.clone(), json!({"userId": "u", "sessionData": {"v": 1, "dur": -1}})),
        ("huma_live_short".into(), json!({"userId": "u"})),
        (format!("huma_live_{}", "Z".repeat(32)), json!({"userId": "u"})),
        (expired_key.clone(), json!({"userId": "u"})),
        (pub_key.clone(), json!({"userId": "u"})),
    ] {
        check(&doc, "/api/v1/verify", "post", &post("/api/v1/verify", k, body).await);
    }
    check(
        &doc,
        "/api/v1/verify",
        "post",
        &api.request(Method::POST, "/api/v1/verify", None, Some("{}".into()), &[])
            .await,
    );
    check(&doc, "/api/v1/verify", "post", &too_large(&api, &key).await);
    for _ in 0..2 {
        check(
            &doc,
            "/api/v1/verify",
            "post",
            &post("/api/v1/verify", slow_key.clone(), json!({"userId": "u"})).await,
        );
    }
    for _ in 0..11 {
        let a = post("/api/v1/verify", key.clone(), json!({"userId": "flood"})).await;
        check(&doc, "/api/v1/verify", "post", &a);
    }
    let s = post(
        "/api/v1/session",
        key.clone(),
        json!({"userId": "u1", "sessionToken": token, "sessionData": human_signals()}),
    )
    .await;
    check(&doc, "/api/v1/session", "post", &s);
    let s = post(
        "/api/v1/session",
        key.clone(),
        json!({"userId": "u1", "sessionToken": "h_verified_nope"}),
    )
    .await;
    check(&doc, "/api/v1/session", "post", &s);
    for body in [
        json!({"token": token, "userId": "u1", "action": "signup", "consume": true}),
        json!({"token": token, "consume": true}),
        json!({"token": "h_verified_nope"}),
        json!({"consume": true}),
    ] {
        check(
            &doc,
            "/api/v1/token/verify",
            "post",
            &post("/api/v1/token/verify", key.clone(), body).await,
        );
    }

    // Challenges.
    let ch = post("/api/v1/challenge/create", key.clone(), json!({"userId": "u1"})).await;
    check(&doc, "/api/v1/challenge/create", "post", &ch);
    let id = ch.json["challenge_id"].as_str().unwrap().to_string();
    for _ in 0..4 {
        let a = post(
            "/api/v1/challenge/verify",
            key.clone(),
            json!({"challenge_id": id, "answer": "wrong"}),
        )
        .await;
        check(&doc, "/api/v1/challenge/verify", "post", &a);
    }
    let a = post(
        "/api/v1/challenge/verify",
        key.clone(),
        json!({"challenge_id": "ch_missing", "answer": "x"}),
    )
    .await;
    check(&doc, "/api/v1/challenge/verify", "post", &a);

    // Webhooks.
    let w = post(
        "/api/v1/webhooks",
        key.clone(),
        json!({"url": "https://hooks.example.com/h"}),
    )
    .await;
    check(&doc, "/api/v1/webhooks", "post", &w);
    check(
        &doc,
        "/api/v1/webhooks",
        "post",
        &post("/api/v1/webhooks", key.clone(), json!({"url": "http://x"})).await,
    );
    check(
        &doc,
        "/api/v1/webhooks",
        "post",
        &post("/api/v1/webhooks", pub_key.clone(), json!({"url": "https://a.example"})).await,
    );
    for i in 0..5 {
        let a = post(
            "/api/v1/webhooks",
            key.clone(),
            json!({"url": format!("https://hooks.example.com/{i}")}),
        )
        .await;
        check(&doc, "/api/v1/webhooks", "post", &a);
    }
    let l = api
        .request(Method::GET, "/api/v1/webhooks", Some(&key), None, &[])
        .await;
    check(&doc, "/api/v1/webhooks", "get", &l);
    let wid = w.json["id"].as_str().unwrap();
    for id in [wid, "wh_missing"] {
        let a = api
            .request(Method::DELETE, &format!("/api/v1/webhooks/{id}"), Some(&key), None, &[])
            .await;
        check(&doc, "/api/v1/webhooks/{id}", "delete", &a);
    }

    check(
        &doc,
        "/admin/v1/keys/{id}",
        "delete",
        &del(created.json["id"].as_str().unwrap().to_string()).await,
    );
    let statuses_seen = api.request(Method::GET, "/metrics", None, None, &[]).await;
    for code in [
        "200", "201", "204", "304", "400", "401", "402", "403", "404", "409", "410", "413", "429",
    ] {
        assert!(
            statuses_seen.text.contains(&format!("status=\"{code}\"")),
            "the scenario provoked a {code}"
        );
    }
}

/// The 503 rows: a Redis that is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_answers_match_the_document() {
    let doc = doc();
    let mut env = Env::redis();
    let api: Api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    drop(env.redis.take());
    let a = api
        .request(
            Method::POST,
            "/api/v1/verify",
            Some(&key),
            Some(json!({"userId": "u"}).to_string()),
            &[],
        )
        .await;
    a.assert_error(503, "UNAVAILABLE");
    check(&doc, "/api/v1/verify", "post", &a);
    let r = api.request(Method::GET, "/readyz", None, None, &[]).await;
    check(&doc, "/readyz", "get", &r);
    assert_eq!(r.status, 503);
}

/// The checker itself catches a difference: an extra field, a wrong type,
/// an undocumented status and a missing required header all fail.
#[test]
fn the_checker_rejects_what_the_document_does_not_say() {
    let doc = doc();
    let answer = |status: u16, body: Value, rate_limit: bool| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("x-request-id", "abc".parse().unwrap());
        if rate_limit {
            headers.insert("ratelimit-policy", "\"burst\";q=10;w=60".parse().unwrap());
            headers.insert("ratelimit", "\"burst\";r=9;t=5".parse().unwrap());
        }
        Answer {
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            headers,
            text: body.to_string(),
            json: body,
        }
    };
    let good = json!({"valid": false, "reason": "not_found"});
    check(&doc, "/api/v1/token/verify", "post", &answer(200, good.clone(), true));
    for (a, why) in [
        (answer(200, json!({"valid": false, "extra": 1}), true), "an extra field"),
        (answer(200, json!({"valid": "no"}), true), "a wrong type"),
        (
            answer(200, json!({"valid": false, "reason": "because"}), true),
            "a value outside the enum",
        ),
        (answer(418, good.clone(), true), "an undocumented status"),
        (answer(200, good.clone(), false), "a missing RateLimit header"),
    ] {
        let failed = std::panic::catch_unwind(|| check(&doc, "/api/v1/token/verify", "post", &a)).is_err();
        assert!(failed, "{why} passed the check");
    }
}
