//! Decoding `sessionData`: our streaming decoder against a naive
//! `serde_json::Value` parse (and simd-json's owned value) of the same
//! realistic payloads, ~1, 4, 16 and 64 KiB, in the same run; plus the cost
//! of scoring a decoded window. Run with `cargo bench --bench parse`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use huma::scoring::score;
use huma::wire::signals::decode_signals_str;

/// A browser-like window with `n` pointer moves and proportionate clicks,
/// keys, scrolls, touches and focus changes; fractional CSS pixels and
/// sub-millisecond times, as Chromium reports them at non-integer zoom.
fn payload(n: usize) -> String {
    let mut rng = fastrand::Rng::with_seed(n as u64);
    let mut row = |out: &mut Vec<String>,
                   rows: usize,
                   cap: usize,
                   stride_fn: &mut dyn FnMut(f64, &mut fastrand::Rng) -> String| {
        let rows = rows.min(cap);
        for i in 0..rows {
            let t = i as f64 * 9000.0 / rows.max(1) as f64 + rng.f64();
            out.push(stride_fn(t, &mut rng));
        }
    };
    let (mut m, mut c, mut k, mut s, mut t, mut f) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    row(&mut m, n, 1024, &mut |t, r| {
        format!("{t:.3},{:.2},{:.2}", r.f64() * 1280.0, r.f64() * 800.0)
    });
    row(&mut c, n / 8, 128, &mut |t, r| {
        format!(
            "{t:.3},{:.2},{:.2},{},1",
            r.f64() * 1280.0,
            r.f64() * 800.0,
            r.u32(40..160)
        )
    });
    row(&mut k, n / 2, 512, &mut |t, r| {
        format!("{t:.3},{},{}", r.u32(40..160), r.u32(0..4))
    });
    row(&mut s, n / 4, 256, &mut |t, r| format!("{t:.3},{},0", r.i32(-240..240)));
    row(&mut t, n / 2, 512, &mut |t, r| {
        format!("{t:.3},{:.2},{:.2},1", r.f64() * 400.0, r.f64() * 800.0)
    });
    row(&mut f, n / 16, 64, &mut |t, r| format!("{t:.3},{}", r.u32(0..2)));
    format!(
        r#"{{"v":1,"dur":9100,"m":[{}],"c":[{}],"k":[{}],"s":[{}],"t":[{}],"f":[{}],"n":{{"m":{n},"mc":{},"c":1,"k":3,"s":2,"t":0,"u":0}},"env":{{"host":"shop.example","webdriver":false,"cdp":false,"headless_ua":false,"chrome_obj":true,"plugins":5,"languages":2,"touch_points":0,"screen":[1920,1080],"outer":[1280,800],"inner":[1280,689],"dpr":1}}}}"#,
        m.join(","),
        c.join(","),
        k.join(","),
        s.join(","),
        t.join(","),
        f.join(","),
        n / 2
    )
}

/// The smallest payload of at least `bytes` (or the largest the caps allow).
fn sized(bytes: usize) -> String {
    let mut n = 4;
    loop {
        let p = payload(n);
        if p.len() >= bytes || n >= 1024 {
            return p;
        }
        n += 4;
    }
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    for kib in [1usize, 4, 16, 64] {
        let body = sized(kib * 1000);
        assert!(decode_signals_str(&body).is_ok(), "{kib} KiB payload must be valid");
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_with_input(BenchmarkId::new("huma_decode", body.len()), &body, |b, body| {
            b.iter(|| decode_signals_str(black_box(body)).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("serde_json_value", body.len()), &body, |b, body| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(body)).unwrap())
        });
        g.bench_with_input(
            BenchmarkId::new("simd_json_owned_value", body.len()),
            &body,
            |b, body| {
                b.iter_batched(
                    || body.as_bytes().to_vec(),
                    |mut bytes| simd_json::to_owned_value(black_box(&mut bytes)).unwrap(),
                    criterion::BatchSize::SmallInput,
                )
            },
        );
    }
    g.finish();

    let mut g = c.benchmark_group("score");
    for kib in [1usize, 16, 64] {
        let signals = decode_signals_str(&sized(kib * 1000)).unwrap();
        g.bench_function(BenchmarkId::from_parameter(format!("{kib}KiB")), |b| {
            b.iter(|| score(black_box(&signals)))
        });
    }
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
