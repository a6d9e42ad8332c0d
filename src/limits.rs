//! Fixed-window rate counters for the burst limit (per key), the flood limit
//! (per key and userId) and heartbeats (per token), held in memory.
//!
//! The table is split into shards, each behind its own `parking_lot` mutex
//! and picked by the key's hash, so concurrent requests for different keys
//! rarely meet on a lock and no lock is global. Each shard holds at most
//! `SHARD_CAPACITY` windows: stale windows are evicted first, and a shard
//! full of live windows evicts the oldest, so memory stays bounded under a
//! flood of distinct userIds. Locks are never held across `.await`.

use std::collections::HashMap;

use parking_lot::Mutex;

/// Windows are one minute long (contract: "per minute").
pub const WINDOW_SECS: u64 = 60;
const SHARDS: usize = 64;
const SHARD_CAPACITY: usize = 8192;

/// The state of one window after a hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub limit: u32,
    /// Calls left in this window (0 once the limit is reached).
    pub remaining: u32,
    /// Seconds until the window resets (≥ 1).
    pub reset_secs: u64,
    /// Whether this hit went over the limit.
    pub exceeded: bool,
}

#[derive(Clone, Copy)]
struct Slot {
    window: u64,
    count: u32,
}

/// One family of counters (burst, flood or heartbeat).
pub struct Counters {
    shards: Box<[Mutex<HashMap<u64, Slot>>]>,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }
}

impl Counters {
    /// Counts one call for `key` at `now` (unix seconds) against `limit`.
    /// `key` must already be a well-mixed hash (we use prefixes of SHA-256
    /// and HMAC outputs), since its low bits pick the shard.
    pub fn hit(&self, key: u64, limit: u32, now: u64) -> Window {
        let window = now / WINDOW_SECS;
        let reset_secs = (window + 1) * WINDOW_SECS - now;
        let mut shard = self.shards[(key as usize) % SHARDS].lock();
        if shard.len() >= SHARD_CAPACITY && !shard.contains_key(&key) {
            evict(&mut shard, window);
        }
        let slot = shard.entry(key).or_insert(Slot { window, count: 0 });
        if slot.window != window {
            *slot = Slot { window, count: 0 };
        }
        slot.count = slot.count.saturating_add(1);
        let count = slot.count;
        Window {
            limit,
            remaining: limit.saturating_sub(count),
            reset_secs,
            exceeded: count > limit,
        }
    }

    /// The window of `key` without counting a call.
    pub fn peek(&self, key: u64, limit: u32, now: u64) -> Window {
        let window = now / WINDOW_SECS;
        let reset_secs = (window + 1) * WINDOW_SECS - now;
        let shard = self.shards[(key as usize) % SHARDS].lock();
        let count = shard.get(&key).filter(|s| s.window == window).map_or(0, |s| s.count);
        Window {
            limit,
            remaining: limit.saturating_sub(count),
            reset_secs,
            exceeded: count > limit,
        }
    }

    /// Windows held across all shards (for tests and metrics).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn evict(shard: &mut HashMap<u64, Slot>, window: u64) {
    shard.retain(|_, s| s.window == window);
    if shard.len() >= SHARD_CAPACITY {
        // Every window is live: drop an arbitrary eighth. A dropped window
        // restarts at zero, which can only let a caller through, never block
        // an innocent one.
        let victims: Vec<u64> = shard.keys().take(SHARD_CAPACITY / 8).copied().collect();
        for k in victims {
            shard.remove(&k);
        }
    }
}

/// The three families the API uses.
#[derive(Default)]
pub struct Limits {
    pub burst: Counters,
    pub flood: Counters,
    pub heartbeat: Counters,
}

/// The first eight bytes of a hash as the counters' key.
pub fn key_of(hash: &[u8; 32]) -> u64 {
    u64::from_le_bytes(hash[..8].try_into().expect("eight bytes"))
}

/// A key for a (key, userId) pair from the two hashes.
pub fn pair_key(a: &[u8; 32], b: &[u8; 32]) -> u64 {
    key_of(a).rotate_left(29) ^ key_of(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_within_a_window_and_resets_after() {
        let c = Counters::default();
        let t0 = 120; // start of a window
        for i in 1..=3 {
            let w = c.hit(7, 3, t0 + 5);
            assert_eq!(w.remaining, 3 - i);
            assert!(!w.exceeded);
            assert_eq!(w.reset_secs, 55);
        }
        assert!(c.hit(7, 3, t0 + 59).exceeded);
        assert!(!c.hit(8, 3, t0 + 59).exceeded, "other keys are independent");
        let w = c.hit(7, 3, t0 + 60);
        assert!(!w.exceeded);
        assert_eq!(w.remaining, 2);
        assert_eq!(w.reset_secs, 60);
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_keys() {
        let c = Counters::default();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..(SHARDS * SHARD_CAPACITY * 3) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c.hit(x, 10, 1_000);
        }
        assert!(c.len() <= SHARDS * SHARD_CAPACITY, "{}", c.len());
    }

    #[test]
    fn stale_windows_are_evicted_first() {
        let c = Counters::default();
        for k in 0..(SHARD_CAPACITY as u64) {
            c.hit(k * SHARDS as u64, 10, 0);
        }
        let live = 1_000_000 * SHARDS as u64;
        c.hit(live, 10, 600);
        assert_eq!(c.shards[0].lock().len(), 1);
    }

    #[test]
    fn parallel_hits_are_all_counted() {
        let c = std::sync::Arc::new(Counters::default());
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        c.hit(42, u32::MAX, 60);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(c.peek(42, 8000, 60).remaining, 0);
        assert!(!c.peek(42, 8000, 60).exceeded);
        assert!(c.peek(42, 7999, 60).exceeded);
    }
}
