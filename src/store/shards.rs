//! The embedded store's hot state: tokens and quota counters in memory,
//! split over `SHARDS` independently locked maps chosen by hash so verifies
//! on many cores rarely meet on one lock. Each change marks its entry dirty;
//! `take_dirty` hands the changes to the flusher as one batch. No I/O here.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::{Consume, Quota, StoredToken};
use crate::tokens::{TokenHash, TokenRecord};

const SHARDS: usize = 64;
/// Quota months older than this many months before the current one are dropped.
const QUOTA_MONTHS_KEPT: i64 = 2;

pub(super) struct Shards {
    tokens: Box<[Mutex<TokenShard>]>,
    quotas: Box<[Mutex<QuotaShard>]>,
}

/// A token as kept in memory and on disk.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct TokenRow {
    pub record: TokenRecord,
    pub used: bool,
    /// Unix milliseconds: wall-clock, because it must survive a restart.
    pub expires_at_ms: i64,
}

/// Changes since the last batch; `None` means delete.
#[derive(Default)]
pub(super) struct Batch {
    pub tokens: Vec<(TokenHash, Option<TokenRow>)>,
    pub quotas: Vec<(String, String, Option<u64>)>,
}

#[derive(Default)]
struct TokenShard {
    map: HashMap<TokenHash, TokenRow>,
    /// Changed since the last batch; absent from `map` means delete.
    dirty: HashSet<TokenHash>,
}

#[derive(Default)]
struct QuotaShard {
    /// Account → month → counter; nested so a lookup needs no allocation.
    map: HashMap<String, HashMap<String, Counter>>,
    /// Swept months still to be deleted on disk.
    deleted: Vec<(String, String)>,
}

#[derive(Default)]
struct Counter {
    count: u64,
    dirty: bool,
}

