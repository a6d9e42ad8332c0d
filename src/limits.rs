//! Fixed-window rate counters for the burst limit (per key), the flood limit
//! (per key and userId) and heartbeats (per token), held in memory.
//!
//! The table is split into shards, each behind its own `parking_lot` mutex
//! and picked by the key's hash, so concurrent requests for different keys
//! rarely meet on a lock and no lock is global. Each shard holds at most
//! `SHARD_CAPACITY` windows: stale windows are evicted first, and a shard
//! full of live windows evicts the oldest, so memory stays bounded under a
//! flood of distinct userIds. Locks are never held across `.await`.
//!
//! Across instances (Redis), burst and flood counters are reconciled off
//! the request path: every `HUMA_LIMITS_SYNC_MS` (250 ms) `sync` sends each
//! window's new local hits to the store (`Store::limits_sync`: INCRBY into a
//! per-window key with a TTL) and reads back the shared total; a window's
//! count is then the other instances' hits as of the last sync plus every
//! local hit. A request never waits for Redis for a limit. The price is a
//! bounded overshoot: hits the other instances admitted since the last sync
//! are not yet seen, so with N instances a limit L per minute admits at most
//! L + (N − 1) × (hits per instance per sync interval) — e.g. two instances
//! each taking 10 calls/s of one key admit at most L + 3. Flood windows are
//! sent only from their second local hit (most userIds are seen once, and
//! sending each would double Redis's commands per verify), which adds at
//! most N − 1 to the flood bound. A window first hit
//! here starts from zero until its first sync (the same bound). Heartbeat
//! counters (6 per token per minute) stay per instance: a token's heartbeats
//! go through one browser session, and a few extra are harmless. A failed
//! sync keeps the hits to send next time; with Redis down each instance
//! enforces the limits on its own hits.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::watch;

use crate::app::App;
use crate::store::Store;

/// Windows are one minute long (contract: "per minute").
pub const WINDOW_SECS: u64 = 60;
/// Flood windows with fewer local hits than this are not reconciled.
pub const FLOOD_SYNC_MIN: u32 = 2;
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
    /// Local hits in this window.
    count: u32,
    /// Of `count`, how many were sent to the shared counter.
    sent: u32,
    /// Other instances' hits in this window, as of the last sync.
    others: u32,
}

impl Slot {
    fn new(window: u64) -> Slot {
        Slot {
            window,
            count: 0,
            sent: 0,
            others: 0,
        }
    }

    fn total(&self) -> u32 {
        self.count.saturating_add(self.others)
    }
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
        let slot = shard.entry(key).or_insert(Slot::new(window));
        if slot.window != window {
            *slot = Slot::new(window);
        }
        slot.count = slot.count.saturating_add(1);
        let count = slot.total();
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
        let count = shard.get(&key).filter(|s| s.window == window).map_or(0, Slot::total);
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

    /// The hits not yet sent to the shared counters, as `(key, window,
    /// hits)`, marked sent; `restore` them if sending fails. A window with
    /// fewer than `min_count` local hits is not sent yet (see `sync`).
    pub fn take_deltas(&self, min_count: u32) -> Vec<(u64, u64, u32)> {
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let mut shard = shard.lock();
            for (&key, slot) in shard.iter_mut() {
                if slot.count > slot.sent && slot.count >= min_count {
                    out.push((key, slot.window, slot.count - slot.sent));
                    slot.sent = slot.count;
                }
            }
        }
        out
    }

    /// Un-marks deltas that could not be sent, so the next sync sends them.
    pub fn restore(&self, deltas: &[(u64, u64, u32)]) {
        for &(key, window, n) in deltas {
            let mut shard = self.shards[(key as usize) % SHARDS].lock();
            if let Some(slot) = shard.get_mut(&key).filter(|s| s.window == window) {
                slot.sent = slot.sent.saturating_sub(n);
            }
        }
    }

    /// Takes the shared totals (every instance's hits, ours included) read
    /// back for `deltas`.
    pub fn apply_totals(&self, deltas: &[(u64, u64, u32)], totals: &[u64]) {
        for (&(key, window, _), &total) in deltas.iter().zip(totals) {
            let mut shard = self.shards[(key as usize) % SHARDS].lock();
            if let Some(slot) = shard.get_mut(&key).filter(|s| s.window == window) {
                let total = u32::try_from(total).unwrap_or(u32::MAX);
                slot.others = total.saturating_sub(slot.sent);
            }
        }
    }
}

/// Reconciles the burst and flood counters with the other instances every
/// `HUMA_LIMITS_SYNC_MS` until `stop` turns true; returns at once on a
/// store that is not shared.
pub async fn sync<S: Store>(app: Arc<App<S>>, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(app.config.limits_sync);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tick.tick() => {}
        }
        // Flood counters are per (key, userId) and most userIds are seen
        // once: sending every one would cost Redis two commands per verify.
        // A userId seen once here is left out, which adds at most one hit
        // per other instance to the flood tolerance.
        for (family, counters, min_count) in [
            ("burst", &app.limits.burst, 1),
            ("flood", &app.limits.flood, FLOOD_SYNC_MIN),
        ] {
            let deltas = counters.take_deltas(min_count);
            match app.store.limits_sync(family, &deltas).await {
                Ok(Some(totals)) => counters.apply_totals(&deltas, &totals),
                Ok(None) => return,
                Err(e) => {
                    counters.restore(&deltas);
                    tracing::debug!(error = %e, family, "limit counters not reconciled; local counts hold");
                }
            }
        }
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
    fn shared_totals_count_other_instances_hits() {
        let c = Counters::default();
        for _ in 0..3 {
            c.hit(5, 10, 60);
        }
        assert!(c.take_deltas(4).is_empty(), "below the minimum");
        let d = c.take_deltas(1);
        assert_eq!(d, vec![(5, 1, 3)]);
        assert!(c.take_deltas(1).is_empty(), "sent once");
        // Another instance had 6 hits of its own: the shared total is 9.
        c.apply_totals(&d, &[9]);
        assert_eq!(c.peek(5, 10, 60).remaining, 1);
        assert!(!c.hit(5, 10, 61).exceeded);
        assert!(c.hit(5, 10, 62).exceeded, "3 + 6 + 2 > 10");
        // A failed send is retried.
        let d = c.take_deltas(1);
        assert_eq!(d, vec![(5, 1, 2)]);
        c.restore(&d);
        assert_eq!(c.take_deltas(1), vec![(5, 1, 2)]);
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
