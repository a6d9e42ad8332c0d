//! A test's world: a backend (a temp dir or a private redis-server), the
//! huma process on it, and an HTTP client with the calls tests repeat.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::huma::{Backend, Huma, ADMIN_TOKEN};
use super::RedisServer;

/// Owns what a backend needs to live as long as the test.
pub struct Env {
    pub backend: Backend,
    pub redis: Option<RedisServer>,
    _tmp: Option<tempfile::TempDir>,
}

impl Env {
    pub fn embedded() -> Env {
        let tmp = tempfile::tempdir().expect("a temp dir");
        Env {
            backend: Backend::Embedded(tmp.path().join("data")),
            redis: None,
            _tmp: Some(tmp),
        }
    }

    pub fn redis() -> Env {
        let r = RedisServer::start();
        Env {
            backend: Backend::Redis(r.url()),
            redis: Some(r),
            _tmp: None,
        }
    }

    pub fn is_redis(&self) -> bool {
        matches!(self.backend, Backend::Redis(_))
    }

    pub fn start(&self, env: &[(&str, &str)]) -> Api {
        Api::new(Huma::start(&self.backend, env))
    }
}

pub struct Api {
    pub huma: Huma,
    pub http: reqwest::Client,
}

/// One answer, with the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an error answer of the contract's shape.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(self.code(), code, "{self:?}");
        assert!(
            self.json["error"].as_str().is_some_and(|e| e.len() > 10),
            "a sentence: {self:?}"
        );
        assert_eq!(self.header("content-type"), Some("application/json"), "{self:?}");
    }
}

impl Api {
    pub fn new(huma: Huma) -> Api {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client");
        Api { huma, http }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self.http.request(method, self.huma.url(path));
        if let Some(a) = auth {
            req = req.header("authorization", format!("Bearer {a}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.expect("the server answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("a body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> Answer {
        self.request(Method::POST, path, Some(key), Some(body.to_string()), &[])
            .await
    }

    /// Creates a key through the operator API; returns the create answer's JSON.
    pub async fn create_key(&self, spec: Value) -> Value {
        let a = self
            .request(
                Method::POST,
                "/admin/v1/keys",
                Some(ADMIN_TOKEN),
                Some(spec.to_string()),
                &[],
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
        a.json
    }

    /// Revokes a key through the operator API and checks the 204.
    pub async fn revoke_key(&self, id: &str) {
        let del = self
            .request(
                Method::DELETE,
                &format!("/admin/v1/keys/{id}"),
                Some(ADMIN_TOKEN),
                None,
                &[],
            )
            .await;
        assert_eq!(del.status, StatusCode::NO_CONTENT, "{del:?}");
    }

    /// A fresh live key of `plan`; returns (key, id).
    pub async fn live_key(&self, plan: &str) -> (String, String) {
        let k = self.create_key(json!({"plan": plan, "name": "test"})).await;
        (
            k["key"].as_str().unwrap().to_string(),
            k["id"].as_str().unwrap().to_string(),
        )
    }

    /// The operator API's listing of the key with id `id`.
    pub async fn listed_key(&self, id: &Value) -> Value {
        let list = self
            .request(Method::GET, "/admin/v1/keys", Some(ADMIN_TOKEN), None, &[])
            .await;
        let keys = list.json["keys"].as_array().expect("a key list");
        keys.iter().find(|x| &x["id"] == id).expect("the key is listed").clone()
    }

    pub async fn verify(&self, key: &str, body: Value) -> Answer {
        self.post("/api/v1/verify", key, body).await
    }
}

/// Waits, if needed, so that the next few seconds fall in one rate-limit
/// window (windows are calendar minutes), so limit tests can assert exactly.
pub async fn settle_in_minute() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let into = now % 60.0;
    if into > 50.0 {
        tokio::time::sleep(Duration::from_secs_f64(60.5 - into)).await;
    }
}

/// Sends `n` calls and returns their statuses, checking every 429 against `code`.
pub async fn statuses<F, Fut>(n: usize, code: &str, mut call: F) -> Vec<u16>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    let mut out = Vec::new();
    for _ in 0..n {
        let a = call().await;
        if a.status == 429 {
            a.assert_error(429, code);
            let ra: u64 = a.header("retry-after").expect("Retry-After on 429").parse().unwrap();
            assert!((1..=60).contains(&ra), "{a:?}");
        }
        out.push(a.status.as_u16());
    }
    out
}

/// Sends 16 concurrent consumes of `token`, spread over `apis` in turn, and
/// returns how many were valid (every other must say `already_used`).
pub async fn consume_race(apis: &[std::sync::Arc<Api>], key: &str, token: &str) -> usize {
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let api = apis[i % apis.len()].clone();
            let body = serde_json::json!({"token": token, "consume": true});
            let key = key.to_string();
            tokio::spawn(async move { api.post("/api/v1/token/verify", &key, body).await.json })
        })
        .collect();
    let mut valid = 0;
    for t in tasks {
        let j = t.await.expect("the task ran");
        if j["valid"] == true {
            valid += 1;
        } else {
            assert_eq!(j["reason"], "already_used", "{j}");
        }
    }
    valid
}

/// A plausible human window: a curved, jittery mouse path with varying
/// speed, a click with a human hold, and typing with irregular rhythm.
/// Every call draws a different trace (a real person never sends the same
/// one twice; the same trace again is a replay).
pub fn human_signals() -> Value {
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let mut m = Vec::new();
    let mut t = 0.0f64;
    let mut seed: u64 = 12345
        ^ CALLS
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 1000) as f64 / 1000.0
    };
    // People start where their pointer happens to be.
    let (mut x, mut y) = (100.0 + 400.0 * rnd(), 150.0 + 300.0 * rnd());
    for i in 0..120 {
        let phase = (i % 40) as f64 / 40.0;
        // Bell-shaped speed within each 40-sample stroke.
        let speed = 2.0 + 14.0 * (std::f64::consts::PI * phase).sin();
        let angle = 0.4 + 0.6 * (i as f64 / 30.0).sin();
        x += speed * angle.cos() + rnd() * 2.0 - 1.0;
        y += speed * angle.sin() * 0.5 + rnd() * 2.0 - 1.0;
        t += 16.0 + (rnd() * 6.0).floor();
        m.extend([t.round(), x.round(), y.round()]);
    }
    let c = vec![t.round() + 80.0, x.round() + 2.0, y.round() + 1.0, 96.0, 1.0];
    let mut k = Vec::new();
    let mut kt = t + 400.0;
    for i in 0..20 {
        kt += 90.0 + rnd() * 160.0;
        k.extend([
            kt.round(),
            (60.0 + rnd() * 60.0).round(),
            if i == 7 { 1.0 } else { 0.0 },
        ]);
    }
    json!({
        "v": 1, "dur": kt.round() + 500.0,
        "m": m, "c": c, "k": k, "s": [], "t": [], "f": [],
        "n": {"m": 120, "mc": 90, "c": 1, "k": 20, "s": 0, "t": 0, "u": 0},
        "env": {"host": "shop.example", "webdriver": false, "cdp": false, "headless_ua": false,
                "chrome_obj": true, "plugins": 5, "languages": 2, "touch_points": 0,
                "screen": [1920, 1080], "outer": [1280, 800], "inner": [1280, 689], "dpr": 1}
    })
}

