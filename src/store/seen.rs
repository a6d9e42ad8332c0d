//! A short-lived, bounded set of 64-bit values with an expiry and an owner
//! each, in memory: the embedded store's replay fingerprints and sketch
//! values (owned by the window that first had them). Sharded by value like
//! the other hot state, so checks never meet on one lock. Not persisted:
//! fingerprints live minutes to hours, and a restart forgetting them only
//! lets a replay through once.

use std::collections::HashMap;

use parking_lot::Mutex;

const SHARDS: usize = 64;
/// At most this many values per shard (about a million in all).
const SHARD_CAPACITY: usize = 16_384;

/// value → (expiry in unix ms, owner).
type Shard = Mutex<HashMap<u64, (i64, u64)>>;

pub struct SeenSet {
    shards: Box<[Shard]>,
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
        self.claim(value, 0, now_ms, ttl_ms).is_some()
    }

    /// Records `value` for `owner` until `now_ms + ttl_ms`, unless it is
    /// there and unexpired: then it is left alone and its owner returned.
    pub fn claim(&self, value: u64, owner: u64, now_ms: i64, ttl_ms: i64) -> Option<u64> {
        let mut shard = self.shards[(value as usize) % SHARDS].lock();
        if let Some(&(expires, owner)) = shard.get(&value) {
            if expires > now_ms {
                return Some(owner);
            }
        }
        if shard.len() >= SHARD_CAPACITY {
            shard.retain(|_, e| e.0 > now_ms);
            if shard.len() >= SHARD_CAPACITY {
                // Full of live values: drop the ones closest to expiry.
                let mut expiries: Vec<i64> = shard.values().map(|e| e.0).collect();
                let cut = SHARD_CAPACITY / 8;
                let (_, nth, _) = expiries.select_nth_unstable(cut);
                let nth = *nth;
                shard.retain(|_, e| e.0 > nth);
            }
        }
        shard.insert(value, (now_ms + ttl_ms, owner));
        None
    }

    /// Drops expired values.
    pub fn sweep(&self, now_ms: i64) {
        for s in self.shards.iter() {
            s.lock().retain(|_, e| e.0 > now_ms);
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
    fn a_claimed_value_keeps_its_first_owner() {
        let s = SeenSet::default();
        assert_eq!(s.claim(7, 100, 1_000, 500), None);
        assert_eq!(s.claim(7, 200, 1_200, 500), Some(100));
        assert_eq!(s.claim(7, 200, 1_600, 500), None, "expired, so claimed anew");
        assert_eq!(s.claim(7, 300, 1_700, 500), Some(200));
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
