//! The persistence boundary: one trait, two backends. `embedded` keeps
//! everything in process (durable under `HUMA_DATA_DIR`), `redis` keeps it
//! in Redis or Redis Cluster. Nothing outside `store/` knows how records are
//! laid out, and only `store/redis.rs` talks to Redis.
//!
//! Records are keyed by hashes, never by raw userIds, keys or tokens.

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::challenges::ChallengeRecord;
use crate::keys::{KeyHash, KeyRecord};
use crate::scoring::fingerprint::Marks;
use crate::tokens::{TokenHash, TokenRecord};

pub mod breaker;
mod challenges;
mod codec;
pub mod embedded;
pub mod instrumented;
mod key_hints;
pub mod redis;
mod seen;
mod shards;

pub use breaker::State as BreakerState;
pub use embedded::EmbeddedStore;
pub use instrumented::Instrumented;
pub use redis::RedisStore;

/// The store could not answer; the API turns this into `503 UNAVAILABLE`.
#[derive(Debug, thiserror::Error)]
#[error("store unavailable: {0}")]
pub struct StoreError(pub String);

/// The outcome of taking one unit of monthly quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quota {
    /// Taken; the count after taking it.
    Taken(u64),
    /// The limit was already reached; nothing was taken.
    Exceeded,
}

/// A token as read back: its record and whether it was consumed.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredToken {
    pub record: TokenRecord,
    pub used: bool,
}

/// The outcome of an atomic consume.
#[derive(Clone, Debug, PartialEq)]
pub enum Consume {
    NotFound,
    /// Another consume won; the token had already been spent.
    AlreadyUsed,
    /// This call spent it.
    Consumed,
}

/// A challenge as read back.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredChallenge {
    pub record: ChallengeRecord,
    pub attempts_left: u8,
    pub passed: bool,
}

/// The outcome of one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    NotFound,
    /// Already passed or out of attempts: nothing changed.
    Closed,
    Passed,
    Failed {
        attempts_left: u8,
    },
}

/// A registered webhook endpoint. The secret is kept because the server
/// signs with it; it is shown to the customer only at creation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookRecord {
    pub id: String,
    pub account: String,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub active: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// One pending delivery: one event for one webhook endpoint. It holds the
/// body exactly as it will be signed and sent (with the userId the customer
/// sent, for the customer's own endpoint), so every retry sends the same
/// bytes. The key is `(event_id, webhook_id)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// `evt_…`, also the `Huma-Delivery` header, the same on every retry.
    pub event_id: String,
    pub webhook_id: String,
    pub account: String,
    /// `human.verified` or `bot.detected`.
    pub event: String,
    /// The JSON body, as signed.
    pub body: Vec<u8>,
    /// Attempts made so far.
    pub attempts: u32,
    /// Unix milliseconds: when the next attempt is due.
    pub due_ms: i64,
    /// Unix milliseconds: past this the entry is dropped whatever its state.
    pub expires_ms: i64,
}

impl OutboxEntry {
    /// The entry's name in the store, `<event_id>:<webhook_id>`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.event_id, self.webhook_id)
    }
}