/// What a plain automation script sends: a straight constant-speed line,
/// an instant centred click, webdriver on.
pub fn bot_signals() -> Value {
    let mut m = Vec::new();
    for i in 0..60 {
        m.extend([i as f64 * 10.0, 100.0 + i as f64 * 10.0, 100.0 + i as f64 * 5.0]);
    }
    json!({
        "v": 1, "dur": 1000,
        "m": m, "c": [600, 700, 400, 0, 5], "k": [], "s": [], "t": [], "f": [],
        "n": {"m": 60, "mc": 0, "c": 1, "k": 0, "s": 0, "t": 0, "u": 0},
        "env": {"host": "shop.example", "webdriver": true, "cdp": true, "headless_ua": true, "chrome_obj": false,
                "plugins": 0, "languages": 0}
    })
}

/// Generates `#[tokio::test]`s running one scenario on each backend.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn embedded() {
                    super::$name($crate::common::api::Env::embedded()).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn redis() {
                    super::$name($crate::common::api::Env::redis()).await
                }
            }
        )*
    };
}

/// The right answer to a challenge, read off its payload as a person would.
pub fn challenge_answer(ch: &Value) -> String {
    let p = &ch["payload"];
    match ch["type"].as_str().expect("a challenge type") {
        "click_targets" => {
            let wanted = p["instruction"].as_str().unwrap().rsplit(' ').next().unwrap();
            let targets = p["targets"].as_array().unwrap();
            let t = targets
                .iter()
                .find(|t| t["label"] == wanted)
                .expect("one target matches");
            t["id"].as_str().unwrap().to_string()
        }
        "pattern" => p["sequence_hint"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("-"),
        other => panic!("unknown challenge type {other}"),
    }
}
