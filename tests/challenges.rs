//! The contract's *Challenges* rows, over real HTTP on both backends: the
//! puzzles, attempts, 410s, ownership, and that only behaviour passes.

mod common;

use serde_json::{json, Value};

use common::api::{bot_signals, challenge_answer as answer, human_signals, Api, Env};

both_backends!(create_and_pass, attempts_run_out, ownership, expiry, one_pass_wins);

async fn create(api: &Api, key: &str) -> Value {
    let a = api.post("/api/v1/challenge/create", key, json!({"userId": "u1"})).await;
    assert_eq!(a.status, 200, "{a:?}");
    a.json
}

async fn create_and_pass(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let mut kinds = std::collections::HashSet::new();
    for _ in 0..12 {
        let ch = create(&api, &key).await;
        assert!(ch["challenge_id"].as_str().unwrap().starts_with("ch_"));
        assert_eq!(ch["expires_in_seconds"], 300);
        let p = &ch["payload"];
        assert!(p["instruction"].as_str().is_some_and(|s| !s.is_empty()));
        match ch["type"].as_str().unwrap() {
            "click_targets" => {
                let n = p["targets"].as_array().unwrap().len();
                assert!((4..=6).contains(&n), "{ch}");
            }
            "pattern" => {
                assert_eq!(p["grid"], 3);
                let n = p["sequence_hint"].as_array().unwrap().len();
                assert!((3..=5).contains(&n), "{ch}");
            }
            t => panic!("{t}"),
        }
        kinds.insert(ch["type"].as_str().unwrap().to_string());
    }
    assert_eq!(kinds.len(), 2, "both kinds are chosen at random");
    let ch = create(&api, &key).await;
    let id = ch["challenge_id"].as_str().unwrap();
    let a = api
        .post(
            "/api/v1/challenge/verify",
            &key,
            json!({"challenge_id": id, "answer": answer(&ch), "sessionData": human_signals()}),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.json["passed"], true, "{a:?}");
    let token = a.json["token"].as_str().unwrap();
    assert!(token.starts_with("h_challenge_") && token.len() == "h_challenge_".len() + 22);
    let t = api
        .post("/api/v1/token/verify", &key, json!({"token": token, "userId": "u1"}))
        .await;
    assert_eq!(
        (t.json["valid"].clone(), t.json["kind"].clone()),
        (json!(true), json!("challenge")),
        "{t:?}"
    );
    let s = api
        .post("/api/v1/session", &key, json!({"userId": "u1", "sessionToken": token}))
        .await;
    assert_eq!(s.status, 200, "{s:?}");
    // After a pass the challenge is closed.
    let again = api
        .post(
            "/api/v1/challenge/verify",
            &key,
            json!({"challenge_id": id, "answer": answer(&ch), "sessionData": human_signals()}),
        )
        .await;
    again.assert_error(410, "CHALLENGE_CLOSED");
}

async fn attempts_run_out(env: Env) {
    let api = env.start(&[]);
    let (key, _) = api.live_key("pro").await;
    let ch = create(&api, &key).await;
    let id = ch["challenge_id"].as_str().unwrap();
    let right = answer(&ch);
    let try_ = |body: Value| api.post("/api/v1/challenge/verify", &key, body);
    let a = try_(json!({"challenge_id": id, "answer": "wrong", "sessionData": human_signals()})).await;
    assert_eq!(
        a.json,
        json!({"passed": false, "message": "Incorrect answer", "attempts_remaining": 2})
    );
    // The right answer alone never passes: no behaviour, or a bot's.
    let a = try_(json!({"challenge_id": id, "answer": right})).await;
    assert_eq!(
        a.json,
        json!({"passed": false, "message": "Behavioural check failed", "attempts_remaining": 1})
    );
    let a = try_(json!({"challenge_id": id, "answer": right, "sessionData": bot_signals()})).await;
    assert_eq!(
        a.json,
        json!({"passed": false, "message": "Behavioural check failed", "attempts_remaining": 0})
    );
    let a = try_(json!({"challenge_id": id, "answer": right, "sessionData": human_signals()})).await;
    a.assert_error(410, "CHALLENGE_CLOSED");
    // Bad bodies name the field.
    let a = try_(json!({"answer": "x"})).await;
    a.assert_error(400, "INVALID_REQUEST");
    assert!(a.json["error"].as_str().unwrap().contains("challenge_id"));
    api.post("/api/v1/challenge/create", &key, json!({}))
        .await
        .assert_error(400, "INVALID_REQUEST");
}

async fn ownership(env: Env) {
    let api = env.start(&[]);
    let (key, id) = api.live_key("pro").await;
    let (other, _) = api.live_key("pro").await;
    let sibling = api
        .create_key(json!({"plan": "pro", "kind": "test", "account": id}))
        .await;
    let sibling = sibling["key"].as_str().unwrap();
    let ch = create(&api, &key).await;
    let body = json!({"challenge_id": ch["challenge_id"], "answer": answer(&ch), "sessionData": human_signals()});
    for k in [other.as_str(), sibling] {
        api.post("/api/v1/challenge/verify", k, body.clone())
            .await
            .assert_error(404, "NOT_FOUND");
    }
    let unknown = json!({"challenge_id": "ch_0000000000000000000000", "answer": "t0"});
    api.post("/api/v1/challenge/verify", &key, unknown)
        .await
        .assert_error(404, "NOT_FOUND");
    // The owner still can.
    assert_eq!(
        api.post("/api/v1/challenge/verify", &key, body).await.json["passed"],
        true
    );
}

async fn expiry(env: Env) {
    let api = env.start(&[("HUMA_CHALLENGE_TTL_SECS", "1")]);
    let (key, _) = api.live_key("pro").await;
    let ch = create(&api, &key).await;
    assert_eq!(ch["expires_in_seconds"], 1);
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let body = json!({"challenge_id": ch["challenge_id"], "answer": answer(&ch), "sessionData": human_signals()});
    api.post("/api/v1/challenge/verify", &key, body)
        .await
        .assert_error(410, "CHALLENGE_CLOSED");
}

async fn one_pass_wins(env: Env) {
    let api = std::sync::Arc::new(env.start(&[]));
    let (key, _) = api.live_key("pro").await;
    let ch = create(&api, &key).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (api, key) = (api.clone(), key.clone());
            let body =
                json!({"challenge_id": ch["challenge_id"], "answer": answer(&ch), "sessionData": human_signals()});
            tokio::spawn(async move { api.post("/api/v1/challenge/verify", &key, body).await })
        })
        .collect();
    let mut passed = 0;
    for t in tasks {
        let a = t.await.unwrap();
        if a.status == 200 {
            assert_eq!(a.json["passed"], true, "{a:?}");
            passed += 1;
        } else {
            a.assert_error(410, "CHALLENGE_CLOSED");
        }
    }
    assert_eq!(passed, 1);
}
