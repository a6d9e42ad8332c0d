//! The embedded store, the default backend: everything in process, made
//! durable in one redb file, `HUMA_DATA_DIR/huma.redb`.
//!
//! Memory is authoritative and redb is the durable copy. Two write paths:
//!
//! - Keys, webhooks and the secret are rare admin writes, so they are
//!   written through: the call returns only after its redb transaction has
//!   committed (fsynced), and memory changes only after that. The webhook
//!   outbox is written through too, because the contract promises that an
//!   accepted event survives a crash; only accounts with webhooks pay that
//!   commit per verify, and concurrent ones share it (group commit). Leases taken by `outbox_claim` live only in
//!   memory: after a restart nobody holds one, so entries are due at the
//!   time stored on disk.
//! - Tokens, consumed flags and quota counters change on every verify. An
//!   fsync per verify would cap throughput at the disk's fsync rate, so these
//!   only mark their entry dirty; a background thread (below the request
//!   workers' CPU priority) commits all dirty entries
//!   in one transaction every `flush_interval` (200 ms by default), and
//!   `flush` does it at once on graceful shutdown. A crash loses at most about
//!   one interval of them, inside the contract's ~1 s for tokens.
//!
//! The hot path takes no global lock: tokens and quotas live in `shards`,
//! independently locked maps chosen by hash, each with its own dirty set.
//! Expired tokens are never returned, and a periodic sweep drops them
//! (and quota months older than two months) from memory and redb, so
//! memory stays bounded by the token TTL. Dropping the store flushes and
//! closes the file, so the same directory can be reopened at once.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use redb::{Database, DatabaseError, ReadableTable, TableDefinition, WriteTransaction};

use super::challenges::Challenges;
use super::codec::{decode, encode};
use super::seen::SeenSet;
use super::shards::{current_month, now_ms, stale_month, Batch, Shards, TokenRow};
use super::{Attempt, Consume, OutboxEntry, Quota, Store, StoreError, StoredChallenge, StoredToken, WebhookRecord};
use crate::challenges::ChallengeRecord;
use crate::keys::{KeyHash, KeyRecord};
use crate::scoring::fingerprint::{owned_by_one, sketch_owner, Marks, SKETCH_LEN};
use crate::tokens::{TokenHash, TokenRecord};

/// `"secret"` → the server secret.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Key hash → postcard `KeyRecord`.
const KEYS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("keys");
/// Postcard `(account, id)` → postcard `WebhookRecord`.
const WEBHOOKS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("webhooks");
/// Postcard `(account, month)` → units taken.
const QUOTAS: TableDefinition<&[u8], u64> = TableDefinition::new("quotas");
/// Token hash → postcard `TokenRow`.
const TOKENS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("tokens");
/// `<event_id>:<webhook_id>` → postcard `OutboxEntry`.
const OUTBOX: TableDefinition<&str, &[u8]> = TableDefinition::new("outbox");

/// How often expired tokens and stale quota months are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(30);

