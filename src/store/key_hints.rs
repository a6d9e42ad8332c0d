//! `KeyHints`: the key records this process last read or wrote, by key
//! hash, for `Store::key_hint`. A hint is never trusted on its own: the
//! caller reads the key again in the same round trip as the quota take and
//! compares (`api::admit`), so a key revoked by another instance is refused
//! at once all the same. Only keys that exist are remembered, so the map
//! holds at most one entry per key in the store; past `CAPACITY` a shard is
//! simply emptied (a forgotten hint costs one extra round trip, nothing else).

use std::collections::HashMap;

use parking_lot::RwLock;

use crate::keys::{KeyHash, KeyRecord};

const SHARDS: usize = 16;
const CAPACITY: usize = 65_536;

pub(super) struct KeyHints {
    shards: Box<[RwLock<HashMap<KeyHash, KeyRecord>>]>,
}

impl Default for KeyHints {
    fn default() -> Self {
        KeyHints {
            shards: (0..SHARDS).map(|_| RwLock::new(HashMap::new())).collect(),
        }
    }
}

impl KeyHints {
    pub fn get(&self, hash: &KeyHash) -> Option<KeyRecord> {
        self.shard(hash).read().get(hash).cloned()
    }

    /// Remembers what a read or write just saw: the record, or that there is none.
    pub fn saw(&self, hash: &KeyHash, record: Option<&KeyRecord>) {
        let mut shard = self.shard(hash).write();
        match record {
            Some(r) => {
                if shard.len() >= CAPACITY / SHARDS && !shard.contains_key(hash) {
                    shard.clear();
                }
                shard.insert(*hash, r.clone());
            }
            None => {
                shard.remove(hash);
            }
        }
    }

    fn shard(&self, hash: &KeyHash) -> &RwLock<HashMap<KeyHash, KeyRecord>> {
        // Key hashes are SHA-256 outputs: any byte picks a shard evenly.
        &self.shards[hash[0] as usize % SHARDS]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyKind, Plan};

    fn record(hash: KeyHash, revoked: bool) -> KeyRecord {
        KeyRecord {
            id: "key_A".into(),
            hash,
            kind: KeyKind::Live,
            plan: Plan::Pro,
            name: String::new(),
            account: "key_A".into(),
            origins: vec![],
            monthly_limit: None,
            burst_per_minute: None,
            created_at: 0,
            expires_at: None,
            revoked,
        }
    }

    #[test]
    fn remembers_the_last_sighting_and_forgets_a_key_seen_gone() {
        let hints = KeyHints::default();
        let h = [7u8; 32];
        assert_eq!(hints.get(&h), None);
        hints.saw(&h, Some(&record(h, false)));
        assert_eq!(hints.get(&h), Some(record(h, false)));
        hints.saw(&h, Some(&record(h, true)));
        assert_eq!(hints.get(&h), Some(record(h, true)));
        hints.saw(&h, None);
        assert_eq!(hints.get(&h), None);
    }

    #[test]
    fn a_full_shard_is_emptied_not_grown() {
        let hints = KeyHints::default();
        // Every hash below lands in shard 0.
        for i in 0..=(CAPACITY / SHARDS) as u32 {
            let mut h = [0u8; 32];
            h[1..5].copy_from_slice(&i.to_le_bytes());
            hints.saw(&h, Some(&record(h, false)));
        }
        assert_eq!(hints.shards[0].read().len(), 1);
    }
}
