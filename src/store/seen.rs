//! A short-lived, bounded set of 64-bit values with an expiry each, in
//! memory: the embedded store's replay fingerprints. Sharded by value like
//! the other hot state, so checks never meet on one lock. Not persisted:
//! fingerprints live minutes to hours, and a restart forgetting them only
//! lets a replay through once.

use std::collections::HashMap;

use parking_lot::Mutex;

const SHARDS: usize = 64;
/// At most this many values per shard (about a million in all).
const SHARD_CAPACITY: usize = 16_384;

pub struct SeenSet {
    shards: Box<[Mutex<HashMap<u64, i64>>]>,
}

impl Default for SeenSet {
    fn default() -> Self {
        SeenSet {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }
}

impl SeenSet {
    /// Records `value` until `now_ms + ttl_ms`; `true` if it was already
    /// there and unexpired.
    pub fn check_and_insert(&self, value: u64, now_ms: i64, ttl_ms: i64) -> bool {
        let mut shard = self.shards[(value as usize) % SHARDS].lock();
        if let Some(&expires) = shard.get(&value) {
            if expires > now_ms {
                return true;
            }
        }
        if shard.len() >= SHARD_CAPACITY {
            shard.retain(|_, e| *e > now_ms);
            if shard.len() >= SHARD_CAPACITY {
                // Full of live values: drop the ones closest to expiry.
                let mut expiries: Vec<i64> = shard.values().copied().collect();
                let cut = SHARD_CAPACITY / 8;
                let (_, nth, _) = expiries.select_nth_unstable(cut);
                let nth = *nth;
                shard.retain(|_, e| *e > nth);
            }
        }
        shard.insert(value, now_ms + ttl_ms);
        false
    }

    /// Drops expired values.
    pub fn sweep(&self, now_ms: i64) {
        for s in self.shards.iter() {
            s.lock().retain(|_, e| *e > now_ms);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_seen_until_it_expires() {
        let s = SeenSet::default();
        assert!(!s.check_and_insert(7, 1_000, 500));
        assert!(s.check_and_insert(7, 1_200, 500));
        assert!(!s.check_and_insert(7, 1_600, 500), "expired, so new again");
        assert!(!s.check_and_insert(8, 1_600, 500));
    }

    #[test]
    fn memory_is_bounded() {
        let s = SeenSet::default();
        for v in 0..(SHARDS * SHARD_CAPACITY * 2) as u64 {
            s.check_and_insert(v.wrapping_mul(0x9E37_79B9_7F4A_7C15), 0, 1_000_000);
        }
        let n: usize = s.shards.iter().map(|x| x.lock().len()).sum();
        assert!(n <= SHARDS * SHARD_CAPACITY);
    }
}
