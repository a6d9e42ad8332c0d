//! `Instrumented<S>`: any store with every call timed and its failures
//! counted, by operation, into `huma_store_duration_seconds` and
//! `huma_store_errors_total`. The one place store metrics are recorded, so
//! neither backend carries metrics code; `App::start` wraps the store.
//!
//! The cost per call is two `Instant::now()` and a few atomic adds: the
//! histograms are created up front and picked by index.

use std::future::Future;
use std::time::{Duration, Instant};

use super::{
    Attempt, BreakerState, Consume, OutboxEntry, Quota, Store, StoreError, StoredChallenge, StoredToken, WebhookRecord,
};
use crate::challenges::ChallengeRecord;
use crate::keys::{KeyHash, KeyRecord};
use crate::metrics::StoreMetrics;
use crate::scoring::fingerprint::Marks;
use crate::tokens::{TokenHash, TokenRecord};

/// The operations as the `op` label names them; `Op` indexes this list.
pub const OPS: &[&str] = &[
    "secret_get_or_init",
    "key_put",
    "key_by_hash",
    "key_by_id",
    "keys_list",
    "quota_take",
    "quota_refund",
    "quota_get",
    "token_put",
    "token_get",
    "token_consume",
    "webhook_add",
    "webhooks_list",
    "webhook_delete",
    "challenge_put",
    "challenge_get",
    "challenge_attempt",
    "fingerprint_seen",
    "webhook_update",
    "outbox_put",
    "outbox_claim",
    "outbox_reschedule",
    "outbox_delete",
    "ping",
    "flush",
    "limits_sync",
    "token_put_checked",
];

pub struct Instrumented<S> {
    inner: S,
    metrics: StoreMetrics,
}

impl<S> Instrumented<S> {
    pub fn new(inner: S, metrics: StoreMetrics) -> Self {
        Instrumented { inner, metrics }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }

    async fn timed<T>(&self, op: usize, f: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        let started = Instant::now();
        let result = f.await;
        self.metrics
            .observe(op, started.elapsed().as_secs_f64(), result.is_ok());
        result
    }
}