/// Everything huma persists. Every method is one atomic step on the backend:
/// callers never compose read-modify-write sequences themselves.
pub trait Store: Send + Sync + 'static {
    /// Returns the stored server secret, storing `candidate` first if none is.
    fn secret_get_or_init(&self, candidate: &[u8]) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;

    /// Inserts or replaces a key record (and its hash index).
    fn key_put(&self, key: &KeyRecord) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn key_by_hash(&self, hash: &KeyHash) -> impl Future<Output = Result<Option<KeyRecord>, StoreError>> + Send;
    /// The record of `hash` as this process last read or wrote it, without
    /// asking the backend: possibly stale, so it never decides anything on
    /// its own. A metered call uses it to know the account before the fresh
    /// `key_by_hash` answers, so that the key read and the quota take can go
    /// out together (`api::admit`). `None` (the default): no such memory, or
    /// a backend whose reads cost nothing.
    fn key_hint(&self, hash: &KeyHash) -> Option<KeyRecord> {
        let _ = hash;
        None
    }
    fn key_by_id(&self, id: &str) -> impl Future<Output = Result<Option<KeyRecord>, StoreError>> + Send;
    fn keys_list(&self) -> impl Future<Output = Result<Vec<KeyRecord>, StoreError>> + Send;

    /// Takes one unit of the account's quota for `month` (`"2026-11"`)
    /// unless `limit` is already reached (`None`: unlimited).
    fn quota_take(
        &self,
        account: &str,
        month: &str,
        limit: Option<u64>,
    ) -> impl Future<Output = Result<Quota, StoreError>> + Send;
    /// Gives back a unit taken by a request that then failed validation.
    fn quota_refund(&self, account: &str, month: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn quota_get(&self, account: &str, month: &str) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Stores a new token for `ttl` under its record's account.
    fn token_put(
        &self,
        hash: &TokenHash,
        token: &TokenRecord,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Stores a new token whose record depends on a replay check, as one
    /// step: with `fingerprint = Some((marks, window))` it records the
    /// window's marks for the token's account (as `fingerprint_seen`) and
    /// stores `replayed` if they say replay, `token` otherwise; without
    /// marks it stores `token`. Returns whether it was a replay.
    /// The default is those two calls in turn; a backend where each call is
    /// a network round trip does both in one.
    fn token_put_checked(
        &self,
        hash: &TokenHash,
        token: &TokenRecord,
        replayed: &TokenRecord,
        ttl: Duration,
        fingerprint: Option<(Marks, Duration)>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        async move {
            let seen = match fingerprint {
                Some((fp, window)) => self.fingerprint_seen(&token.account, fp, window).await?,
                None => false,
            };
            self.token_put(hash, if seen { replayed } else { token }, ttl).await?;
            Ok(seen)
        }
    }
    /// The token if it exists, has not expired and belongs to `account`
    /// (a token of another account is simply not found).
    fn token_get(
        &self,
        account: &str,
        hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<StoredToken>, StoreError>> + Send;
    /// Marks the token used; exactly one of any number of concurrent calls
    /// (across processes sharing the store) gets `Consumed`.
    fn token_consume(
        &self,
        account: &str,
        hash: &TokenHash,
    ) -> impl Future<Output = Result<Consume, StoreError>> + Send;

    /// Adds the webhook unless the account already has `max`; `false` if full.
    fn webhook_add(&self, hook: &WebhookRecord, max: usize) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn webhooks_list(&self, account: &str) -> impl Future<Output = Result<Vec<WebhookRecord>, StoreError>> + Send;
    /// `false` if the account has no such webhook.
    fn webhook_delete(&self, account: &str, id: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores a new challenge, kept for `ttl` (longer than its lifetime, so
    /// an expired challenge answers 410 rather than 404).
    fn challenge_put(
        &self,
        challenge: &ChallengeRecord,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The challenge and its state, if `account` has it.
    fn challenge_get(
        &self,
        account: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<StoredChallenge>, StoreError>> + Send;
    /// Records one answer atomically: the first passing answer wins, each
    /// failing one uses an attempt, and a closed challenge changes no more.
    fn challenge_attempt(
        &self,
        account: &str,
        id: &str,
        passed: bool,
    ) -> impl Future<Output = Result<Attempt, StoreError>> + Send;

    /// Records a window's replay marks for `account` for `ttl`: `true` when
    /// the same exact fingerprint was already recorded and has not expired,
    /// or when `SKETCH_MATCH` of one half of its sketch values are already
    /// recorded for one earlier window (a copy with noise; see
    /// `scoring::fingerprint`).
    /// Values already there keep their first owner.
    fn fingerprint_seen(
        &self,
        account: &str,
        marks: Marks,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Replaces the webhook only if it still exists (deactivation must not
    /// resurrect a webhook deleted meanwhile); `false` if it does not.
    fn webhook_update(&self, hook: &WebhookRecord) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Makes the entries durable (before the call that caused them answers).
    fn outbox_put(&self, entries: &[OutboxEntry]) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Takes up to `limit` entries due at `now_ms` and, in the same atomic
    /// step, moves their due time to `lease_until_ms`, so no other worker or
    /// instance takes them while this one delivers. Expired entries are
    /// dropped on the way.
    fn outbox_claim(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<OutboxEntry>, StoreError>> + Send;
    /// Stores the entry's new `attempts` and `due_ms` (a retry, or a lease
    /// given back); nothing if it is gone.
    fn outbox_reschedule(&self, entry: &OutboxEntry) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes the entry (delivered or given up).
    fn outbox_delete(&self, entry: &OutboxEntry) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Answers when the backend is reachable (`/readyz`).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Makes every accepted write durable (called on shutdown).
    fn flush(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Adds this instance's new hits to the limit counters shared by every
    /// instance on the store and returns the shared totals, one per entry
    /// (`(counter key, window, new hits)`; a delta of 0 just reads).
    /// `None`: the store is not shared (embedded), the local counts are the
    /// whole truth and the caller stops asking.
    fn limits_sync(
        &self,
        family: &'static str,
        entries: &[(u64, u64, u32)],
    ) -> impl Future<Output = Result<Option<Vec<u64>>, StoreError>> + Send {
        let _ = (family, entries);
        async { Ok(None) }
    }

    /// The circuit breaker's state (`Closed` for a backend without one).
    fn breaker_state(&self) -> BreakerState {
        BreakerState::Closed
    }
}
