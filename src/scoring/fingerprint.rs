//! Replay fingerprints: one 64-bit hash of a window's event trace with every
//! array's times taken relative to its own first event, so the same trace
//! sent twice — as is, or shifted in time — hashes the same, and the store
//! can answer `replayed_signals` (a short-lived set of fingerprints per
//! account). Real people never produce the same trace twice: with the
//! minimum of [`MIN_EVENTS`] events, millisecond timings and pixel
//! positions, two of them colliding is beyond chance.
//!
//! A replay with noise added (a pixel or a few milliseconds here and there)
//! escapes the exact hash; [`sketch`] catches it: the window's trace cut
//! into coarse shingles (two consecutive pointer samples in 12 px cells and
//! time slots, key pairs, click pairs, touches; not scrolls, whose wheel
//! notches look alike for everybody, nor pairs of keys both held under
//! 16 ms — a phone's on-screen keys, whose only bins are their times, so
//! that two people typing at a similar pace share them), of which the smallest hashes are kept
//! (a bottom-k MinHash), in two halves that differ only in their slots: 50
//! ms since the array's first event (a copy shifted in time, or with
//! events added after its end, keeps them), and 1/[`SLOTS`] of the array's
//! own span (a copy played a few percent slower or faster keeps them; 50 ms
//! of a 10 s window). Two windows share about `SKETCH_LEN × Jaccard` of
//! the values: a noisy copy shares most of at least one half, two people
//! nearly none, so the store calls a window replayed when [`SKETCH_MATCH`]
//! of its values were seen before for the account. Pure, no allocation.

use crate::signals::Signals;

/// Fewer events than this carry too little to tell people apart (a single
/// click could recur by chance).
pub const MIN_EVENTS: usize = 12;

/// The fingerprint of a window, or `None` when it has too few events.
pub fn fingerprint(s: &Signals) -> Option<u64> {
    let events = s.m.len() / 3 + s.c.len() / 5 + s.k.len() / 3 + s.s.len() / 3 + s.t.len() / 4;
    if events < MIN_EVENTS {
        return None;
    }
    let mut lanes = Lanes::default();
    for (tag, xs, stride) in [(1u64, &s.m, 3), (2, &s.c, 5), (3, &s.k, 3), (4, &s.s, 3), (5, &s.t, 4)] {
        lanes.push(tag << 32 | xs.len() as u64);
        let t0 = xs.first().copied().unwrap_or(0.0);
        for row in xs.chunks_exact(stride) {
            lanes.push((row[0] - t0).to_bits());
            for v in &row[1..] {
                lanes.push(v.to_bits());
            }
        }
    }
    Some(lanes.finish())
}

/// Four accumulators taking the words in turn, each with xxHash64's round
/// (multiply, rotate, multiply), so that consecutive words do not wait on
/// each other's multiplications as one chained hash would; finished with
/// the word count and [`mix`].
struct Lanes {
    acc: [u64; 4],
    n: u64,
}

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;

impl Default for Lanes {
    fn default() -> Self {
        Lanes {
            acc: [0x243F_6A88_85A3_08D3, P1, P2, P1 ^ P2],
            n: 0,
        }
    }
}

impl Lanes {
    #[inline(always)]
    fn push(&mut self, v: u64) {
        let a = &mut self.acc[(self.n & 3) as usize];
        *a = a.wrapping_add(v.wrapping_mul(P2)).rotate_left(31).wrapping_mul(P1);
        self.n += 1;
    }

    fn finish(&self) -> u64 {
        self.acc.iter().fold(mix(self.n), |h, a| mix(h ^ a))
    }
}

/// Values kept per window by [`sketch`]: two halves, one per way of
/// slotting time.
pub const SKETCH_LEN: usize = 32;
const HALF: usize = SKETCH_LEN / 2;
/// How many of a window's sketch values seen before make it a replay.
pub const SKETCH_MATCH: usize = 6;
/// Fewer shingles than this say too little (and would fill the sketch
/// with values a person could repeat by chance).
pub const MIN_SHINGLES: usize = 24;

/// Cell and slot sizes of the shingles: coarse against ±1–2 px and a few
/// ms of noise, fine against two people following the same path at the
/// same pace.
const CELL_PX: u64 = 12;
/// A multiple of [`CELL_PX`] added to positions before binning.
const CELL_OFFSET: i64 = 12 << 32;
const SLOT_MS: f64 = 50.0;
/// Slots per array span in the second half (see the module's doc).
pub const SLOTS: f64 = 200.0;
const HOLD_MS: u64 = 16;

