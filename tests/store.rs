//! The store contract, written once over `S: Store` and run against both
//! backends (embedded in a temporary directory, Redis on a private
//! `redis-server`), plus restart and multi-instance checks per backend.

mod common;

use std::sync::Arc;
use std::time::Duration;

use huma::keys::{KeyKind, KeyRecord, Plan};
use huma::scoring::fingerprint::{Marks, SKETCH_LEN, SKETCH_MATCH};
use huma::scoring::Profile;
use huma::store::{Consume, EmbeddedStore, OutboxEntry, Quota, RedisStore, Store, WebhookRecord};
use huma::tokens::{TokenKind, TokenRecord};
use tempfile::TempDir;

use common::RedisServer;

const FLUSH: Duration = Duration::from_millis(50);
const TIMEOUT: Duration = Duration::from_millis(2_000);

fn key(id: &str, hash: u8, account: &str) -> KeyRecord {
    KeyRecord {
        id: id.into(),
        hash: [hash; 32],
        kind: KeyKind::Live,
        plan: Plan::Pro,
        name: format!("name of {id}"),
        account: account.into(),
        origins: vec!["https://shop.example".into()],
        monthly_limit: Some(5),
        burst_per_minute: None,
        created_at: 1_700_000_000 + i64::from(hash),
        expires_at: None,
        revoked: false,
    }
}

fn token(account: &str) -> TokenRecord {
    TokenRecord {
        kind: TokenKind::Verified,
        account: account.into(),
        user_hash: [7; 32],
        human: true,
        score: 91,
        action: Some("login".into()),
        hostname: Some("shop.example".into()),
        profile: Profile([0.5; 8]),
        created_at_ms: 1_700_000_000_000,
    }
}

fn hook(account: &str, id: &str, created_at: i64) -> WebhookRecord {
    WebhookRecord {
        id: id.into(),
        account: account.into(),
        url: "https://hooks.example/huma".into(),
        events: vec!["bot.detected".into()],
        secret: "whsec_test".into(),
        active: true,
        created_at,
    }
}

async fn keys<S: Store>(s: Arc<S>) {
    let (a, b) = (key("key_A", 1, "key_A"), key("key_B", 2, "key_A"));
    s.key_put(&a).await.unwrap();
    s.key_put(&b).await.unwrap();
    assert_eq!(s.key_by_hash(&[1; 32]).await.unwrap(), Some(a.clone()));
    assert_eq!(s.key_by_id("key_B").await.unwrap(), Some(b.clone()));
    assert_eq!(s.key_by_hash(&[9; 32]).await.unwrap(), None);
    assert_eq!(s.key_by_id("key_none").await.unwrap(), None);
    assert_eq!(s.keys_list().await.unwrap(), vec![a.clone(), b.clone()]);
    let revoked = KeyRecord { revoked: true, ..b };
    s.key_put(&revoked).await.unwrap();
    assert!(s.key_by_hash(&[2; 32]).await.unwrap().unwrap().revoked);
    assert!(s.key_by_id("key_B").await.unwrap().unwrap().revoked);
    assert_eq!(s.keys_list().await.unwrap().len(), 2);
}

