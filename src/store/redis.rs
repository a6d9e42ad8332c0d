//! The Redis store (`REDIS_URL`): the only code in huma that talks to Redis.
//! Several huma instances may share one Redis; every step that must be
//! atomic across them is one command or one Lua script.
//!
//! Key layout. Every key starts with `huma:`. Per-account keys carry the
//! account id as a hash tag, and no command or script touches two hash tags,
//! so the same layout works on Redis Cluster. Names hold only ids and hex
//! hashes, never record contents.
//!
//! | key                          | type   | value                                   | expiry        |
//! |------------------------------|--------|-----------------------------------------|---------------|
//! | `huma:secret`                | string | server secret (SET NX)                  | none          |
//! | `huma:key:{<hex key hash>}`  | string | postcard `KeyRecord`                    | none          |
//! | `huma:keyids`                | hash   | key id → hex key hash                   | none          |
//! | `huma:{<acct>}:tok:<hex>`    | hash   | `r` postcard `TokenRecord`, `u` used    | token ttl     |
//! | `huma:{<acct>}:quota:<month>`| string | units taken that month                  | 62 days       |
//! | `huma:{<acct>}:wh`           | hash   | webhook id → postcard `WebhookRecord`   | none          |
//! | `huma:{<acct>}:ch:<id>`      | hash   | `r` postcard record, `a` attempts, `p`  | challenge ttl |
//! | `huma:{<acct>}:fp:<hex>`     | string | `1`: a replay fingerprint was seen      | replay window |
//! | `huma:{<acct>}:sk:<hex>`     | string | the fingerprint of the window that first had this sketch value (`/2` after it in the sketch's second half) | replay window |
//! | `huma:{outbox}:due`          | zset   | `<evt id>:<wh id>` by due time (ms)     | none          |
//! | `huma:{outbox}:e:<evt>:<wh>` | string | postcard `OutboxEntry` (holds the userId)| end of retries|
//!
//! The outbox is one global queue under its own hash tag, so claiming due
//! entries is one script in one slot. On a cluster it therefore lives on one
//! node; that is deliberate: only accounts with webhooks write to it, an
//! entry lives until it is delivered (usually milliseconds), and a
//! per-account queue would need a cross-slot index to find due work. The
//! zset has no TTL, but every entry does (the end of its retry schedule),
//! and the claim script drops members whose entry has expired.
//!
//! Connections come from a bb8 pool of multiplexed connections. A checkout
//! only clones the connection handle and returns it at once, so any number
//! of calls pipeline over `pool_size` sockets; the checkout PING is off
//! because it would double the round trips. Every call is bounded by the
//! configured timeout, so a dead Redis answers 503 quickly instead of
//! hanging requests; a connection that failed or timed out is replaced.
//! A circuit breaker (`breaker.rs`) in front of every call opens after
//! consecutive availability failures: while open, calls fail at once
//! without waiting for the timeout; after the cool-down one probe call
//! finds out whether Redis is back.
//!
//! Every key record this process reads or writes is remembered
//! (`key_hints.rs`) and offered as `Store::key_hint`: a metered call uses it
//! to send the key read and the quota take in one round trip
//! (`api::admit`), and compares the fresh record with it, so the hint never
//! decides on its own and a revocation anywhere is seen at once.
//!
//! The limit counters of the other instances (`limits_sync`) live under
//! `huma:lim:<family>:<hex counter key>:<window>` (a string, INCRBY of this
//! instance's new hits, expiring two windows later). The counter key is a
//! prefix of a SHA-256 or HMAC output, never a key or userId.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bb8_redis::redis::aio::MultiplexedConnection;
use bb8_redis::redis::{self, Cmd, FromRedisValue, RedisError};
use bb8_redis::{bb8, RedisConnectionManager};

use super::breaker::{Admit, Breaker, State};
use super::codec::{decode, encode, hex};
use super::key_hints::KeyHints;
use super::{Attempt, Consume, OutboxEntry, Quota, Store, StoreError, StoredChallenge, StoredToken, WebhookRecord};
use crate::challenges::{ChallengeRecord, MAX_ATTEMPTS};
use crate::keys::{KeyHash, KeyRecord};
use crate::scoring::fingerprint::{Marks, SKETCH_MATCH};
use crate::tokens::{TokenHash, TokenRecord};

