//! Decoding `sessionData`: our decoder against baselines taken in the same
//! run on the same bytes — a `memcpy` of the payload (the floor: touching
//! every byte once), a `serde_json::Value` parse (the naive way) and
//! simd-json's owned value — at ~1, 4, 16 and 64 KB, for windows written
//! as the snippet writes them (whole numbers) and with fractional numbers.
//! Run with `cargo bench --bench parse`.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use huma::wire::signals::decode_signals_str;

// The server's allocator (src/main.rs), so that the arrays' one
// allocation each costs what it costs there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/windows.rs"]
mod windows;
use windows::{sized, Shape};

fn parse(c: &mut Criterion) {
    for (shape, name) in [
        (Shape::Snippet, "parse_snippet"),
        (Shape::Fractional, "parse_fractional"),
    ] {
        let mut g = c.benchmark_group(name);
        for kb in [1usize, 4, 16, 64] {
            let body = sized(kb * 1000, shape);
            assert!(decode_signals_str(&body).is_ok(), "{kb} KB payload must be valid");
            g.throughput(Throughput::Bytes(body.len() as u64));
            g.bench_with_input(BenchmarkId::new("huma_decode", body.len()), &body, |b, body| {
                b.iter(|| decode_signals_str(black_box(body)).unwrap())
            });
            g.bench_with_input(BenchmarkId::new("memcpy", body.len()), &body, |b, body| {
                let mut dst = vec![0u8; body.len()];
                b.iter(|| {
                    dst.copy_from_slice(black_box(body.as_bytes()));
                    black_box(&dst);
                })
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
                        BatchSize::SmallInput,
                    )
                },
            );
        }
        g.finish();
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
