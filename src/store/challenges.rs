//! The embedded store's challenges: in memory, sharded by id, each with its
//! attempts and expiry. Not persisted: a challenge lives five minutes, and
//! a restart only means the person is shown a new one.

use std::collections::HashMap;

use parking_lot::Mutex;

use super::{Attempt, StoredChallenge};
use crate::challenges::{ChallengeRecord, MAX_ATTEMPTS};

const SHARDS: usize = 16;

struct Entry {
    stored: StoredChallenge,
    /// Unix ms after which the entry is dropped.
    keep_until: i64,
}

#[derive(Default)]
pub struct Challenges {
    shards: [Mutex<HashMap<String, Entry>>; SHARDS],
}

impl Challenges {
    pub fn put(&self, c: &ChallengeRecord, now_ms: i64, ttl_ms: i64) {
        let mut shard = self.shard(&c.id).lock();
        shard.retain(|_, e| e.keep_until > now_ms);
        shard.insert(
            c.id.clone(),
            Entry {
                stored: StoredChallenge {
                    record: c.clone(),
                    attempts_left: MAX_ATTEMPTS,
                    passed: false,
                },
                keep_until: now_ms + ttl_ms,
            },
        );
    }

    pub fn get(&self, account: &str, id: &str, now_ms: i64) -> Option<StoredChallenge> {
        let shard = self.shard(id).lock();
        shard
            .get(id)
            .filter(|e| e.keep_until > now_ms && e.stored.record.account == account)
            .map(|e| e.stored.clone())
    }

    pub fn attempt(&self, account: &str, id: &str, passed: bool, now_ms: i64) -> Attempt {
        let mut shard = self.shard(id).lock();
        let Some(e) = shard
            .get_mut(id)
            .filter(|e| e.keep_until > now_ms && e.stored.record.account == account)
        else {
            return Attempt::NotFound;
        };
        let s = &mut e.stored;
        if s.passed || s.attempts_left == 0 {
            return Attempt::Closed;
        }
        if passed {
            s.passed = true;
            Attempt::Passed
        } else {
            s.attempts_left -= 1;
            Attempt::Failed {
                attempts_left: s.attempts_left,
            }
        }
    }

    fn shard(&self, id: &str) -> &Mutex<HashMap<String, Entry>> {
        // Ids are random base62: their last byte spreads them evenly.
        &self.shards[id.as_bytes().last().map_or(0, |b| *b as usize) % SHARDS]
    }
}
