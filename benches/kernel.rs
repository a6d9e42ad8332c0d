//! The per-request work after the body is read, each with a baseline
//! measured in the same run:
//!
//! - `features` / `score` / the replay marks (`fingerprint::marks`: exact
//!   hash and sketch) on a realistic ~1,000-event window, against one pass
//!   summing every number of the window (the floor for any kernel that
//!   reads its input);
//! - `mint_token` against filling 16 bytes from the same CSPRNG;
//! - the whole verify handler (`api::verify::handle`: envelope, signals,
//!   userId HMAC, flood window, scoring, replay fingerprint, token minting
//!   and the token write to an embedded store in a temp dir, the answer's
//!   JSON), in-process without sockets, against parsing the same body into
//!   a `serde_json::Value`. `router::route` is not benchmarked: it needs a
//!   hyper `Incoming` body, which only a real connection can make.
//!
//! Run with `cargo bench --bench kernel`.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use huma::api::{verify, Caller};
use huma::app::App;
use huma::config::Config;
use huma::keys::{KeyKind, KeyRecord, Plan};
use huma::scoring::fingerprint::marks;
use huma::scoring::{features, score};
use huma::signals::Array;
use huma::store::embedded::EmbeddedStore;
use huma::tokens::{mint_token, TokenKind};
use huma::wire::signals::decode_signals_str;
use ring::rand::{SecureRandom, SystemRandom};

#[path = "support/windows.rs"]
mod windows;
use windows::{with_events, Shape};

fn kernel(c: &mut Criterion) {
    let window = with_events(1000, Shape::Snippet);
    let signals = decode_signals_str(&window).unwrap();
    let numbers: usize = Array::ALL.iter().map(|a| signals.array(*a).len()).sum();

    let mut g = c.benchmark_group("kernel_1000_events");
    g.throughput(Throughput::Elements(numbers as u64));
    g.bench_function("baseline_sum_all_numbers", |b| {
        b.iter(|| {
            let s = black_box(&signals);
            Array::ALL.iter().map(|a| s.array(*a).iter().sum::<f64>()).sum::<f64>()
        })
    });
    g.bench_function("features_extract", |b| {
        b.iter(|| features::extract(black_box(&signals)))
    });
    g.bench_function("score", |b| b.iter(|| score(black_box(&signals))));
    g.bench_function("replay_marks", |b| b.iter(|| marks(black_box(&signals))));
    g.finish();

    let rng = SystemRandom::new();
    let mut g = c.benchmark_group("token");
    g.bench_function("baseline_csprng_16_bytes", |b| {
        b.iter(|| {
            let mut buf = [0u8; 16];
            rng.fill(&mut buf).unwrap();
            buf
        })
    });
    g.bench_function("mint_token", |b| b.iter(|| mint_token(&rng, TokenKind::Verified)));
    g.finish();

    verify_handler(c);
}

fn verify_handler(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let app = rt.block_on(async {
        let config = Config::new(tmp.path().to_path_buf());
        let store = EmbeddedStore::open(tmp.path(), Duration::from_millis(200)).unwrap();
        App::start(config, store, true).await.unwrap().app
    });
    let caller = Caller {
        key: KeyRecord {
            id: "key_bench".into(),
            hash: [7; 32],
            kind: KeyKind::Live,
            plan: Plan::Enterprise,
            name: "bench".into(),
            account: "key_bench".into(),
            origins: Vec::new(),
            monthly_limit: None,
            burst_per_minute: None,
            created_at: 0,
            expires_at: None,
            revoked: false,
        },
        plan: app.config.plans.get(Plan::Enterprise).clone(),
    };
    // ~3 KB, like perf/verify.lua: 150 moves, their clicks and keys.
    let window = windows::payload(150, Shape::Snippet);
    let body_of = |i: u64| format!(r#"{{"userId":"u_{i}","action":"signup","sessionData":{window}}}"#);
    let len = body_of(0).len();

    let mut g = c.benchmark_group(format!("verify_handler_{len}B"));
    g.throughput(Throughput::Bytes(len as u64));
    let mut i = 0u64;
    g.bench_function("baseline_serde_json_value", |b| {
        b.iter_batched(
            || {
                i += 1;
                body_of(i)
            },
            |body| serde_json::from_str::<serde_json::Value>(&body).unwrap(),
            BatchSize::SmallInput,
        )
    });
    // A fresh userId per call keeps the per-user flood window from
    // answering 429; the trace is the same, so after the first call each is
    // a replay hit (the same store work as a miss: one set lookup).
    g.bench_function("verify_handle_embedded", |b| {
        b.iter_batched(
            || {
                i += 1;
                body_of(i)
            },
            |body| {
                let resp = rt.block_on(verify::handle(&app, &caller, body.as_bytes())).unwrap();
                assert_eq!(resp.status(), 200);
                resp
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, kernel);
criterion_main!(benches);