/// How long `connect` keeps trying to reach Redis before the server gives up.
const CONNECT_WAIT: Duration = Duration::from_secs(1);
/// Quota months outlive their month by about one more.
const QUOTA_TTL_SECS: u64 = 62 * 86_400;

/// Stores the candidate unless a secret exists; returns the stored one.
const SECRET_LUA: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])";
/// 0 not found (or expired), 1 already used, 2 consumed by this call.
const CONSUME_LUA: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'u', '1') == 1 then return 2 end
return 1";
/// -1 when the limit is reached, else the count after taking one.
const QUOTA_TAKE_LUA: &str = r"
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c >= tonumber(ARGV[1]) then return -1 end
c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return c";
/// Decrements, never below zero.
const QUOTA_REFUND_LUA: &str = r"
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0";
/// 1 added (or replaced), 0 when the account already has ARGV[3] webhooks.
const WEBHOOK_ADD_LUA: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1";

/// -1 not found, -2 closed, 100 passed, else the attempts left after a failure.
const CHALLENGE_ATTEMPT_LUA: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'p') == '1' then return -2 end
local a = tonumber(redis.call('HGET', KEYS[1], 'a'))
if a <= 0 then return -2 end
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'p', '1')
  return 100
end
redis.call('HSET', KEYS[1], 'a', a - 1)
return a - 1";
/// Stores a new token (KEYS[1]) after a replay check: when KEYS[2] (a
/// fingerprint) is given it is set for ARGV[4] ms unless present, and the
/// token's record is ARGV[2] if it was present, ARGV[1] otherwise. Returns 1
/// when the fingerprint was present. Both keys share the account's hash tag.
const TOKEN_PUT_CHECKED_LUA: &str = r"
local seen = 0
if KEYS[2] then
  seen = replay_seen(2, ARGV[4], ARGV[5], tonumber(ARGV[6]))
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'r', ARGV[1 + seen])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return seen";
/// A window's replay marks, as a Lua function prepended to the scripts that
/// check them: KEYS[first] is the exact fingerprint, the keys after it
/// the sketch values (two halves); each new value is set to its half's
/// owner (`owner`, or `owner/2` in the second half) for `window_ms`,
/// values already there keep theirs. 1 when the exact fingerprint was
/// there or `need` sketch values of one half belong to one earlier window.
const REPLAY_SEEN_FN: &str = r"
local function replay_seen(first, window_ms, owner, need)
  if not redis.call('SET', KEYS[first], '1', 'NX', 'PX', window_ms) then return 1 end
  local tally, seen, half = {}, 0, (#KEYS - first) / 2
  for i = first + 1, #KEYS do
    local old = redis.call('GET', KEYS[i])
    if old then
      tally[old] = (tally[old] or 0) + 1
      if tally[old] >= need then seen = 1 end
    else
      redis.call('SET', KEYS[i], (i - first > half) and (owner .. '/2') or owner, 'PX', window_ms)
    end
  end
  return seen
end
";
/// `fingerprint_seen` alone: KEYS = exact, sketch...; ARGV = window, owner, need.
const FINGERPRINT_SEEN_LUA: &str = r"
return replay_seen(1, ARGV[1], ARGV[2], tonumber(ARGV[3]))";
/// Replaces a webhook only if it still exists: 1 replaced, 0 gone.
const WEBHOOK_UPDATE_LUA: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1";
/// Up to ARGV[3] members due by ARGV[1], leased until ARGV[2]; returns their
/// entries. Entry keys are `ARGV[4] .. member`, in the zset's slot (same hash
/// tag), so the script stays within one slot on a cluster.
const OUTBOX_CLAIM_LUA: &str = r"
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('GET', ARGV[4] .. id)
  if v then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    out[#out + 1] = v
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out";
/// Stores a rescheduled entry, keeping its TTL, only if it still exists.
const OUTBOX_RESCHEDULE_LUA: &str = r"
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'KEEPTTL')
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return 1";

const OUTBOX_DUE: &str = "huma:{outbox}:due";
const OUTBOX_ENTRY_PREFIX: &str = "huma:{outbox}:e:";

pub struct RedisStore {
    pool: bb8::Pool<Manager>,
    timeout: Duration,
    breaker: Breaker,
    secret: Lua,
    consume: Lua,
    quota_take: Lua,
    quota_refund: Lua,
    webhook_add: Lua,
    challenge_attempt: Lua,
    webhook_update: Lua,
    outbox_claim: Lua,
    outbox_reschedule: Lua,
    token_put_checked: Lua,
    fingerprint_seen: Lua,
    hints: KeyHints,
}

/// A Lua script called by its SHA-1 (EVALSHA). The `script` feature of the
/// redis crate is off in bb8-redis, so this is the few lines of it we need.
struct Lua {
    src: std::borrow::Cow<'static, str>,
    sha: String,
}

/// `RedisConnectionManager` plus a flag shared by every clone of a
/// connection, so that a failure seen through a clone retires the pooled one
/// (the stock manager never reports a connection broken).
struct Manager(RedisConnectionManager);

struct Conn {
    mux: MultiplexedConnection,
    broken: Arc<AtomicBool>,
}

impl bb8::ManageConnection for Manager {
    type Connection = Conn;
    type Error = RedisError;

    async fn connect(&self) -> Result<Conn, RedisError> {
        let mux = self.0.connect().await?;
        Ok(Conn {
            mux,
            broken: Arc::default(),
        })
    }

    async fn is_valid(&self, conn: &mut Conn) -> Result<(), RedisError> {
        self.0.is_valid(&mut conn.mux).await
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.broken.load(Ordering::Relaxed)
    }
}

impl RedisStore {
    /// A pool of `pool_size` connections to `url`, checked with a PING
    /// (retried for up to `CONNECT_WAIT`).
    pub async fn connect(url: &str, pool_size: u32, timeout: Duration) -> Result<RedisStore, StoreError> {
        let breaker = Breaker::new(
            super::breaker::DEFAULT_FAILURES,
            Duration::from_millis(super::breaker::DEFAULT_COOLDOWN_MS),
        );
        Self::connect_with(url, pool_size, timeout, breaker).await
    }

    /// The same with a breaker of the operator's configuration.
    pub async fn connect_with(
        url: &str,
        pool_size: u32,
        timeout: Duration,
        breaker: Breaker,
    ) -> Result<RedisStore, StoreError> {
        let manager = RedisConnectionManager::new(url).map_err(|e| StoreError(format!("REDIS_URL: {e}")))?;
        let pool = bb8::Pool::builder()
            .max_size(pool_size.max(1))
            .test_on_check_out(false)
            .connection_timeout(timeout)
            .build_unchecked(Manager(manager));
        let store = RedisStore {
            pool,
            timeout,
            breaker,
            secret: Lua::new(SECRET_LUA),
            consume: Lua::new(CONSUME_LUA),
            quota_take: Lua::new(QUOTA_TAKE_LUA),
            quota_refund: Lua::new(QUOTA_REFUND_LUA),
            webhook_add: Lua::new(WEBHOOK_ADD_LUA),
            challenge_attempt: Lua::new(CHALLENGE_ATTEMPT_LUA),
            webhook_update: Lua::new(WEBHOOK_UPDATE_LUA),
            outbox_claim: Lua::new(OUTBOX_CLAIM_LUA),
            outbox_reschedule: Lua::new(OUTBOX_RESCHEDULE_LUA),
            token_put_checked: Lua::new(format!("{REPLAY_SEEN_FN}{TOKEN_PUT_CHECKED_LUA}")),
            fingerprint_seen: Lua::new(format!("{REPLAY_SEEN_FN}{FINGERPRINT_SEEN_LUA}")),
            hints: KeyHints::default(),
        };
        // At start Redis may itself be starting (a compose file, a reboot),
        // or the machine busy: keep asking for a second before giving up (a
        // Redis that is not there still fails the start quickly).
        let deadline = tokio::time::Instant::now() + CONNECT_WAIT;
        loop {
            match store.ping().await {
                Ok(()) => return Ok(store),
                Err(e) if tokio::time::Instant::now() >= deadline => {
                    return Err(StoreError(format!("cannot reach Redis: {}", e.0)))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Runs `op` on a connection within the timeout, behind the breaker. A
    /// failed or timed-out connection is marked broken so the pool replaces
    /// it; only availability failures (no connection, a dropped socket, a
    /// timeout) count toward opening the breaker, not a command's error.
    async fn run<T, F>(&self, op: impl FnOnce(MultiplexedConnection) -> F) -> Result<T, StoreError>
    where
        F: std::future::Future<Output = Result<T, RedisError>>,
    {
        let admitted = self.breaker.admit();
        if admitted == Admit::Reject {
            return Err(StoreError("redis circuit breaker is open".into()));
        }
        let mut guard = ProbeGuard {
            breaker: &self.breaker,
            admitted,
            done: false,
        };
        let attempt = async {
            // A connection marked broken after it went back to the pool is
            // dropped (bb8 checks `has_broken` when it is returned) and the
            // next one taken, so a dead socket fails one call, not two.
            let (mux, broken) = loop {
                let conn = self
                    .pool
                    .get()
                    .await
                    .map_err(|e| (true, StoreError(format!("redis: {e}"))))?;
                if !conn.broken.load(Ordering::Relaxed) {
                    break (conn.mux.clone(), conn.broken.clone());
                }
            };
            op(mux).await.map_err(|e| {
                let down = e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error() || e.is_timeout();
                if down {
                    broken.store(true, Ordering::Relaxed);
                }
                (down, StoreError(format!("redis: {e}")))
            })
        };
        let result = match tokio::time::timeout(self.timeout, attempt).await {
            Ok(r) => r,
            Err(_) => Err((
                true,
                StoreError(format!("redis did not answer within {} ms", self.timeout.as_millis())),
            )),
        };
        guard.done = true;
        self.breaker.record(admitted, !matches!(result, Err((true, _))));
        result.map_err(|(_, e)| e)
    }
}

/// A probe whose request was dropped mid-call must not leave the breaker
/// half-open forever: it counts as a failed probe.
struct ProbeGuard<'a> {
    breaker: &'a Breaker,
    admitted: Admit,
    done: bool,
}

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        if !self.done && self.admitted == Admit::Probe {
            self.breaker.record(Admit::Probe, false);
        }
    }
}

impl Lua {
    fn new(src: impl Into<std::borrow::Cow<'static, str>>) -> Lua {
        let src = src.into();
        let sha = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, src.as_bytes());
        Lua {
            src,
            sha: hex(sha.as_ref()),
        }
    }

    /// Runs the script on one key, loading it with EVAL when this Redis has
    /// not seen it yet (first use, restart, SCRIPT FLUSH).
    async fn call<T: FromRedisValue>(
        &self,
        c: &mut MultiplexedConnection,
        key: &str,
        args: impl Fn(&mut Cmd) -> &mut Cmd,
    ) -> Result<T, RedisError> {
        self.call_keys(c, &[key], args).await
    }

    /// The same over several keys (all in one slot).
    async fn call_keys<T: FromRedisValue>(
        &self,
        c: &mut MultiplexedConnection,
        keys: &[&str],
        args: impl Fn(&mut Cmd) -> &mut Cmd,
    ) -> Result<T, RedisError> {
        let mut cmd = redis::cmd("EVALSHA");
        args(cmd.arg(&self.sha).arg(keys.len()).arg(keys));
        match cmd.query_async(c).await {
            Err(e) if e.code() == Some("NOSCRIPT") => {
                let mut cmd = redis::cmd("EVAL");
                args(cmd.arg(&*self.src).arg(keys.len()).arg(keys));
                cmd.query_async(c).await
            }
            other => other,
        }
    }
}

impl Store for RedisStore {
    async fn secret_get_or_init(&self, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.run(|mut c| async move { self.secret.call(&mut c, "huma:secret", |cmd| cmd.arg(candidate)).await })
            .await
    }

    async fn key_put(&self, key: &KeyRecord) -> Result<(), StoreError> {
        let bytes = encode(key)?;
        let (name, hash) = (key_name(&key.hash), hex(&key.hash));
        // Record first, then index: the index never points at a missing record.
        // Two commands, because the record and the index live in different slots.
        self.run(|mut c| async move {
            redis::cmd("SET").arg(&name).arg(bytes).exec_async(&mut c).await?;
            redis::cmd("HSET")
                .arg("huma:keyids")
                .arg(&key.id)
                .arg(hash)
                .exec_async(&mut c)
                .await
        })
        .await?;
        self.hints.saw(&key.hash, Some(key));
        Ok(())
    }

    async fn key_by_hash(&self, hash: &KeyHash) -> Result<Option<KeyRecord>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .run(|mut c| async move { redis::cmd("GET").arg(key_name(hash)).query_async(&mut c).await })
            .await?;
        let key = bytes.map(|b| decode(&b)).transpose()?;
        self.hints.saw(hash, key.as_ref());
        Ok(key)
    }

    fn key_hint(&self, hash: &KeyHash) -> Option<KeyRecord> {
        self.hints.get(hash)
    }

    async fn key_by_id(&self, id: &str) -> Result<Option<KeyRecord>, StoreError> {
        let hash: Option<String> = self
            .run(|mut c| async move { redis::cmd("HGET").arg("huma:keyids").arg(id).query_async(&mut c).await })
            .await?;
        let Some(hash) = hash else { return Ok(None) };
        let bytes: Option<Vec<u8>> = self
            .run(|mut c| async move {
                redis::cmd("GET")
                    .arg(format!("huma:key:{{{hash}}}"))
                    .query_async(&mut c)
                    .await
            })
            .await?;
        bytes.map(|b| decode(&b)).transpose()
    }

    async fn keys_list(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let hashes: Vec<String> = self
            .run(|mut c| async move { redis::cmd("HVALS").arg("huma:keyids").query_async(&mut c).await })
            .await?;
        // One GET per key in a plain pipeline: MGET would span slots on a cluster.
        let mut pipe = redis::pipe();
        for h in &hashes {
            pipe.cmd("GET").arg(format!("huma:key:{{{h}}}"));
        }
        let blobs: Vec<Option<Vec<u8>>> = self.run(|mut c| async move { pipe.query_async(&mut c).await }).await?;
        let mut all = blobs
            .into_iter()
            .flatten()
            .map(|b| decode(&b))
            .collect::<Result<Vec<KeyRecord>, _>>()?;
        all.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(all)
    }

    async fn quota_take(&self, account: &str, month: &str, limit: Option<u64>) -> Result<Quota, StoreError> {
        let name = &quota_name(account, month);
        let n: i64 = match limit {
            Some(limit) => {
                self.run(|mut c| async move {
                    self.quota_take
                        .call(&mut c, name, |cmd| cmd.arg(limit).arg(QUOTA_TTL_SECS))
                        .await
                })
                .await?
            }
            None => {
                let n: i64 = self
                    .run(|mut c| async move { redis::cmd("INCR").arg(name).query_async(&mut c).await })
                    .await?;
                if n == 1 {
                    self.run(|mut c| async move {
                        redis::cmd("EXPIRE")
                            .arg(name)
                            .arg(QUOTA_TTL_SECS)
                            .exec_async(&mut c)
                            .await
                    })
                    .await?;
                }
                n
            }
        };
        Ok(if n < 0 { Quota::Exceeded } else { Quota::Taken(n as u64) })
    }

    async fn quota_refund(&self, account: &str, month: &str) -> Result<(), StoreError> {
        let name = quota_name(account, month);
        self.run(|mut c| async move { self.quota_refund.call(&mut c, &name, |cmd| cmd).await })
            .await
    }

    async fn quota_get(&self, account: &str, month: &str) -> Result<u64, StoreError> {
        let n: Option<u64> = self
            .run(|mut c| async move {
                redis::cmd("GET")
                    .arg(quota_name(account, month))
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(n.unwrap_or(0))
    }

    async fn token_put(&self, hash: &TokenHash, token: &TokenRecord, ttl: Duration) -> Result<(), StoreError> {
        let name = token_name(&token.account, hash);
        let record = encode(token)?;
        let ms = ttl.as_millis().clamp(1, i64::MAX as u128) as i64;
        let mut pipe = redis::pipe();
        pipe.atomic().del(&name).hset(&name, "r", record).pexpire(&name, ms);
        self.run(|mut c| async move { pipe.exec_async(&mut c).await }).await
    }

    async fn token_put_checked(
        &self,
        hash: &TokenHash,
        token: &TokenRecord,
        replayed: &TokenRecord,
        ttl: Duration,
        fingerprint: Option<(Marks, Duration)>,
    ) -> Result<bool, StoreError> {
        let name = token_name(&token.account, hash);
        let ms = ttl.as_millis().clamp(1, i64::MAX as u128) as i64;
        let fp = fingerprint.map(|(marks, window)| {
            let window_ms = window.as_millis().clamp(1, i64::MAX as u128) as i64;
            (marks_names(&token.account, &marks), window_ms, marks.exact)
        });
        let record = encode(token)?;
        // Without a fingerprint the second record is never chosen: send nothing for it.
        let if_replayed = match fp {
            Some(_) => encode(replayed)?,
            None => Vec::new(),
        };
        let seen: i64 = self
            .run(|mut c| async move {
                let mut keys: Vec<&str> = vec![&name];
                if let Some((names, _, _)) = &fp {
                    keys.extend(names.iter().map(String::as_str));
                }
                let (window_ms, owner) = fp.as_ref().map_or((0, 0), |(_, w, o)| (*w, *o));
                self.token_put_checked
                    .call_keys(&mut c, &keys, |cmd| {
                        cmd.arg(&record)
                            .arg(&if_replayed)
                            .arg(ms)
                            .arg(window_ms)
                            .arg(format!("{owner:016x}"))
                            .arg(SKETCH_MATCH)
                    })
                    .await
            })
            .await?;
        Ok(seen == 1)
    }

    async fn token_get(&self, account: &str, hash: &TokenHash) -> Result<Option<StoredToken>, StoreError> {
        let name = token_name(account, hash);
        let (record, used): (Option<Vec<u8>>, Option<String>) = self
            .run(|mut c| async move {
                redis::cmd("HMGET")
                    .arg(&name)
                    .arg("r")
                    .arg("u")
                    .query_async(&mut c)
                    .await
            })
            .await?;
        let Some(record) = record else { return Ok(None) };
        let record: TokenRecord = decode(&record)?;
        // The key already names the account; the check guards against a mislabelled record.
        Ok((record.account == account).then_some(StoredToken {
            record,
            used: used.is_some(),
        }))
    }

    async fn token_consume(&self, account: &str, hash: &TokenHash) -> Result<Consume, StoreError> {
        let name = token_name(account, hash);
        let n: i64 = self
            .run(|mut c| async move { self.consume.call(&mut c, &name, |cmd| cmd).await })
            .await?;
        Ok(match n {
            2 => Consume::Consumed,
            1 => Consume::AlreadyUsed,
            _ => Consume::NotFound,
        })
    }

    async fn webhook_add(&self, hook: &WebhookRecord, max: usize) -> Result<bool, StoreError> {
        let (name, bytes) = (webhooks_name(&hook.account), encode(hook)?);
        let added: i64 = self
            .run(|mut c| async move {
                self.webhook_add
                    .call(&mut c, &name, |cmd| cmd.arg(&hook.id).arg(&bytes).arg(max))
                    .await
            })
            .await?;
        Ok(added == 1)
    }

    async fn webhooks_list(&self, account: &str) -> Result<Vec<WebhookRecord>, StoreError> {
        let blobs: Vec<Vec<u8>> = self
            .run(|mut c| async move {
                redis::cmd("HVALS")
                    .arg(webhooks_name(account))
                    .query_async(&mut c)
                    .await
            })
            .await?;
        let mut all = blobs
            .iter()
            .map(|b| decode(b))
            .collect::<Result<Vec<WebhookRecord>, _>>()?;
        all.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(all)
    }

    async fn webhook_delete(&self, account: &str, id: &str) -> Result<bool, StoreError> {
        let n: i64 = self
            .run(|mut c| async move {
                redis::cmd("HDEL")
                    .arg(webhooks_name(account))
                    .arg(id)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(n == 1)
    }

    async fn challenge_put(&self, challenge: &ChallengeRecord, ttl: Duration) -> Result<(), StoreError> {
        let name = challenge_name(&challenge.account, &challenge.id);
        let record = encode(challenge)?;
        let ms = ttl.as_millis().clamp(1, i64::MAX as u128) as i64;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(&name)
            .hset_multiple(
                &name,
                &[("r", record), ("a", vec![b'0' + MAX_ATTEMPTS]), ("p", b"0".to_vec())],
            )
            .pexpire(&name, ms);
        self.run(|mut c| async move { pipe.exec_async(&mut c).await }).await
    }

    async fn challenge_get(&self, account: &str, id: &str) -> Result<Option<StoredChallenge>, StoreError> {
        let name = challenge_name(account, id);
        let (record, attempts, passed): (Option<Vec<u8>>, Option<u8>, Option<String>) = self
            .run(|mut c| async move {
                redis::cmd("HMGET")
                    .arg(&name)
                    .arg("r")
                    .arg("a")
                    .arg("p")
                    .query_async(&mut c)
                    .await
            })
            .await?;
        let Some(record) = record else { return Ok(None) };
        Ok(Some(StoredChallenge {
            record: decode(&record)?,
            attempts_left: attempts.unwrap_or(0),
            passed: passed.as_deref() == Some("1"),
        }))
    }

    async fn challenge_attempt(&self, account: &str, id: &str, passed: bool) -> Result<Attempt, StoreError> {
        let name = challenge_name(account, id);
        let n: i64 = self
            .run(|mut c| async move {
                self.challenge_attempt
                    .call(&mut c, &name, |cmd| cmd.arg(if passed { "1" } else { "0" }))
                    .await
            })
            .await?;
        Ok(match n {
            -1 => Attempt::NotFound,
            -2 => Attempt::Closed,
            100 => Attempt::Passed,
            left => Attempt::Failed {
                attempts_left: left.clamp(0, i64::from(MAX_ATTEMPTS)) as u8,
            },
        })
    }

    async fn fingerprint_seen(&self, account: &str, marks: Marks, ttl: Duration) -> Result<bool, StoreError> {
        let names = marks_names(account, &marks);
        let ms = ttl.as_millis().clamp(1, i64::MAX as u128) as i64;
        let seen: i64 = self
            .run(|mut c| async move {
                let keys: Vec<&str> = names.iter().map(String::as_str).collect();
                self.fingerprint_seen
                    .call_keys(&mut c, &keys, |cmd| {
                        cmd.arg(ms).arg(format!("{:016x}", marks.exact)).arg(SKETCH_MATCH)
                    })
                    .await
            })
            .await?;
        Ok(seen == 1)
    }

    async fn webhook_update(&self, hook: &WebhookRecord) -> Result<bool, StoreError> {
        let (name, bytes) = (webhooks_name(&hook.account), encode(hook)?);
        let n: i64 = self
            .run(|mut c| async move {
                self.webhook_update
                    .call(&mut c, &name, |cmd| cmd.arg(&hook.id).arg(&bytes))
                    .await
            })
            .await?;
        Ok(n == 1)
    }

    async fn outbox_put(&self, entries: &[OutboxEntry]) -> Result<(), StoreError> {
        let mut pipe = redis::pipe();
        pipe.atomic();
        for e in entries {
            let name = outbox_entry_name(&e.key());
            pipe.cmd("SET")
                .arg(&name)
                .arg(encode(e)?)
                .arg("PXAT")
                .arg(e.expires_ms.max(1))
                .ignore();
            pipe.cmd("ZADD").arg(OUTBOX_DUE).arg(e.due_ms).arg(e.key()).ignore();
        }
        self.run(|mut c| async move { pipe.exec_async(&mut c).await }).await
    }

    async fn outbox_claim(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let blobs: Vec<Vec<u8>> = self
            .run(|mut c| async move {
                self.outbox_claim
                    .call(&mut c, OUTBOX_DUE, |cmd| {
                        cmd.arg(now_ms)
                            .arg(lease_until_ms)
                            .arg(limit.max(1))
                            .arg(OUTBOX_ENTRY_PREFIX)
                    })
                    .await
            })
            .await?;
        // An unreadable entry is skipped (it expires) rather than blocking the
        // queue; one past its end of life by `now_ms` (Redis expires it by its
        // own clock) is deleted here.
        let mut claimed = Vec::with_capacity(blobs.len());
        for mut e in blobs.iter().filter_map(|b| decode::<OutboxEntry>(b).ok()) {
            if e.expires_ms <= now_ms {
                self.outbox_delete(&e).await?;
                continue;
            }
            e.due_ms = now_ms;
            claimed.push(e);
        }
        Ok(claimed)
    }

    async fn outbox_reschedule(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let (key, bytes) = (entry.key(), encode(entry)?);
        let name = outbox_entry_name(&key);
        let _: i64 = self
            .run(|mut c| async move {
                self.outbox_reschedule
                    .call_keys(&mut c, &[OUTBOX_DUE, &name], |cmd| {
                        cmd.arg(&bytes).arg(entry.due_ms).arg(&key)
                    })
                    .await
            })
            .await?;
        Ok(())
    }

    async fn outbox_delete(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let key = entry.key();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(outbox_entry_name(&key))
            .ignore()
            .zrem(OUTBOX_DUE, &key)
            .ignore();
        self.run(|mut c| async move { pipe.exec_async(&mut c).await }).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let pong: String = self
            .run(|mut c| async move { redis::cmd("PING").query_async(&mut c).await })
            .await?;
        match pong.as_str() {
            "PONG" => Ok(()),
            other => Err(StoreError(format!("redis answered PING with {other:?}"))),
        }
    }

    async fn flush(&self) -> Result<(), StoreError> {
        // Durability of Redis data is Redis's configuration (RDB/AOF), not ours.
        Ok(())
    }

    async fn limits_sync(
        &self,
        family: &'static str,
        entries: &[(u64, u64, u32)],
    ) -> Result<Option<Vec<u64>>, StoreError> {
        if entries.is_empty() {
            return Ok(Some(Vec::new()));
        }
        // One plain pipeline (not MULTI): each counter is independent, and
        // on a cluster the keys may sit in different slots.
        let ttl_ms = 2 * crate::limits::WINDOW_SECS * 1000;
        let mut pipe = redis::pipe();
        for &(key, window, delta) in entries {
            let name = format!("huma:lim:{family}:{key:016x}:{window}");
            pipe.cmd("INCRBY").arg(&name).arg(delta);
            pipe.cmd("PEXPIRE").arg(&name).arg(ttl_ms).ignore();
        }
        let totals: Vec<u64> = self.run(|mut c| async move { pipe.query_async(&mut c).await }).await?;
        Ok(Some(totals))
    }

    fn breaker_state(&self) -> State {
        self.breaker.state()
    }
}

fn key_name(hash: &KeyHash) -> String {
    format!("huma:key:{{{}}}", hex(hash))
}

fn challenge_name(account: &str, id: &str) -> String {
    format!("huma:{{{account}}}:ch:{id}")
}

fn token_name(account: &str, hash: &TokenHash) -> String {
    format!("huma:{{{account}}}:tok:{}", hex(hash))
}

fn fingerprint_name(account: &str, fingerprint: u64) -> String {
    format!("huma:{{{account}}}:fp:{fingerprint:016x}")
}

/// The exact fingerprint's key, then one per sketch value (same slot).
fn marks_names(account: &str, marks: &Marks) -> Vec<String> {
    let mut names = vec![fingerprint_name(account, marks.exact)];
    for v in marks.sketch.iter().flatten() {
        names.push(format!("huma:{{{account}}}:sk:{v:016x}"));
    }
    names
}

fn quota_name(account: &str, month: &str) -> String {
    format!("huma:{{{account}}}:quota:{month}")
}

fn webhooks_name(account: &str) -> String {
    format!("huma:{{{account}}}:wh")
}

fn outbox_entry_name(key: &str) -> String {
    format!("{OUTBOX_ENTRY_PREFIX}{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_hold_ids_and_hex_hashes_only() {
        let h = [0xabu8; 32];
        let hx = "ab".repeat(32);
        assert_eq!(key_name(&h), format!("huma:key:{{{hx}}}"));
        assert_eq!(token_name("key_A", &h), format!("huma:{{key_A}}:tok:{hx}"));
        assert_eq!(quota_name("key_A", "2026-11"), "huma:{key_A}:quota:2026-11");
        assert_eq!(webhooks_name("key_A"), "huma:{key_A}:wh");
    }
}