/// What the store keeps of a window to know it again: the exact hash
/// (also the window's name as the owner of its sketch values) and, for a
/// window with enough shingles, the sketch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marks {
    pub exact: u64,
    pub sketch: Option<[u64; SKETCH_LEN]>,
}

/// The marks of a window, or `None` when it is too short to have any.
pub fn marks(s: &Signals) -> Option<Marks> {
    fingerprint(s).map(|exact| Marks {
        exact,
        sketch: sketch(s),
    })
}

/// Who owns the sketch value at `at` of the window named `exact`: each half
/// has an owner of its own, so that [`owned_by_one`] counts matches within
/// one half (the halves see the same shingles and would otherwise add up).
pub fn sketch_owner(exact: u64, at: usize) -> u64 {
    if at < HALF {
        exact
    } else {
        mix(exact ^ 0x5EC0_17D0_4A1F_0002)
    }
}

/// Whether one earlier window owns at least [`SKETCH_MATCH`] of the
/// sketch values of one half found already stored (`owners`: the owner
/// of each value that was there, from [`sketch_owner`], in any order).
pub fn owned_by_one(owners: &[u64]) -> bool {
    let mut sorted = [0u64; SKETCH_LEN];
    let n = owners.len().min(SKETCH_LEN);
    sorted[..n].copy_from_slice(&owners[..n]);
    let sorted = &mut sorted[..n];
    sorted.sort_unstable();
    sorted.chunk_by(|a, b| a == b).any(|run| run.len() >= SKETCH_MATCH)
}

/// The sketch of a window: the bottom [`SKETCH_LEN`]/2 shingle hashes
/// with slots of fixed length, then those with slots relative to the
/// span, each half ascending; `None` when it has fewer than
/// [`MIN_SHINGLES`] shingles. One pass: each pair of rows is binned once
/// and hashed with each half's slots.
pub fn sketch(s: &Signals) -> Option<[u64; SKETCH_LEN]> {
    let mut halves = [Bottom::default(), Bottom::default()];
    // Bins by integer division (times and pixels are whole numbers on the
    // wire; `floor` would be a libm call on baseline x86-64), offset so the
    // dividend is never negative and the division is by a constant.
    let cell = |x: f64| ((x as i64).wrapping_add(CELL_OFFSET) as u64) / CELL_PX;
    let hold = |x: f64| (x as u64) / HOLD_MS;
    // A step between two positioned rows (`t, x, y, …`) at slots `sa`, `sb`.
    let step = |a: &[f64], b: &[f64], sa: u64, sb: u64| Some([sa, cell(a[1]), cell(a[2]), sb, cell(b[1]), cell(b[2])]);
    pairs(&s.m, 3, 1, &mut halves, step);
    // Two keys held under one bin (an on-screen keyboard fires keydown and
    // keyup together) are binned by their times alone: phone typists at a
    // similar pace share such pairs (3 % of the phone windows in
    // `huma-eval`'s held-out set matched another person's), so they are
    // left out.
    pairs(&s.k, 3, 2, &mut halves, |a, b, sa, sb| {
        let (ha, hb) = (hold(a[1]), hold(b[1]));
        (ha | hb != 0).then_some([sa, ha, a[2] as u64, sb, hb, 0])
    });
    // Clicks in pairs: one click on a popular button at a round time is
    // something two people can share.
    pairs(&s.c, 5, 3, &mut halves, step);
    // Scrolls are left out: wheel notches of one size at a steady pace
    // are the same for everybody, so they would match across people.
    pairs(&s.t, 4, 5, &mut halves, |a, b, sa, _| {
        Some([sa, cell(a[1]), cell(a[2]), cell(b[1]), cell(b[2]), a[3] as u64])
    });
    let [fixed, of_span] = halves;
    if fixed.seen < MIN_SHINGLES || fixed.len < HALF || of_span.len < HALF {
        return None;
    }
    let mut out = [0; SKETCH_LEN];
    out[..HALF].copy_from_slice(&fixed.values);
    out[HALF..].copy_from_slice(&of_span.values);
    Some(out)
}