/// The index of `op` in `OPS`; evaluated at compile time at every call
/// site below (`const { index(..) }`).
const fn index(op: &str) -> usize {
    let mut i = 0;
    while i < OPS.len() {
        if eq(OPS[i].as_bytes(), op.as_bytes()) {
            return i;
        }
        i += 1;
    }
    usize::MAX
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl<S: Store> Store for Instrumented<S> {
    async fn secret_get_or_init(&self, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.timed(
            const { index("secret_get_or_init") },
            self.inner.secret_get_or_init(candidate),
        )
        .await
    }
    async fn key_put(&self, key: &KeyRecord) -> Result<(), StoreError> {
        self.timed(const { index("key_put") }, self.inner.key_put(key)).await
    }
    async fn key_by_hash(&self, hash: &KeyHash) -> Result<Option<KeyRecord>, StoreError> {
        self.timed(const { index("key_by_hash") }, self.inner.key_by_hash(hash))
            .await
    }
    fn key_hint(&self, hash: &KeyHash) -> Option<KeyRecord> {
        self.inner.key_hint(hash)
    }
    async fn key_by_id(&self, id: &str) -> Result<Option<KeyRecord>, StoreError> {
        self.timed(const { index("key_by_id") }, self.inner.key_by_id(id)).await
    }
    async fn keys_list(&self) -> Result<Vec<KeyRecord>, StoreError> {
        self.timed(const { index("keys_list") }, self.inner.keys_list()).await
    }
    async fn quota_take(&self, account: &str, month: &str, limit: Option<u64>) -> Result<Quota, StoreError> {
        self.timed(
            const { index("quota_take") },
            self.inner.quota_take(account, month, limit),
        )
        .await
    }
    async fn quota_refund(&self, account: &str, month: &str) -> Result<(), StoreError> {
        self.timed(const { index("quota_refund") }, self.inner.quota_refund(account, month))
            .await
    }
    async fn quota_get(&self, account: &str, month: &str) -> Result<u64, StoreError> {
        self.timed(const { index("quota_get") }, self.inner.quota_get(account, month))
            .await
    }
    async fn token_put(&self, hash: &TokenHash, token: &TokenRecord, ttl: Duration) -> Result<(), StoreError> {
        self.timed(const { index("token_put") }, self.inner.token_put(hash, token, ttl))
            .await
    }
    async fn token_put_checked(
        &self,
        hash: &TokenHash,
        token: &TokenRecord,
        replayed: &TokenRecord,
        ttl: Duration,
        fingerprint: Option<(Marks, Duration)>,
    ) -> Result<bool, StoreError> {
        self.timed(
            const { index("token_put_checked") },
            self.inner.token_put_checked(hash, token, replayed, ttl, fingerprint),
        )
        .await
    }
    async fn token_get(&self, account: &str, hash: &TokenHash) -> Result<Option<StoredToken>, StoreError> {
        self.timed(const { index("token_get") }, self.inner.token_get(account, hash))
            .await
    }
    async fn token_consume(&self, account: &str, hash: &TokenHash) -> Result<Consume, StoreError> {
        self.timed(
            const { index("token_consume") },
            self.inner.token_consume(account, hash),
        )
        .await
    }
    async fn webhook_add(&self, hook: &WebhookRecord, max: usize) -> Result<bool, StoreError> {
        self.timed(const { index("webhook_add") }, self.inner.webhook_add(hook, max))
            .await
    }
    async fn webhooks_list(&self, account: &str) -> Result<Vec<WebhookRecord>, StoreError> {
        self.timed(const { index("webhooks_list") }, self.inner.webhooks_list(account))
            .await
    }
    async fn webhook_delete(&self, account: &str, id: &str) -> Result<bool, StoreError> {
        self.timed(
            const { index("webhook_delete") },
            self.inner.webhook_delete(account, id),
        )
        .await
    }
    async fn challenge_put(&self, challenge: &ChallengeRecord, ttl: Duration) -> Result<(), StoreError> {
        self.timed(
            const { index("challenge_put") },
            self.inner.challenge_put(challenge, ttl),
        )
        .await
    }
    async fn challenge_get(&self, account: &str, id: &str) -> Result<Option<StoredChallenge>, StoreError> {
        self.timed(const { index("challenge_get") }, self.inner.challenge_get(account, id))
            .await
    }
    async fn challenge_attempt(&self, account: &str, id: &str, passed: bool) -> Result<Attempt, StoreError> {
        self.timed(
            const { index("challenge_attempt") },
            self.inner.challenge_attempt(account, id, passed),
        )
        .await
    }
    async fn fingerprint_seen(&self, account: &str, fingerprint: Marks, ttl: Duration) -> Result<bool, StoreError> {
        self.timed(
            const { index("fingerprint_seen") },
            self.inner.fingerprint_seen(account, fingerprint, ttl),
        )
        .await
    }
    async fn webhook_update(&self, hook: &WebhookRecord) -> Result<bool, StoreError> {
        self.timed(const { index("webhook_update") }, self.inner.webhook_update(hook))
            .await
    }
    async fn outbox_put(&self, entries: &[OutboxEntry]) -> Result<(), StoreError> {
        self.timed(const { index("outbox_put") }, self.inner.outbox_put(entries))
            .await
    }
    async fn outbox_claim(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        self.timed(
            const { index("outbox_claim") },
            self.inner.outbox_claim(now_ms, lease_until_ms, limit),
        )
        .await
    }
    async fn outbox_reschedule(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        self.timed(
            const { index("outbox_reschedule") },
            self.inner.outbox_reschedule(entry),
        )
        .await
    }
    async fn outbox_delete(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        self.timed(const { index("outbox_delete") }, self.inner.outbox_delete(entry))
            .await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.timed(const { index("ping") }, self.inner.ping()).await
    }
    async fn flush(&self) -> Result<(), StoreError> {
        self.timed(const { index("flush") }, self.inner.flush()).await
    }
    async fn limits_sync(
        &self,
        family: &'static str,
        entries: &[(u64, u64, u32)],
    ) -> Result<Option<Vec<u64>>, StoreError> {
        self.timed(const { index("limits_sync") }, self.inner.limits_sync(family, entries))
            .await
    }
    fn breaker_state(&self) -> BreakerState {
        self.inner.breaker_state()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_has_an_index() {
        for (i, op) in super::OPS.iter().enumerate() {
            assert_eq!(super::index(op), i);
        }
        assert_eq!(super::index("nope"), usize::MAX);
    }
}
