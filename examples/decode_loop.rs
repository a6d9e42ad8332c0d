//! A fixed amount of decoding for `valgrind --tool=callgrind`, whose
//! instruction counts are deterministic where wall-clock timings are not:
//! decodes a ~4 KB snippet-shaped window (or `fractional` ones) N times.
//!
//! `cargo build --release --example decode_loop && valgrind --tool=callgrind \
//!  target/release/examples/decode_loop [snippet|fractional] [N]`

// The server's allocator (src/main.rs), so that the arrays' one
// allocation each costs what it costs there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../benches/support/windows.rs"]
mod windows;

fn main() {
    let mut args = std::env::args().skip(1);
    let shape = match args.next().as_deref() {
        Some("fractional") => windows::Shape::Fractional,
        _ => windows::Shape::Snippet,
    };
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let body = windows::sized(4000, shape);
    let mut numbers = 0;
    for _ in 0..n {
        let s = huma::wire::signals::decode_signals_str(std::hint::black_box(&body)).unwrap();
        numbers += s.m.len() + s.k.len();
    }
    println!("{} bytes × {n}: {numbers} numbers", body.len());
}