/// Each two consecutive rows of an array, binned by `bins` (given the two
/// rows' slots), into the two halves: [`SLOT_MS`] slots since the array's
/// first event, and 1/[`SLOTS`] of its span (first to last event) under
/// another tag, so that the halves' values never meet.
fn pairs(
    xs: &[f64],
    stride: usize,
    tag: u64,
    halves: &mut [Bottom; 2],
    bins: impl Fn(&[f64], &[f64], u64, u64) -> Option<[u64; 6]>,
) {
    let t0 = xs.first().copied().unwrap_or(0.0);
    let span = xs.chunks_exact(stride).last().map_or(0.0, |row| row[0] - t0);
    let (fixed, of_span) = (1.0 / SLOT_MS, SLOTS / span.max(1.0));
    // Times are non-decreasing from `t0` (validated), so the products are
    // ≥ 0 and truncation is the floor.
    for (a, b) in xs.chunks_exact(stride).zip(xs.chunks_exact(stride).skip(1)) {
        let (ta, tb) = (a[0] - t0, b[0] - t0);
        let (Some(f), Some(r)) = (
            bins(a, b, (ta * fixed) as u64, (tb * fixed) as u64),
            bins(a, b, (ta * of_span) as u64, (tb * of_span) as u64),
        ) else {
            continue;
        };
        halves[0].push(shingle(tag, f));
        halves[1].push(shingle(tag | 8, r));
    }
}

/// One shingle's hash: six bins of 16 bits each (wider ones wrap, which
/// only makes collisions likelier by a hair) and a tag, in two mixes.
fn shingle(tag: u64, v: [u64; 6]) -> u64 {
    const M: u64 = 0xFFFF;
    let w1 = (v[0] & M) | (v[1] & M) << 16 | (v[2] & M) << 32 | (v[3] & M) << 48;
    let w2 = (v[4] & M) | (v[5] & M) << 16 | tag << 32;
    mix(mix(0x9E37_79B9_7F4A_7C15 ^ w1) ^ w2)
}

/// The smallest distinct values pushed, in a fixed array.
struct Bottom {
    values: [u64; HALF],
    len: usize,
    seen: usize,
}

impl Default for Bottom {
    fn default() -> Self {
        Bottom {
            values: [u64::MAX; HALF],
            len: 0,
            seen: 0,
        }
    }
}

impl Bottom {
    /// Most values are larger than the largest kept once the array is
    /// full: that test is inlined, the insertion is not.
    #[inline(always)]
    fn push(&mut self, v: u64) {
        self.seen += 1;
        if self.len == HALF && v >= self.values[HALF - 1] {
            return;
        }
        self.insert(v);
    }

    #[inline(never)]
    fn insert(&mut self, v: u64) {
        let at = self.values[..self.len].partition_point(|x| *x < v);
        if self.values.get(at) == Some(&v) && at < self.len {
            return;
        }
        let end = self.len.min(HALF - 1);
        self.values.copy_within(at..end, at + 1);
        self.values[at] = v;
        self.len = (self.len + 1).min(HALF);
    }
}