pub struct EmbeddedStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` once the store is closed; held while committing, so commits
    /// are serialised and memory follows disk in commit order.
    db: Mutex<Option<Database>>,
    keys: RwLock<Keys>,
    webhooks: RwLock<HashMap<String, Vec<WebhookRecord>>>,
    secret: RwLock<Option<Vec<u8>>>,
    outbox: Mutex<Outbox>,
    /// Outbox entries waiting for the next group commit, each batch with
    /// the sender that tells its caller the outcome.
    outbox_pending: Mutex<Vec<PendingOutbox>>,
    hot: Shards,
    /// Replay fingerprints (not persisted; see `seen.rs`).
    seen: SeenSet,
    /// Open challenges (not persisted; see `challenges.rs`).
    challenges: Challenges,
}

type PendingOutbox = (Vec<OutboxEntry>, tokio::sync::oneshot::Sender<Result<(), StoreError>>);

/// The outbox in memory: entries by key, and the same keys ordered by due time.
#[derive(Default)]
struct Outbox {
    entries: HashMap<String, OutboxEntry>,
    by_due: BTreeSet<(i64, String)>,
}

impl Outbox {
    fn insert(&mut self, e: OutboxEntry) {
        let key = e.key();
        if let Some(old) = self.entries.get(&key) {
            self.by_due.remove(&(old.due_ms, key.clone()));
        }
        self.by_due.insert((e.due_ms, key.clone()));
        self.entries.insert(key, e);
    }

    fn remove(&mut self, key: &str) -> Option<OutboxEntry> {
        let e = self.entries.remove(key)?;
        self.by_due.remove(&(e.due_ms, key.to_string()));
        Some(e)
    }
}

#[derive(Default)]
struct Keys {
    by_hash: HashMap<KeyHash, KeyRecord>,
    by_id: HashMap<String, KeyHash>,
}

impl EmbeddedStore {
    /// Opens (creating if needed) `dir/huma.redb`, loads it into memory and
    /// starts the flusher; call inside a tokio runtime.
    pub fn open(dir: &Path, flush_interval: Duration) -> Result<EmbeddedStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("huma.redb");
        let db = Database::create(&path).map_err(|e| match e {
            DatabaseError::DatabaseAlreadyOpen => StoreError(format!(
                "{} is locked: another huma process probably holds HUMA_DATA_DIR ({})",
                path.display(),
                dir.display()
            )),
            e => StoreError(format!("cannot open {}: {e}", path.display())),
        })?;
        let inner = Arc::new(Inner::load(db)?);
        spawn_flusher(Arc::downgrade(&inner), flush_interval);
        Ok(EmbeddedStore { inner })
    }

    /// Runs an admin write on the blocking pool with the database locked.
    async fn admin<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Inner, &Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let db = inner.db.lock();
            op(&inner, db.as_ref().ok_or_else(closed)?)
        })
        .await
        .map_err(|e| StoreError(format!("embedded store task failed: {e}")))?
    }
}

impl Drop for EmbeddedStore {
    fn drop(&mut self) {
        if let Err(e) = self.inner.close() {
            tracing::error!(error = %e, "embedded store: final flush failed");
        }
    }
}

impl Store for EmbeddedStore {
    async fn secret_get_or_init(&self, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        if let Some(s) = self.inner.secret.read().clone() {
            return Ok(s);
        }
        let candidate = candidate.to_vec();
        self.admin(move |inner, db| {
            if let Some(s) = inner.secret.read().clone() {
                return Ok(s);
            }
            write(db, |txn| {
                txn.open_table(META)
                    .map_err(rdb)?
                    .insert("secret", candidate.as_slice())
                    .map_err(rdb)?;
                Ok(())
            })?;
            *inner.secret.write() = Some(candidate.clone());
            Ok(candidate)
        })
        .await
    }

    async fn key_put(&self, key: &KeyRecord) -> Result<(), StoreError> {
        let key = key.clone();
        self.admin(move |inner, db| {
            // A new hash under an old id replaces the old row rather than leaving it behind.
            let old = inner.keys.read().by_id.get(&key.id).copied().filter(|h| *h != key.hash);
            let bytes = encode(&key)?;
            write(db, |txn| {
                let mut t = txn.open_table(KEYS).map_err(rdb)?;
                t.insert(key.hash.as_slice(), bytes.as_slice()).map_err(rdb)?;
                if let Some(h) = old {
                    t.remove(h.as_slice()).map_err(rdb)?;
                }
                Ok(())
            })?;
            let mut keys = inner.keys.write();
            if let Some(h) = old {
                keys.by_hash.remove(&h);
            }
            keys.by_id.insert(key.id.clone(), key.hash);
            keys.by_hash.insert(key.hash, key);
            Ok(())
        })
        .await
    }

    async fn key_by_hash(&self, hash: &KeyHash) -> Result<Option<KeyRecord>, StoreError> {
        Ok(self.inner.keys.read().by_hash.get(hash).cloned())
    }

    async fn key_by_id(&self, id: &str) -> Result<Option<KeyRecord>, StoreError> {
        let keys = self.inner.keys.read();
        Ok(keys.by_id.get(id).and_then(|h| keys.by_hash.get(h)).cloned())
    }

    async fn keys_list(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let mut all: Vec<KeyRecord> = self.inner.keys.read().by_hash.values().cloned().collect();
        all.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(all)
    }

    async fn quota_take(&self, account: &str, month: &str, limit: Option<u64>) -> Result<Quota, StoreError> {
        Ok(self.inner.hot.quota_take(account, month, limit))
    }

    async fn quota_refund(&self, account: &str, month: &str) -> Result<(), StoreError> {
        self.inner.hot.quota_refund(account, month);
        Ok(())
    }

    async fn quota_get(&self, account: &str, month: &str) -> Result<u64, StoreError> {
        Ok(self.inner.hot.quota_get(account, month))
    }

    async fn token_put(&self, hash: &TokenHash, token: &TokenRecord, ttl: Duration) -> Result<(), StoreError> {
        self.inner.hot.token_put(hash, token, ttl);
        Ok(())
    }

    async fn token_get(&self, account: &str, hash: &TokenHash) -> Result<Option<StoredToken>, StoreError> {
        Ok(self.inner.hot.token_get(account, hash))
    }

    async fn token_consume(&self, account: &str, hash: &TokenHash) -> Result<Consume, StoreError> {
        Ok(self.inner.hot.token_consume(account, hash))
    }

    async fn webhook_add(&self, hook: &WebhookRecord, max: usize) -> Result<bool, StoreError> {
        let hook = hook.clone();
        self.admin(move |inner, db| {
            let (exists, count) = match inner.webhooks.read().get(&hook.account) {
                Some(list) => (list.iter().any(|h| h.id == hook.id), list.len()),
                None => (false, 0),
            };
            if !exists && count >= max {
                return Ok(false);
            }
            write_webhook(db, &hook)?;
            let mut hooks = inner.webhooks.write();
            let list = hooks.entry(hook.account.clone()).or_default();
            list.retain(|h| h.id != hook.id);
            list.push(hook);
            Ok(true)
        })
        .await
    }

    async fn webhooks_list(&self, account: &str) -> Result<Vec<WebhookRecord>, StoreError> {
        Ok(self.inner.webhooks.read().get(account).cloned().unwrap_or_default())
    }

    async fn webhook_delete(&self, account: &str, id: &str) -> Result<bool, StoreError> {
        let (account, id) = (account.to_string(), id.to_string());
        self.admin(move |inner, db| {
            let exists = inner
                .webhooks
                .read()
                .get(&account)
                .is_some_and(|l| l.iter().any(|h| h.id == id));
            if !exists {
                return Ok(false);
            }
            let k = encode(&(&account, &id))?;
            write(db, |txn| {
                txn.open_table(WEBHOOKS)
                    .map_err(rdb)?
                    .remove(k.as_slice())
                    .map_err(rdb)?;
                Ok(())
            })?;
            if let Some(list) = inner.webhooks.write().get_mut(&account) {
                list.retain(|h| h.id != id);
            }
            Ok(true)
        })
        .await
    }

    async fn challenge_put(&self, challenge: &ChallengeRecord, ttl: Duration) -> Result<(), StoreError> {
        self.inner.challenges.put(challenge, now_ms(), ttl.as_millis() as i64);
        Ok(())
    }

    async fn challenge_get(&self, account: &str, id: &str) -> Result<Option<StoredChallenge>, StoreError> {
        Ok(self.inner.challenges.get(account, id, now_ms()))
    }

    async fn challenge_attempt(&self, account: &str, id: &str, passed: bool) -> Result<Attempt, StoreError> {
        Ok(self.inner.challenges.attempt(account, id, passed, now_ms()))
    }

    async fn fingerprint_seen(&self, account: &str, marks: Marks, ttl: Duration) -> Result<bool, StoreError> {
        // One set for all accounts: the account is folded into the value
        // (and a tag keeps sketch values apart from exact fingerprints).
        let salt = account_salt(account);
        let (now, ttl) = (now_ms(), ttl.as_millis() as i64);
        let seen = &self.inner.seen;
        if seen.check_and_insert(marks.exact ^ salt, now, ttl) {
            return Ok(true);
        }
        let Some(sketch) = marks.sketch else { return Ok(false) };
        let (mut owners, mut n) = ([0u64; SKETCH_LEN], 0);
        for (at, v) in sketch.into_iter().enumerate() {
            if let Some(owner) = seen.claim(v ^ salt ^ SKETCH_TAG, sketch_owner(marks.exact, at), now, ttl) {
                owners[n] = owner;
                n += 1;
            }
        }
        Ok(owned_by_one(&owners[..n]))
    }

    async fn webhook_update(&self, hook: &WebhookRecord) -> Result<bool, StoreError> {
        let hook = hook.clone();
        self.admin(move |inner, db| {
            let exists = inner
                .webhooks
                .read()
                .get(&hook.account)
                .is_some_and(|l| l.iter().any(|h| h.id == hook.id));
            if !exists {
                return Ok(false);
            }
            write_webhook(db, &hook)?;
            if let Some(list) = inner.webhooks.write().get_mut(&hook.account) {
                if let Some(h) = list.iter_mut().find(|h| h.id == hook.id) {
                    *h = hook;
                }
            }
            Ok(true)
        })
        .await
    }

    /// Group commit: the entries join a pending list, and whichever blocking
    /// task next holds the database commits everything pending in one
    /// transaction (one fsync), so concurrent verifies share the cost.
    async fn outbox_put(&self, entries: &[OutboxEntry]) -> Result<(), StoreError> {
        let (done, committed) = tokio::sync::oneshot::channel();
        self.inner.outbox_pending.lock().push((entries.to_vec(), done));
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let db = inner.db.lock();
            let batch = std::mem::take(&mut *inner.outbox_pending.lock());
            if batch.is_empty() {
                return; // an earlier task committed these along with its own
            }
            let result = db.as_ref().ok_or_else(closed).and_then(|db| {
                let mut rows = Vec::new();
                for e in batch.iter().flat_map(|(entries, _)| entries) {
                    rows.push((e.key(), encode(e)?));
                }
                write(db, |txn| {
                    let mut t = txn.open_table(OUTBOX).map_err(rdb)?;
                    for (k, v) in &rows {
                        t.insert(k.as_str(), v.as_slice()).map_err(rdb)?;
                    }
                    Ok(())
                })
            });
            if result.is_ok() {
                let mut outbox = inner.outbox.lock();
                for e in batch.iter().flat_map(|(entries, _)| entries) {
                    outbox.insert(e.clone());
                }
            }
            for (_, done) in batch {
                let _ = done.send(result.as_ref().map(|_| ()).map_err(|e| StoreError(e.0.clone())));
            }
        });
        committed
            .await
            .map_err(|_| StoreError("embedded store: outbox commit task failed".into()))?
    }

    async fn outbox_claim(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let (claimed, expired) = {
            let mut outbox = self.inner.outbox.lock();
            let due: Vec<String> = outbox
                .by_due
                .iter()
                .take_while(|(due, _)| *due <= now_ms)
                .map(|(_, k)| k.clone())
                .collect();
            let (mut claimed, mut expired) = (Vec::new(), Vec::new());
            for key in due {
                if claimed.len() >= limit {
                    break;
                }
                let Some(mut e) = outbox.remove(&key) else { continue };
                if e.expires_ms <= now_ms {
                    expired.push(key);
                    continue;
                }
                // The lease is kept in memory only: disk keeps the real due time.
                let leased = OutboxEntry {
                    due_ms: lease_until_ms,
                    ..e.clone()
                };
                outbox.insert(leased);
                e.due_ms = now_ms;
                claimed.push(e);
            }
            (claimed, expired)
        };
        if !expired.is_empty() {
            self.admin(move |_, db| {
                write(db, |txn| {
                    let mut t = txn.open_table(OUTBOX).map_err(rdb)?;
                    for k in &expired {
                        t.remove(k.as_str()).map_err(rdb)?;
                    }
                    Ok(())
                })
            })
            .await?;
        }
        Ok(claimed)
    }

    async fn outbox_reschedule(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let entry = entry.clone();
        self.admin(move |inner, db| {
            let key = entry.key();
            if !inner.outbox.lock().entries.contains_key(&key) {
                return Ok(());
            }
            let v = encode(&entry)?;
            write(db, |txn| {
                txn.open_table(OUTBOX)
                    .map_err(rdb)?
                    .insert(key.as_str(), v.as_slice())
                    .map_err(rdb)?;
                Ok(())
            })?;
            inner.outbox.lock().insert(entry);
            Ok(())
        })
        .await
    }

    async fn outbox_delete(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let key = entry.key();
        self.admin(move |inner, db| {
            write(db, |txn| {
                txn.open_table(OUTBOX).map_err(rdb)?.remove(key.as_str()).map_err(rdb)?;
                Ok(())
            })?;
            inner.outbox.lock().remove(&key);
            Ok(())
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn flush(&self) -> Result<(), StoreError> {
        self.admin(|inner, db| inner.flush_locked(db)).await
    }
}

impl Inner {
    /// Reads redb into memory, deleting expired tokens and stale quota months
    /// on the way, in one transaction.
    fn load(db: Database) -> Result<Inner, StoreError> {
        let inner = Inner {
            db: Mutex::new(None),
            keys: RwLock::default(),
            webhooks: RwLock::default(),
            secret: RwLock::default(),
            outbox: Mutex::default(),
            outbox_pending: Mutex::default(),
            hot: Shards::new(),
            seen: SeenSet::default(),
            challenges: Challenges::default(),
        };
        let (now, month) = (now_ms(), current_month());
        write(&db, |txn| {
            *inner.secret.write() = txn
                .open_table(META)
                .map_err(rdb)?
                .get("secret")
                .map_err(rdb)?
                .map(|v| v.value().to_vec());
            let mut keys = inner.keys.write();
            for item in txn.open_table(KEYS).map_err(rdb)?.iter().map_err(rdb)? {
                let k: KeyRecord = decode(item.map_err(rdb)?.1.value())?;
                keys.by_id.insert(k.id.clone(), k.hash);
                keys.by_hash.insert(k.hash, k);
            }
            let mut hooks = inner.webhooks.write();
            for item in txn.open_table(WEBHOOKS).map_err(rdb)?.iter().map_err(rdb)? {
                let h: WebhookRecord = decode(item.map_err(rdb)?.1.value())?;
                hooks.entry(h.account.clone()).or_default().push(h);
            }
            hooks
                .values_mut()
                .for_each(|l| l.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id))));
            // Unreadable counters and tokens are dropped rather than failing the start.
            txn.open_table(QUOTAS)
                .map_err(rdb)?
                .retain(|k, count| match decode::<(String, String)>(k) {
                    Ok((a, m)) if !stale_month(&m, month) => {
                        inner.hot.quota_load(&a, &m, count);
                        true
                    }
                    _ => false,
                })
                .map_err(rdb)?;
            txn.open_table(TOKENS)
                .map_err(rdb)?
                .retain(|k, v| match (<[u8; 32]>::try_from(k), decode::<TokenRow>(v)) {
                    (Ok(h), Ok(row)) if row.expires_at_ms > now => {
                        inner.hot.token_load(h, row);
                        true
                    }
                    _ => false,
                })
                .map_err(rdb)?;
            let mut outbox = inner.outbox.lock();
            txn.open_table(OUTBOX)
                .map_err(rdb)?
                .retain(|_, v| match decode::<OutboxEntry>(v) {
                    Ok(e) if e.expires_ms > now => {
                        outbox.insert(e);
                        true
                    }
                    _ => false,
                })
                .map_err(rdb)?;
            Ok(())
        })?;
        *inner.db.lock() = Some(db);
        Ok(inner)
    }

    /// Commits every dirty token and counter in one transaction; on failure
    /// they are marked dirty again so the next flush retries them.
    fn flush_locked(&self, db: &Database) -> Result<(), StoreError> {
        let batch = self.hot.take_dirty();
        if batch.tokens.is_empty() && batch.quotas.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        let result = write_batch(db, &batch);
        tracing::debug!(
            tokens = batch.tokens.len(),
            quotas = batch.quotas.len(),
            ms = started.elapsed().as_secs_f64() * 1e3,
            ok = result.is_ok(),
            "embedded store: batch commit"
        );
        if result.is_err() {
            self.hot.restore(batch);
        }
        result
    }

    /// Flushes and closes the database so the directory can be reopened.
    fn close(&self) -> Result<(), StoreError> {
        let mut db = self.db.lock();
        let result = db.as_ref().map_or(Ok(()), |d| self.flush_locked(d));
        *db = None;
        result
    }
}

/// Nice value of the flusher thread: below the request workers, so that a
/// batch commit (thousands of rows at a few thousand verifies a second)
/// takes an idle core's time rather than a request's. Under full load it
/// still gets CFS's share for its weight, so batches keep committing.
#[cfg(target_os = "linux")]
const FLUSHER_NICE: libc::c_int = 10;

/// Commits the batch every `every`, sweeping now and then, until the store
/// is dropped: on a thread of its own at a lower CPU priority (Linux), not
/// on the runtime's blocking pool, which serves requests too.
fn spawn_flusher(inner: Weak<Inner>, every: Duration) {
    let spawned = std::thread::Builder::new().name("huma-flusher".into()).spawn(move || {
        lower_priority();
        let mut last_sweep = Instant::now();
        let mut next = Instant::now() + every;
        loop {
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
            // A late tick moves the schedule rather than bunching up.
            next = (next + every).max(Instant::now());
            let Some(inner) = inner.upgrade() else { return };
            if last_sweep.elapsed() >= SWEEP_EVERY {
                last_sweep = Instant::now();
                inner.hot.sweep();
                inner.seen.sweep(now_ms());
            }
            let db = inner.db.lock();
            match db.as_ref().map(|d| inner.flush_locked(d)) {
                Some(Ok(())) => {}
                Some(Err(e)) => tracing::error!(error = %e, "embedded store: batch flush failed, will retry"),
                None => return,
            }
        }
    });
    if let Err(e) = spawned {
        // Nothing would make tokens durable: say so loudly; `flush` on
        // shutdown still commits everything.
        tracing::error!(error = %e, "embedded store: cannot start the flusher thread");
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: gettid has no preconditions; setpriority with PRIO_PROCESS and
    // a thread id changes that one thread's nice value and reads no memory.
    let status = unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, FLUSHER_NICE) };
    if status != 0 {
        tracing::debug!(error = %std::io::Error::last_os_error(), "embedded store: flusher priority unchanged");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// One committed write transaction; an error from `f` aborts it.
fn write(db: &Database, f: impl FnOnce(&WriteTransaction) -> Result<(), StoreError>) -> Result<(), StoreError> {
    let txn = db.begin_write().map_err(rdb)?;
    f(&txn)?;
    txn.commit().map_err(rdb)
}

fn write_batch(db: &Database, batch: &Batch) -> Result<(), StoreError> {
    write(db, |txn| {
        let mut t = txn.open_table(TOKENS).map_err(rdb)?;
        for (h, row) in &batch.tokens {
            match row {
                Some(row) => t.insert(h.as_slice(), encode(row)?.as_slice()).map(drop),
                None => t.remove(h.as_slice()).map(drop),
            }
            .map_err(rdb)?;
        }
        let mut q = txn.open_table(QUOTAS).map_err(rdb)?;
        for (a, m, count) in &batch.quotas {
            let k = encode(&(a, m))?;
            match count {
                Some(n) => q.insert(k.as_slice(), n).map(drop),
                None => q.remove(k.as_slice()).map(drop),
            }
            .map_err(rdb)?;
        }
        Ok(())
    })
}

fn rdb(e: impl Into<redb::Error>) -> StoreError {
    StoreError(format!("embedded store: {}", e.into()))
}

fn closed() -> StoreError {
    StoreError("embedded store is closed".into())
}

/// A 64-bit digest of an account id, to keep accounts' fingerprints apart.
/// Folded into sketch values so that they never meet exact fingerprints.
const SKETCH_TAG: u64 = 0x5EC7_C4A1_0000_0001;

fn account_salt(account: &str) -> u64 {
    let d = ring::digest::digest(&ring::digest::SHA256, account.as_bytes());
    u64::from_le_bytes(d.as_ref()[..8].try_into().expect("eight bytes"))
}

/// Commits one webhook record (insert or replace).
fn write_webhook(db: &Database, hook: &WebhookRecord) -> Result<(), StoreError> {
    let (k, v) = (encode(&(&hook.account, &hook.id))?, encode(hook)?);
    write(db, |txn| {
        txn.open_table(WEBHOOKS)
            .map_err(rdb)?
            .insert(k.as_slice(), v.as_slice())
            .map_err(rdb)?;
        Ok(())
    })
}
