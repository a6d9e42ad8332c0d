//! Replay fingerprints: one 64-bit hash of a window's event trace with every
//! array's times taken relative to its own first event, so the same trace
//! sent twice — as is, or shifted in time — hashes the same, and the store
//! can answer `replayed_signals` (a short-lived set of fingerprints per
//! account). Real people never produce the same trace twice: with the
//! minimum of [`MIN_EVENTS`] events, millisecond timings and pixel
//! positions, two of them colliding is beyond chance.
//!
//! What this does not catch: a replay with noise added (a pixel or a few
//! milliseconds here and there). That is a humanised generator and is left
//! to the behavioural model; see the model card. Pure, no allocation.

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
    let mut h = 0x243F_6A88_85A3_08D3u64;
    for (tag, xs, stride) in [(1u64, &s.m, 3), (2, &s.c, 5), (3, &s.k, 3), (4, &s.s, 3), (5, &s.t, 4)] {
        h = mix(h ^ tag);
        let t0 = xs.first().copied().unwrap_or(0.0);
        for row in xs.chunks_exact(stride) {
            h = mix(h ^ (row[0] - t0).to_bits());
            for v in &row[1..] {
                h = mix(h ^ v.to_bits());
            }
        }
    }
    Some(h)
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

    #[test]
    fn short_windows_have_none() {
        let mut s = window();
        s.m.truncate(3 * 5);
        s.k.clear();
        assert_eq!(fingerprint(&s), None);
    }
}