impl Shards {
    pub fn new() -> Shards {
        Shards {
            tokens: (0..SHARDS).map(|_| Mutex::default()).collect(),
            quotas: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    pub fn token_put(&self, hash: &TokenHash, record: &TokenRecord, ttl: Duration) {
        let ttl_ms = ttl.as_millis().min(i64::MAX as u128) as i64;
        let row = TokenRow {
            record: record.clone(),
            used: false,
            expires_at_ms: now_ms().saturating_add(ttl_ms),
        };
        let mut shard = self.token_shard(hash).lock();
        shard.map.insert(*hash, row);
        shard.dirty.insert(*hash);
    }

    /// The token if it exists, has not expired and belongs to `account`.
    pub fn token_get(&self, account: &str, hash: &TokenHash) -> Option<StoredToken> {
        let shard = self.token_shard(hash).lock();
        let row = shard
            .map
            .get(hash)
            .filter(|r| r.record.account == account && r.expires_at_ms > now_ms())?;
        Some(StoredToken {
            record: row.record.clone(),
            used: row.used,
        })
    }

    /// Check and set under one shard lock, so exactly one caller consumes.
    pub fn token_consume(&self, account: &str, hash: &TokenHash) -> Consume {
        let mut shard = self.token_shard(hash).lock();
        match shard.map.get_mut(hash) {
            Some(row) if row.record.account == account && row.expires_at_ms > now_ms() => {
                if row.used {
                    return Consume::AlreadyUsed;
                }
                row.used = true;
            }
            _ => return Consume::NotFound,
        }
        shard.dirty.insert(*hash);
        Consume::Consumed
    }

    /// A token read back from disk at start; not dirty.
    pub fn token_load(&self, hash: TokenHash, row: TokenRow) {
        self.token_shard(&hash).lock().map.insert(hash, row);
    }

    pub fn quota_take(&self, account: &str, month: &str, limit: Option<u64>) -> Quota {
        let mut shard = self.quota_shard(account, month).lock();
        let c = counter(&mut shard, account, month);
        if limit.is_some_and(|l| c.count >= l) {
            return Quota::Exceeded;
        }
        c.count += 1;
        c.dirty = true;
        Quota::Taken(c.count)
    }

    pub fn quota_refund(&self, account: &str, month: &str) {
        let mut shard = self.quota_shard(account, month).lock();
        let c = counter(&mut shard, account, month);
        if c.count > 0 {
            c.count -= 1;
            c.dirty = true;
        }
    }

    pub fn quota_get(&self, account: &str, month: &str) -> u64 {
        let shard = self.quota_shard(account, month).lock();
        shard.map.get(account).and_then(|m| m.get(month)).map_or(0, |c| c.count)
    }

    /// A counter read back from disk at start; not dirty.
    pub fn quota_load(&self, account: &str, month: &str, count: u64) {
        counter(&mut self.quota_shard(account, month).lock(), account, month).count = count;
    }

    /// Every change since the last call, with the current values; the
    /// entries are clean afterwards.
    pub fn take_dirty(&self) -> Batch {
        let mut batch = Batch::default();
        for shard in self.tokens.iter() {
            let shard = &mut *shard.lock();
            batch
                .tokens
                .extend(shard.dirty.drain().map(|h| (h, shard.map.get(&h).cloned())));
        }
        for shard in self.quotas.iter() {
            let shard = &mut *shard.lock();
            batch.quotas.extend(shard.deleted.drain(..).map(|(a, m)| (a, m, None)));
            for (a, months) in shard.map.iter_mut() {
                for (m, c) in months.iter_mut().filter(|(_, c)| c.dirty) {
                    c.dirty = false;
                    batch.quotas.push((a.clone(), m.clone(), Some(c.count)));
                }
            }
        }
        batch
    }

    /// Marks a batch that could not be written dirty again, for the next try.
    pub fn restore(&self, batch: Batch) {
        for (h, _) in batch.tokens {
            self.token_shard(&h).lock().dirty.insert(h);
        }
        for (a, m, count) in batch.quotas {
            let mut shard = self.quota_shard(&a, &m).lock();
            match count {
                Some(_) => counter(&mut shard, &a, &m).dirty = true,
                None => shard.deleted.push((a, m)),
            }
        }
    }

    /// Drops expired tokens and stale quota months; the next batch deletes them on disk.
    pub fn sweep(&self) {
        let (now, month) = (now_ms(), current_month());
        for shard in self.tokens.iter() {
            let shard = &mut *shard.lock();
            shard
                .map
                .retain(|h, row| row.expires_at_ms > now || !shard.dirty.insert(*h));
        }
        for shard in self.quotas.iter() {
            let shard = &mut *shard.lock();
            for (a, months) in shard.map.iter_mut() {
                months.retain(|m, _| {
                    !stale_month(m, month) || {
                        shard.deleted.push((a.clone(), m.clone()));
                        false
                    }
                });
            }
            shard.map.retain(|_, months| !months.is_empty());
        }
    }

    fn token_shard(&self, hash: &TokenHash) -> &Mutex<TokenShard> {
        // Token hashes are SHA-256 output, so any byte is uniformly spread.
        &self.tokens[hash[0] as usize % SHARDS]
    }

    fn quota_shard(&self, account: &str, month: &str) -> &Mutex<QuotaShard> {
        let mut h = DefaultHasher::new();
        (account, month).hash(&mut h);
        &self.quotas[h.finish() as usize % SHARDS]
    }
}

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Months since year 0 of now, comparable with the months `stale_month` parses.
pub(super) fn current_month() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::from(now.year()) * 12 + i64::from(u8::from(now.month())) - 1
}

/// `"2026-11"` is more than `QUOTA_MONTHS_KEPT` months before `current`;
/// a month that does not parse is kept.
pub(super) fn stale_month(month: &str, current: i64) -> bool {
    let Some((y, m)) = month.split_once('-') else {
        return false;
    };
    match (y.parse::<i64>(), m.parse::<i64>()) {
        (Ok(y), Ok(m)) if (1..=12).contains(&m) => current - (y * 12 + m - 1) > QUOTA_MONTHS_KEPT,
        _ => false,
    }
}

fn counter<'a>(shard: &'a mut QuotaShard, account: &str, month: &str) -> &'a mut Counter {
    if !shard.map.contains_key(account) {
        shard.map.insert(account.to_owned(), HashMap::new());
    }
    let months = shard.map.get_mut(account).expect("inserted above");
    if !months.contains_key(month) {
        months.insert(month.to_owned(), Counter::default());
    }
    months.get_mut(month).expect("inserted above")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_months_beyond_the_window_are_stale() {
        let now = 2026 * 12 + 10; // November 2026
        for (month, stale) in [
            ("2026-11", false),
            ("2026-09", false),
            ("2026-08", true),
            ("2025-11", true),
            ("bad", false),
        ] {
            assert_eq!(stale_month(month, now), stale, "{month}");
        }
    }

    #[test]
    fn a_batch_carries_each_change_once_and_restore_retries_it() {
        let s = Shards::new();
        s.quota_take("a", "2026-11", None);
        s.quota_take("a", "2026-11", None);
        s.token_put(&[1; 32], &crate_token(), Duration::from_secs(60));
        let batch = s.take_dirty();
        assert_eq!(batch.quotas, vec![("a".to_string(), "2026-11".to_string(), Some(2))]);
        assert_eq!(batch.tokens.len(), 1);
        s.restore(batch);
        let again = s.take_dirty();
        assert_eq!((again.quotas.len(), again.tokens.len()), (1, 1));
        let empty = s.take_dirty();
        assert!(empty.quotas.is_empty() && empty.tokens.is_empty());
    }

    fn crate_token() -> TokenRecord {
        TokenRecord {
            kind: crate::tokens::TokenKind::Verified,
            account: "a".into(),
            user_hash: [0; 32],
            human: true,
            score: 90,
            action: None,
            hostname: None,
            profile: Default::default(),
            created_at_ms: 0,
        }
    }
}