/// splitmix64's finaliser: a fast, well-mixed 64-bit hash step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> Signals {
        let mut s = Signals {
            dur: 5000.0,
            ..Signals::default()
        };
        for i in 0..20 {
            s.m.extend([100.0 + i as f64 * 17.0, 10.0 + i as f64 * 3.0, 50.0 + (i * i) as f64]);
        }
        s.k.extend([500.0, 80.0, 0.0, 650.0, 95.0, 0.0]);
        s
    }

    #[test]
    fn a_time_shifted_copy_has_the_same_fingerprint() {
        let a = window();
        let mut b = a.clone();
        for row in b.m.chunks_exact_mut(3) {
            row[0] += 333.0;
        }
        for row in b.k.chunks_exact_mut(3) {
            row[0] += 1200.0;
        }
        b.dur += 1200.0;
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert!(fingerprint(&a).is_some());
    }

    #[test]
    fn any_change_in_the_trace_changes_it() {
        let a = window();
        for (arr, i) in [(0, 1), (0, 4), (1, 1), (1, 3)] {
            let mut b = a.clone();
            if arr == 0 {
                b.m[i] += 1.0;
            } else {
                b.k[i] += 1.0;
            }
            assert_ne!(fingerprint(&a), fingerprint(&b), "{arr} {i}");
        }
    }

    /// [`window`] with 60 more pointer samples: enough shingles for a sketch.
    fn long_window() -> Signals {
        let mut a = window();
        for i in 20..80 {
            a.m.extend([
                100.0 + i as f64 * 17.0,
                10.0 + i as f64 * 3.0,
                50.0 + (i * i % 500) as f64,
            ]);
        }
        a
    }

    /// The most values of one half of `b`'s sketch found in `a`'s, as the
    /// store counts them.
    fn shared_in_one_half(a: &[u64; SKETCH_LEN], b: &Signals) -> usize {
        let sb = sketch(b).unwrap();
        sb.chunks_exact(SKETCH_LEN / 2)
            .map(|half| half.iter().filter(|v| a.contains(v)).count())
            .max()
            .unwrap()
    }

    #[test]
    fn a_noisy_copy_shares_most_of_the_sketch_and_another_trace_none() {
        let a = long_window();
        let sa = sketch(&a).unwrap();
        for half in sa.chunks_exact(SKETCH_LEN / 2) {
            assert!(half.windows(2).all(|w| w[0] < w[1]), "ascending and distinct");
        }
        assert!(sa[..SKETCH_LEN / 2].iter().all(|v| !sa[SKETCH_LEN / 2..].contains(v)));
        let mut rng = fastrand::Rng::with_seed(7);
        let mut b = a.clone();
        for row in b.m.chunks_exact_mut(3) {
            row[0] += 250.0 + rng.i32(-2..=2) as f64;
            row[1] += rng.i32(-1..=1) as f64;
            row[2] += rng.i32(-1..=1) as f64;
        }
        let shared = shared_in_one_half(&sa, &b);
        assert!(shared >= SKETCH_MATCH, "{shared}");
        let mut c = a.clone();
        for row in c.m.chunks_exact_mut(3) {
            row[1] += 40.0;
        }
        c.k.clear();
        assert_eq!(sketch(&c).unwrap().iter().filter(|v| sa.contains(v)).count(), 0);
    }

    #[test]
    fn a_copy_played_slower_or_faster_shares_the_sketch() {
        let a = long_window();
        let sa = sketch(&a).unwrap();
        let shared = |b: &Signals| shared_in_one_half(&sa, b);
        for stretch in [0.9, 0.97, 1.03, 1.1] {
            let mut b = a.clone();
            for row in b.m.chunks_exact_mut(3).chain(b.k.chunks_exact_mut(3)) {
                row[0] = (row[0] * stretch + 400.0).round();
            }
            assert!(shared(&b) >= SKETCH_MATCH, "{stretch}: {}", shared(&b));
        }
        // A sample added after the end moves every span-relative slot; the
        // fixed slots still match.
        let mut b = a.clone();
        let last: Vec<f64> = b.m[b.m.len() - 3..].to_vec();
        b.m.extend([last[0] + 2000.0, last[1], last[2]]);
        assert!(shared(&b) >= SKETCH_MATCH + 2, "{}", shared(&b));
    }

    #[test]
    fn a_replay_needs_one_owner_of_enough_values() {
        assert!(!owned_by_one(&[]));
        assert!(!owned_by_one(&[1, 2, 3, 4, 5, 6, 7, 8]));
        let mut five = [9u64; SKETCH_MATCH];
        five[0] = 1;
        assert!(!owned_by_one(&five), "one short");
        assert!(owned_by_one(&[9; SKETCH_MATCH]));
        assert!(owned_by_one(&[3, 9, 4, 9, 9, 9, 9, 9, 1]));
    }

    /// A phone's on-screen keys (held 0–15 ms) give the sketch nothing:
    /// binned by their times alone, two typists at a similar pace would
    /// share them. The same keys held like a hardware keyboard's do.
    #[test]
    fn on_screen_keys_are_not_sketched() {
        let mut rng = fastrand::Rng::with_seed(4);
        let typed = |held: &mut dyn FnMut() -> f64| {
            let mut s = Signals {
                dur: 10_000.0,
                ..Signals::default()
            };
            let mut t = 100.0;
            for _ in 0..60 {
                t += 120.0 + (t * 7.0) % 200.0;
                s.k.extend([t, held(), 0.0]);
            }
            s
        };
        let phone = typed(&mut || rng.u32(0..16) as f64);
        assert!(fingerprint(&phone).is_some(), "the exact fingerprint still holds");
        assert_eq!(sketch(&phone), None);
        let desktop = typed(&mut || rng.u32(60..160) as f64);
        assert!(sketch(&desktop).is_some());
    }

    #[test]
    fn short_windows_have_none() {
        let mut s = window();
        s.m.truncate(3 * 5);
        s.k.clear();
        assert_eq!(fingerprint(&s), None);
    }
}
