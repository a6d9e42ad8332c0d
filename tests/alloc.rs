//! Allocations on the parse → score path, counted by a global allocator
//! that wraps the system one: decoding and scoring a window must cost a
//! small, fixed number of allocations, whatever the number of events (each
//! array is reserved once; scoring allocates nothing).
//!
//! Counts are per thread, so tests running in parallel do not disturb one
//! another.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use huma::scoring::score;
use huma::wire::signals::decode_signals_str;

#[path = "../benches/support/windows.rs"]
mod windows;
use windows::{with_events, Shape};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// At most this many allocations per request: one per non-empty array (six)
/// and `env.host`, with room to spare.
const PER_REQUEST_MAX: usize = 16;

/// Allocations (including reallocations) made by decoding and scoring `json`.
fn allocations(json: &str) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    let signals = decode_signals_str(json).expect("a valid window");
    let verdict = score(&signals);
    let after = ALLOCATIONS.with(Cell::get);
    assert!(verdict.confidence.is_finite());
    after - before
}

#[test]
fn decode_and_score_allocate_a_constant_per_request() {
    let mut counts = Vec::new();
    for events in [10, 100, 1000] {
        for shape in [Shape::Snippet, Shape::Fractional] {
            let json = with_events(events, shape);
            let n = allocations(&json);
            assert!(
                n <= PER_REQUEST_MAX,
                "{events} events ({shape:?}, {} bytes): {n} allocations, more than {PER_REQUEST_MAX}",
                json.len()
            );
            counts.push((events, shape, n));
        }
    }
    // 100 and 1,000 events use the same arrays: the same count, so nothing
    // grows with the number of events.
    for shape in [Shape::Snippet, Shape::Fractional] {
        let of = |e| counts.iter().find(|c| c.0 == e && c.1 == shape).unwrap().2;
        assert_eq!(of(100), of(1000), "{counts:?}");
    }
}

#[test]
fn scoring_allocates_nothing() {
    let signals = decode_signals_str(&with_events(1000, Shape::Snippet)).unwrap();
    let before = ALLOCATIONS.with(Cell::get);
    let verdict = score(&signals);
    assert_eq!(ALLOCATIONS.with(Cell::get) - before, 0);
    assert!((0.0..=1.0).contains(&verdict.confidence));
}