async fn quota<S: Store>(s: Arc<S>) {
    assert_eq!(s.quota_get("key_A", "2026-11").await.unwrap(), 0);
    assert_eq!(
        s.quota_take("key_A", "2026-11", Some(2)).await.unwrap(),
        Quota::Taken(1)
    );
    assert_eq!(
        s.quota_take("key_A", "2026-11", Some(2)).await.unwrap(),
        Quota::Taken(2)
    );
    assert_eq!(
        s.quota_take("key_A", "2026-11", Some(2)).await.unwrap(),
        Quota::Exceeded
    );
    assert_eq!(s.quota_get("key_A", "2026-11").await.unwrap(), 2);
    s.quota_refund("key_A", "2026-11").await.unwrap();
    assert_eq!(s.quota_get("key_A", "2026-11").await.unwrap(), 1);
    assert_eq!(
        s.quota_take("key_A", "2026-11", Some(2)).await.unwrap(),
        Quota::Taken(2)
    );
    // Other months and accounts are separate counters; refunds stop at zero.
    assert_eq!(s.quota_get("key_A", "2026-12").await.unwrap(), 0);
    assert_eq!(s.quota_take("key_B", "2026-11", None).await.unwrap(), Quota::Taken(1));
    assert_eq!(s.quota_take("key_B", "2026-11", None).await.unwrap(), Quota::Taken(2));
    s.quota_refund("key_C", "2026-11").await.unwrap();
    assert_eq!(s.quota_get("key_C", "2026-11").await.unwrap(), 0);
}

async fn quota_race<S: Store>(s: Arc<S>) {
    let takes = (0..32).map(|_| {
        let s = s.clone();
        tokio::spawn(async move { s.quota_take("key_A", "2026-11", Some(10)).await.unwrap() })
    });
    let mut taken = 0;
    for t in takes.collect::<Vec<_>>() {
        taken += matches!(t.await.unwrap(), Quota::Taken(_)) as u32;
    }
    assert_eq!(taken, 10);
    assert_eq!(s.quota_get("key_A", "2026-11").await.unwrap(), 10);
}

async fn tokens<S: Store>(s: Arc<S>) {
    let t = token("key_A");
    s.token_put(&[3; 32], &t, Duration::from_secs(60)).await.unwrap();
    let got = s.token_get("key_A", &[3; 32]).await.unwrap().unwrap();
    assert_eq!((got.record, got.used), (t, false));
    assert_eq!(
        s.token_get("key_B", &[3; 32]).await.unwrap(),
        None,
        "a foreign account sees nothing"
    );
    assert_eq!(s.token_get("key_A", &[4; 32]).await.unwrap(), None);
    assert_eq!(s.token_consume("key_B", &[3; 32]).await.unwrap(), Consume::NotFound);
    assert_eq!(s.token_consume("key_A", &[4; 32]).await.unwrap(), Consume::NotFound);
    assert_eq!(s.token_consume("key_A", &[3; 32]).await.unwrap(), Consume::Consumed);
    assert_eq!(s.token_consume("key_A", &[3; 32]).await.unwrap(), Consume::AlreadyUsed);
    assert!(s.token_get("key_A", &[3; 32]).await.unwrap().unwrap().used);
}

async fn token_expiry<S: Store>(s: Arc<S>) {
    s.token_put(&[5; 32], &token("key_A"), Duration::from_millis(300))
        .await
        .unwrap();
    assert!(s.token_get("key_A", &[5; 32]).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(s.token_get("key_A", &[5; 32]).await.unwrap(), None);
    assert_eq!(s.token_consume("key_A", &[5; 32]).await.unwrap(), Consume::NotFound);
}

async fn consume_race<S: Store>(stores: [Arc<S>; 2]) {
    stores[0]
        .token_put(&[6; 32], &token("key_A"), Duration::from_secs(60))
        .await
        .unwrap();
    let consumes: Vec<_> = (0..16)
        .map(|i| {
            let s = stores[i % 2].clone();
            tokio::spawn(async move { s.token_consume("key_A", &[6; 32]).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for c in consumes {
        outcomes.push(c.await.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|c| **c == Consume::Consumed).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|c| **c == Consume::AlreadyUsed).count(),
        15,
        "{outcomes:?}"
    );
}

async fn webhooks<S: Store>(s: Arc<S>) {
    for i in 0..5 {
        assert!(s
            .webhook_add(&hook("key_A", &format!("wh_{i}"), 100 + i), 5)
            .await
            .unwrap());
    }
    assert!(
        !s.webhook_add(&hook("key_A", "wh_5", 200), 5).await.unwrap(),
        "a sixth is refused"
    );
    assert!(
        s.webhook_add(&hook("key_B", "wh_b", 100), 5).await.unwrap(),
        "the limit is per account"
    );
    let ids: Vec<String> = s
        .webhooks_list("key_A")
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(ids, ["wh_0", "wh_1", "wh_2", "wh_3", "wh_4"]);
    assert!(
        !s.webhook_delete("key_B", "wh_0").await.unwrap(),
        "not another account's"
    );
    assert!(s.webhook_delete("key_A", "wh_0").await.unwrap());
    assert!(!s.webhook_delete("key_A", "wh_0").await.unwrap());
    assert!(s.webhook_add(&hook("key_A", "wh_5", 200), 5).await.unwrap());
    assert_eq!(s.webhooks_list("key_A").await.unwrap().len(), 5);
    assert_eq!(s.webhooks_list("key_C").await.unwrap(), vec![]);
}

fn entry(event: &str, hook: &str, due_ms: i64, expires_ms: i64) -> OutboxEntry {
    OutboxEntry {
        event_id: event.into(),
        webhook_id: hook.into(),
        account: "key_A".into(),
        event: "bot.detected".into(),
        body: format!(r#"{{"id":"{event}"}}"#).into_bytes(),
        attempts: 0,
        due_ms,
        expires_ms,
    }
}

fn now_ms() -> i64 {
    huma::app::unix_millis()
}

async fn webhook_update<S: Store>(s: Arc<S>) {
    let mut h = hook("key_A", "wh_0", 100);
    assert!(s.webhook_add(&h, 5).await.unwrap());
    h.active = false;
    assert!(s.webhook_update(&h).await.unwrap());
    assert_eq!(s.webhooks_list("key_A").await.unwrap(), vec![h.clone()]);
    assert!(s.webhook_delete("key_A", "wh_0").await.unwrap());
    assert!(
        !s.webhook_update(&h).await.unwrap(),
        "a deleted webhook is not resurrected"
    );
    assert_eq!(s.webhooks_list("key_A").await.unwrap(), vec![]);
}

async fn outbox<S: Store>(s: Arc<S>) {
    let now = now_ms();
    let hour = 3_600_000;
    s.outbox_put(&[
        entry("evt_1", "wh_a", now - 10, now + hour),
        entry("evt_1", "wh_b", now - 5, now + hour),
        entry("evt_2", "wh_a", now + hour / 2, now + hour),
        entry("evt_3", "wh_a", now - 1, now + 50),
    ])
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await; // evt_3 expires
    let now = now_ms();
    // Due entries, oldest first, at most `limit`; the lease hides them from the next claim.
    let got = s.outbox_claim(now, now + 1_000, 1).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].key(), "evt_1:wh_a");
    assert_eq!(got[0].body, br#"{"id":"evt_1"}"#);
    let got = s.outbox_claim(now, now + 1_000, 10).await.unwrap();
    assert_eq!(
        got.iter().map(|e| e.key()).collect::<Vec<_>>(),
        ["evt_1:wh_b"],
        "expired and future ones are not claimed"
    );
    assert!(s.outbox_claim(now, now + 1_000, 10).await.unwrap().is_empty());
    // After the lease they are due again.
    let later = now + 1_001;
    assert_eq!(s.outbox_claim(later, later + 1_000, 10).await.unwrap().len(), 2);
    // A retry: new attempts and due time.
    let mut retry = got[0].clone();
    retry.attempts = 1;
    retry.due_ms = now + 5_000;
    s.outbox_reschedule(&retry).await.unwrap();
    let at = now + 5_000;
    let again = s.outbox_claim(at, at + 1_000, 10).await.unwrap();
    let mine = again.iter().find(|e| e.key() == "evt_1:wh_b").unwrap();
    assert_eq!(mine.attempts, 1);
    // Delivered: gone for good; rescheduling a deleted entry does not bring it back.
    s.outbox_delete(mine).await.unwrap();
    s.outbox_reschedule(&retry).await.unwrap();
    let far = now + hour / 2 + 10_000;
    let left: Vec<String> = s
        .outbox_claim(far, far + 1, 10)
        .await
        .unwrap()
        .iter()
        .map(|e| e.key())
        .collect();
    assert_eq!(left, ["evt_1:wh_a", "evt_2:wh_a"]);
    // Past its end of life an entry is dropped, whatever its due time.
    assert!(s
        .outbox_claim(now + 2 * hour, now + 2 * hour + 1, 10)
        .await
        .unwrap()
        .is_empty());
}

/// Concurrent puts (grouped into shared commits on the embedded store) all land.
async fn outbox_concurrent_puts<S: Store>(s: Arc<S>) {
    let now = now_ms();
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                s.outbox_put(&[entry(&format!("evt_{i:02}"), "wh_a", now - 1, now + 60_000)])
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(s.outbox_claim(now, now + 1_000, 100).await.unwrap().len(), 64);
}

async fn secret<S: Store>(s: Arc<S>) {
    assert_eq!(s.secret_get_or_init(b"first-secret").await.unwrap(), b"first-secret");
    assert_eq!(s.secret_get_or_init(b"second-secret").await.unwrap(), b"first-secret");
    s.ping().await.unwrap();
    s.flush().await.unwrap();
}

/// Marks with only an exact fingerprint (a window too short for a sketch).
fn fp(exact: u64) -> Marks {
    Marks { exact, sketch: None }
}

/// Marks whose sketch holds `values` (the rest filled with values of
/// their own).
fn sketched(exact: u64, values: &[u64]) -> Marks {
    let mut sketch = [0u64; SKETCH_LEN];
    for (i, v) in sketch.iter_mut().enumerate() {
        *v = values.get(i).copied().unwrap_or(exact << 8 | i as u64);
    }
    Marks {
        exact,
        sketch: Some(sketch),
    }
}

/// A copy with noise shares most of the sketch but not the exact
/// fingerprint: a replay when one earlier window owns `SKETCH_MATCH` of
/// its values, not when they are spread over several windows or too few.
async fn sketches<S: Store>(s: Arc<S>) {
    let ttl = Duration::from_secs(60);
    let first: Vec<u64> = (1..=16).collect();
    assert!(!s.fingerprint_seen("key_A", sketched(100, &first), ttl).await.unwrap());
    let shared = &first[..SKETCH_MATCH];
    assert!(
        s.fingerprint_seen("key_A", sketched(101, shared), ttl).await.unwrap(),
        "{SKETCH_MATCH} values of one window"
    );
    assert!(
        !s.fingerprint_seen("key_B", sketched(102, shared), ttl).await.unwrap(),
        "per account"
    );
    let fewer = &first[10..10 + SKETCH_MATCH - 1];
    assert!(
        !s.fingerprint_seen("key_A", sketched(103, fewer), ttl).await.unwrap(),
        "one value short"
    );
    // Values owned by two windows: 201..=203 by one, 301..=303 by another.
    assert!(!s
        .fingerprint_seen("key_A", sketched(200, &[201, 202, 203]), ttl)
        .await
        .unwrap());
    assert!(!s
        .fingerprint_seen("key_A", sketched(300, &[301, 302, 303]), ttl)
        .await
        .unwrap());
    let spread = [201, 202, 203, 301, 302, 303];
    assert!(
        !s.fingerprint_seen("key_A", sketched(400, &spread), ttl).await.unwrap(),
        "spread over windows"
    );
    // Matches count within one half of the sketch (each half has an owner
    // of its own): half the needed values in each half of one earlier
    // window is not a replay, all of them in the second half is.
    let (whole, h) = ((601..=600 + SKETCH_LEN as u64).collect::<Vec<_>>(), SKETCH_LEN / 2);
    assert!(!s.fingerprint_seen("key_A", sketched(600, &whole), ttl).await.unwrap());
    let mut split: Vec<u64> = (7000..7000 + SKETCH_LEN as u64).collect();
    let k = SKETCH_MATCH.div_ceil(2);
    split[..k].copy_from_slice(&whole[..k]);
    split[h..h + k].copy_from_slice(&whole[h..h + k]);
    assert!(
        !s.fingerprint_seen("key_A", sketched(700, &split), ttl).await.unwrap(),
        "{k} in each half"
    );
    let mut second: Vec<u64> = (8000..8000 + SKETCH_LEN as u64).collect();
    second[h..h + SKETCH_MATCH].copy_from_slice(&whole[h..h + SKETCH_MATCH]);
    assert!(
        s.fingerprint_seen("key_A", sketched(800, &second), ttl).await.unwrap(),
        "{SKETCH_MATCH} in the second half"
    );
    // A token written with a noisy copy's marks is the replayed record.
    let (fresh, mut replayed) = (token("key_A"), token("key_A"));
    replayed.human = false;
    assert!(s
        .token_put_checked(&[9; 32], &fresh, &replayed, ttl, Some((sketched(500, shared), ttl)))
        .await
        .unwrap());
    assert_eq!(s.token_get("key_A", &[9; 32]).await.unwrap().unwrap().record, replayed);
}

async fn fingerprints<S: Store>(s: Arc<S>) {
    let ttl = Duration::from_millis(300);
    assert!(!s.fingerprint_seen("key_A", fp(42), ttl).await.unwrap(), "new");
    assert!(s.fingerprint_seen("key_A", fp(42), ttl).await.unwrap(), "seen");
    assert!(!s.fingerprint_seen("key_B", fp(42), ttl).await.unwrap(), "per account");
    assert!(!s.fingerprint_seen("key_A", fp(43), ttl).await.unwrap());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!s.fingerprint_seen("key_A", fp(42), ttl).await.unwrap(), "expired");
}

async fn checked_tokens<S: Store>(s: Arc<S>) {
    let ttl = Duration::from_secs(60);
    let window = Some((fp(42), Duration::from_millis(300)));
    let (fresh, mut replayed) = (token("key_A"), token("key_A"));
    replayed.human = false;
    replayed.score = 5;
    let stored = |hash: u8| {
        let s = s.clone();
        async move { s.token_get("key_A", &[hash; 32]).await.unwrap().unwrap().record }
    };
    // A new fingerprint: the fresh record, and the fingerprint is now known.
    assert!(!s
        .token_put_checked(&[1; 32], &fresh, &replayed, ttl, window)
        .await
        .unwrap());
    assert_eq!(stored(1).await, fresh);
    // The same fingerprint again: the replayed record.
    assert!(s
        .token_put_checked(&[2; 32], &fresh, &replayed, ttl, window)
        .await
        .unwrap());
    assert_eq!(stored(2).await, replayed);
    assert!(s
        .fingerprint_seen("key_A", fp(42), Duration::from_millis(300))
        .await
        .unwrap());
    // No fingerprint: the fresh record, nothing recorded.
    assert!(!s
        .token_put_checked(&[3; 32], &fresh, &replayed, ttl, None)
        .await
        .unwrap());
    assert_eq!(stored(3).await, fresh);
    assert!(!s
        .fingerprint_seen("key_A", fp(43), Duration::from_millis(300))
        .await
        .unwrap());
    // Fingerprints are the token's account's.
    let other = token("key_B");
    assert!(!s
        .token_put_checked(&[4; 32], &other, &other, ttl, window)
        .await
        .unwrap());
    // The token expires after `ttl`, the fingerprint after its window.
    assert!(!s
        .token_put_checked(
            &[5; 32],
            &fresh,
            &replayed,
            Duration::from_millis(300),
            Some((fp(44), ttl))
        )
        .await
        .unwrap());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(s.token_get("key_A", &[5; 32]).await.unwrap(), None);
    assert!(
        !s.fingerprint_seen("key_A", fp(42), Duration::from_millis(300))
            .await
            .unwrap(),
        "expired"
    );
    assert!(
        s.fingerprint_seen("key_A", fp(44), ttl).await.unwrap(),
        "still in its window"
    );
}

/// Writes everything a restart must keep, through `before`.
async fn fill<S: Store>(before: &S) {
    before.key_put(&key("key_A", 1, "key_A")).await.unwrap();
    assert!(before.webhook_add(&hook("key_A", "wh_0", 100), 5).await.unwrap());
    before.secret_get_or_init(b"kept-secret").await.unwrap();
    for _ in 0..3 {
        before.quota_take("key_A", "2026-11", Some(10)).await.unwrap();
    }
    before
        .token_put(&[3; 32], &token("key_A"), Duration::from_secs(60))
        .await
        .unwrap();
    before
        .token_put(&[4; 32], &token("key_A"), Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        before.token_consume("key_A", &[4; 32]).await.unwrap(),
        Consume::Consumed
    );
    before
        .token_put(&[5; 32], &token("key_A"), Duration::from_millis(100))
        .await
        .unwrap();
    before
        .outbox_put(&[entry("evt_k", "wh_0", 0, now_ms() + 3_600_000)])
        .await
        .unwrap();
}

/// Checks through `after` what `fill` wrote.
async fn kept<S: Store>(after: &S) {
    assert_eq!(after.key_by_id("key_A").await.unwrap(), Some(key("key_A", 1, "key_A")));
    assert_eq!(
        after.webhooks_list("key_A").await.unwrap(),
        vec![hook("key_A", "wh_0", 100)]
    );
    assert_eq!(after.secret_get_or_init(b"other").await.unwrap(), b"kept-secret");
    assert_eq!(after.quota_get("key_A", "2026-11").await.unwrap(), 3);
    assert!(!after.token_get("key_A", &[3; 32]).await.unwrap().unwrap().used);
    assert!(after.token_get("key_A", &[4; 32]).await.unwrap().unwrap().used);
    assert_eq!(
        after.token_consume("key_A", &[4; 32]).await.unwrap(),
        Consume::AlreadyUsed
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(after.token_get("key_A", &[5; 32]).await.unwrap(), None);
    let now = now_ms();
    let outbox = after.outbox_claim(now, now + 1_000, 10).await.unwrap();
    assert_eq!(outbox.iter().map(|e| e.key()).collect::<Vec<_>>(), ["evt_k:wh_0"]);
}

async fn embedded() -> (Arc<EmbeddedStore>, TempDir) {
    let dir = TempDir::new().unwrap();
    (Arc::new(EmbeddedStore::open(dir.path(), FLUSH).unwrap()), dir)
}

async fn redis() -> (Arc<RedisStore>, RedisServer) {
    let server = RedisServer::start();
    (
        Arc::new(RedisStore::connect(&server.url(), 2, TIMEOUT).await.unwrap()),
        server,
    )
}

/// One test per contract function and backend; the guard keeps the
/// directory or server alive for the test's duration.
macro_rules! conformance {
    ($backend:ident: $($case:ident),*) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $case() {
                    let (store, _guard) = super::$backend().await;
                    super::$case(store).await;
                }
            )*
        }
    };
}

conformance!(embedded: keys, quota, quota_race, tokens, token_expiry, webhooks, webhook_update, outbox, outbox_concurrent_puts, secret, fingerprints, sketches, checked_tokens);
conformance!(redis: keys, quota, quota_race, tokens, token_expiry, webhooks, webhook_update, outbox, outbox_concurrent_puts, secret, fingerprints, sketches, checked_tokens);

#[tokio::test(flavor = "multi_thread")]
async fn embedded_consume_race_has_one_winner() {
    let (s, _dir) = embedded().await;
    consume_race([s.clone(), s]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_consume_race_across_two_instances_has_one_winner() {
    let (a, server) = redis().await;
    let b = Arc::new(RedisStore::connect(&server.url(), 2, TIMEOUT).await.unwrap());
    consume_race([a, b]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_state_survives_reopen() {
    let dir = TempDir::new().unwrap();
    let before = EmbeddedStore::open(dir.path(), FLUSH).unwrap();
    fill(&before).await;
    before.flush().await.unwrap();
    drop(before);
    kept(&EmbeddedStore::open(dir.path(), FLUSH).unwrap()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_background_flush_persists_without_explicit_flush() {
    let dir = TempDir::new().unwrap();
    let before = EmbeddedStore::open(dir.path(), FLUSH).unwrap();
    fill(&before).await;
    // Dropping flushes too; waiting first shows the flusher alone suffices,
    // and dropping right after shows close and reopen do not race.
    tokio::time::sleep(FLUSH * 4).await;
    drop(before);
    kept(&EmbeddedStore::open(dir.path(), FLUSH).unwrap()).await;
}

/// The flusher commits on a thread of its own below the request workers'
/// priority (nice 10), so a batch commit takes idle time, not a request's.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn embedded_flusher_runs_on_its_own_lower_priority_thread() {
    let (store, _dir) = embedded().await;
    fill(&*store).await;
    tokio::time::sleep(FLUSH * 2).await;
    let mut nices = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let path = task.unwrap().path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim() == "huma-flusher" {
            // Field 19 of stat is the nice value; fields are counted after
            // the parenthesised name, which may hold spaces.
            let stat = std::fs::read_to_string(path.join("stat")).unwrap();
            let rest = &stat[stat.rfind(')').unwrap() + 2..];
            nices.push(rest.split(' ').nth(16).unwrap().parse::<i32>().unwrap());
        }
    }
    assert!(!nices.is_empty(), "a huma-flusher thread is running");
    assert!(nices.iter().all(|n| *n == 10), "{nices:?}");
    drop(store);
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_second_open_names_huma_data_dir() {
    let (_held, dir) = embedded().await;
    let err = EmbeddedStore::open(dir.path(), FLUSH)
        .err()
        .expect("the file is locked");
    assert!(
        err.0.contains("another huma process") && err.0.contains("HUMA_DATA_DIR"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_second_instance_sees_the_same_state() {
    let (before, server) = redis().await;
    fill(&*before).await;
    kept(&RedisStore::connect(&server.url(), 1, TIMEOUT).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_unreachable_fails_fast_with_store_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = std::time::Instant::now();
    let url = format!("redis://127.0.0.1:{port}/");
    assert!(RedisStore::connect(&url, 2, Duration::from_millis(300)).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_key_names_hold_hex_hashes_and_expiring_keys_have_ttls() {
    use bb8_redis::redis;
    let (s, server) = redis().await;
    fill(&*s).await;
    let mut c = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let names: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut c).await.unwrap();
    let token_hex = "03".repeat(32);
    assert!(names.contains(&format!("huma:{{key_A}}:tok:{token_hex}")), "{names:?}");
    assert!(
        names.contains(&format!("huma:key:{{{}}}", "01".repeat(32))),
        "{names:?}"
    );
    for name in &names {
        assert!(name.starts_with("huma:"), "{name}");
        // No record content (user hash bytes, names, URLs) ever appears in a key name.
        assert!(
            !name.contains("0707") && !name.contains("name of") && !name.contains("hooks.example"),
            "{name}"
        );
        let ttl: i64 = redis::cmd("PTTL").arg(name).query_async(&mut c).await.unwrap();
        // -2: a short-lived token expired between KEYS and PTTL.
        let expires = name.contains(":tok:") || name.contains(":quota:") || name.contains("{outbox}:e:");
        assert!(
            if expires { ttl > 0 || ttl == -2 } else { ttl == -1 },
            "{name} has PTTL {ttl}"
        );
    }
}
