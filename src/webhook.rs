//! Webhooks: which endpoints an event goes to, the outbox entry that makes
//! it durable before the request that caused it answers, and the bounded
//! queue that hands it to the delivery workers.
//!
//! The flow of one event: `fire` (on the request path) finds the account's
//! active endpoints for the event (cached, so accounts without webhooks pay
//! no store call), writes one outbox entry per endpoint with `outbox_put`,
//! and pushes each onto the in-memory queue if it has room. Everything after
//! that is off the request path: `delivery` workers sign and POST, retry on
//! the schedule, and delete the entry when done. An entry that found the
//! queue full stays due in the store, where the delivery poller finds it —
//! which is also how entries are delivered after a restart.
//!
//! - `sign`: the `Huma-Signature` scheme.
//! - `ssrf`: which addresses may be reached.
//! - `client`: the outbound HTTPS client.
//! - `delivery`: workers, poller, retries, shutdown.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio::sync::mpsc;

use crate::api::Caller;
use crate::app::{unix_millis, App};
use crate::config::Config;
use crate::error::ApiError;
use crate::keys;
use crate::store::{OutboxEntry, Store, StoreError, WebhookRecord};
use crate::wire;

pub mod client;
pub mod delivery;
pub mod sign;
pub mod ssrf;

/// The events a webhook may subscribe to (contract).
pub const EVENTS: [&str; 2] = ["bot.detected", "human.verified"];
pub const HUMAN_VERIFIED: &str = "human.verified";
pub const BOT_DETECTED: &str = "bot.detected";
/// Webhooks per account (contract).
pub const MAX_PER_ACCOUNT: usize = 5;
/// Longest webhook URL accepted.
pub const MAX_URL_LEN: usize = 2048;
/// Entries the in-memory queue holds; beyond, they wait in the store.
pub const QUEUE_CAPACITY: usize = 256;
/// How long the account → webhooks cache trusts what it read. On Redis this
/// saves a round trip on every verify of an account without webhooks; the
/// instance that adds or deletes a webhook forgets its entry at once, other
/// instances see the change within this time.
pub const CACHE_TTL: Duration = Duration::from_secs(2);
/// A claimed entry is leased for the attempt timeout plus this much.
pub const LEASE_MARGIN: Duration = Duration::from_secs(30);

const CACHE_SHARDS: usize = 32;
/// A cache shard with more entries than this drops its stale ones.
const CACHE_SHARD_SWEEP: usize = 4096;

/// One queued delivery: the entry and the lease (unix ms) under which this
/// process may deliver it.
#[derive(Debug)]
pub struct Queued {
    pub entry: OutboxEntry,
    pub lease_until_ms: i64,
}

/// An event as the request that caused it knows it.
pub struct Event<'a> {
    pub name: &'static str,
    /// The userId the customer sent: it goes to the customer's endpoint
    /// (and the outbox on the way), never to a log.
    pub user_id: &'a str,
    pub human: bool,
    pub confidence: f64,
    pub score: u8,
    pub token: &'a str,
}

/// The webhook state shared by the request path and the delivery workers.
pub struct Webhooks {
    tx: mpsc::Sender<Queued>,
    rx: Mutex<Option<mpsc::Receiver<Queued>>>,
    cache: Box<[Mutex<HashMap<String, Cached>>]>,
    pub client: client::Client,
    /// Attempt timeout plus `LEASE_MARGIN`.
    pub lease: Duration,
}

struct Cached {
    at: Instant,
    hooks: Arc<[WebhookRecord]>,
}

impl Webhooks {
    pub fn new(config: &Config) -> Result<Webhooks, String> {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let client = client::Client::new(
            config.webhook_ca_file.as_deref(),
            config.webhook_timeout,
            config.webhook_allow_private,
        )?;
        Ok(Webhooks {
            tx,
            rx: Mutex::new(Some(rx)),
            cache: (0..CACHE_SHARDS).map(|_| Mutex::default()).collect(),
            client,
            lease: config.webhook_timeout + LEASE_MARGIN,
        })
    }

    /// The account's webhooks, from the cache when it is fresh.
    pub async fn of_account<S: Store>(&self, store: &S, account: &str) -> Result<Arc<[WebhookRecord]>, StoreError> {
        if let Some(c) = self.shard(account).lock().get(account) {
            if c.at.elapsed() < CACHE_TTL {
                return Ok(c.hooks.clone());
            }
        }
        let hooks: Arc<[WebhookRecord]> = store.webhooks_list(account).await?.into();
        let mut shard = self.shard(account).lock();
        if shard.len() > CACHE_SHARD_SWEEP {
            shard.retain(|_, c| c.at.elapsed() < CACHE_TTL);
        }
        shard.insert(
            account.to_string(),
            Cached {
                at: Instant::now(),
                hooks: hooks.clone(),
            },
        );
        Ok(hooks)
    }

    /// Forgets the cached list after this instance changed it.
    pub fn invalidate(&self, account: &str) {
        self.shard(account).lock().remove(account);
    }

    /// Entries waiting in the in-memory queue.
    pub fn queue_depth(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    pub(crate) fn sender(&self) -> &mpsc::Sender<Queued> {
        &self.tx
    }

    /// The receiving end, once: the delivery task takes it at start.
    pub(crate) fn take_receiver(&self) -> Option<mpsc::Receiver<Queued>> {
        self.rx.lock().take()
    }

    fn shard(&self, account: &str) -> &Mutex<HashMap<String, Cached>> {
        let mut h = DefaultHasher::new();
        account.hash(&mut h);
        &self.cache[h.finish() as usize % CACHE_SHARDS]
    }
}

/// Sends `event` to the caller's account's webhooks: durably in the outbox
/// before returning, delivered later by the workers. Test keys fire nothing.
pub async fn fire<S: Store>(app: &App<S>, caller: &Caller, event: Event<'_>) -> Result<(), ApiError> {
    if caller.is_test() {
        return Ok(());
    }
    let hooks = app.webhooks.of_account(&app.store, caller.account()).await?;
    let targets: Vec<&WebhookRecord> = hooks
        .iter()
        .filter(|h| h.active && h.events.iter().any(|e| e == event.name))
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    let now = unix_millis();
    let event_id = keys::random_id(&app.rng, "evt_", 24);
    let body = wire::encode(&wire::WebhookEvent {
        id: &event_id,
        event: event.name,
        user_id: event.user_id,
        human: event.human,
        confidence: event.confidence,
        score: event.score,
        token: event.token,
        timestamp: wire::rfc3339_millis(now),
    });
    let lease_until_ms = now + app.webhooks.lease.as_millis() as i64;
    let expires_ms = now + lifetime(&app.config).as_millis() as i64;
    // A reserved slot means a worker will take the entry, so it is stored
    // leased to this process; without one it is stored due now, for the
    // poller. Either way it is durable before the queue sees it.
    let mut permits = Vec::with_capacity(targets.len());
    let mut entries = Vec::with_capacity(targets.len());
    for hook in targets {
        let permit = app.webhooks.sender().try_reserve().ok();
        entries.push(OutboxEntry {
            event_id: event_id.clone(),
            webhook_id: hook.id.clone(),
            account: caller.account().to_string(),
            event: event.name.to_string(),
            body: body.to_vec(),
            attempts: 0,
            due_ms: if permit.is_some() { lease_until_ms } else { now },
            expires_ms,
        });
        permits.push(permit);
    }
    app.store.outbox_put(&entries).await?;
    for (permit, mut entry) in permits.into_iter().zip(entries) {
        if let Some(p) = permit {
            entry.due_ms = now;
            p.send(Queued { entry, lease_until_ms });
        }
    }
    app.metrics.webhook_queue_depth.set(app.webhooks.queue_depth() as i64);
    Ok(())
}

/// How long an entry may live: every wait of the schedule (with the largest
/// jitter), every attempt's timeout and lease, and an hour of slack for
/// downtime. Past it the store drops the entry whatever its state.
pub fn lifetime(config: &Config) -> Duration {
    let waits: u64 = config.webhook_retry_schedule.iter().sum();
    let attempts = config.webhook_retry_schedule.len() as u32 + 1;
    Duration::from_secs(waits + waits / 5)
        + (config.webhook_timeout + LEASE_MARGIN) * attempts
        + Duration::from_secs(3600)
}

/// Checks a webhook URL at registration: `https://`, a valid URL with a
/// host, no credentials, and — unless private targets are allowed — not a
/// literal address outside the public internet. Names are checked at every
/// delivery, on what they resolve to.
pub fn check_url(url: &str, allow_private: bool) -> Result<(), ApiError> {
    let bad = |why: &str| {
        Err(ApiError::InvalidWebhook(format!(
            "url {why}; got \"{}\".",
            shorten(url)
        )))
    };
    if url.len() > MAX_URL_LEN {
        return bad(&format!("must be at most {MAX_URL_LEN} characters"));
    }
    // The WHATWG parser forgives what a careful customer would not write
    // (`https:///x` becomes host `x`, spaces are trimmed): refuse it raw.
    let raw_ok = url.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        && url
            .get(8..)
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with(['/', '\\']))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !raw_ok {
        return bad("must be a valid https:// URL with a host");
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return bad("must be a valid https:// URL");
    };
    if parsed.scheme() != "https" {
        return bad("must start with https://");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return bad("must not carry credentials");
    }
    let ip = match parsed.host() {
        None => return bad("must name a host"),
        Some(url::Host::Domain("")) => return bad("must name a host"),
        Some(url::Host::Domain(_)) => None,
        Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
    };
    if let Some(ip) = ip {
        if !allow_private && !ssrf::is_public(ip) {
            return bad("must point at a public address, not a private, loopback, link-local or reserved one");
        }
    }
    Ok(())
}

/// The events of a registration: both when absent, otherwise a non-empty
/// list of known names (duplicates dropped, in the contract's order).
pub fn check_events(events: Option<Vec<String>>) -> Result<Vec<String>, ApiError> {
    let Some(events) = events else {
        return Ok(EVENTS.iter().map(|e| e.to_string()).collect());
    };
    if let Some(unknown) = events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
        return Err(ApiError::InvalidWebhook(format!(
            "Unknown event \"{}\"; events may be \"bot.detected\" and \"human.verified\".",
            shorten(unknown)
        )));
    }
    if events.is_empty() {
        return Err(ApiError::InvalidWebhook(
            "events must name at least one of \"bot.detected\" and \"human.verified\" (or be left out for both)."
                .into(),
        ));
    }
    Ok(EVENTS
        .iter()
        .filter(|e| events.iter().any(|x| x == *e))
        .map(|e| e.to_string())
        .collect())
}

fn shorten(s: &str) -> String {
    s.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for (url, private_ok, ok) in [
            ("https://hooks.example.com/huma", false, true),
            ("https://hooks.example.com:8443/a?b=c", false, true),
            ("https://localhost:9000/", false, true),
            ("https://8.8.8.8/", false, true),
            ("http://hooks.example.com/", false, false),
            ("ftp://hooks.example.com/", false, false),
            ("hooks.example.com", false, false),
            ("https://", false, false),
            ("https:///path", false, false),
            ("https:\\\\evil/", false, false),
            (" https://hooks.example.com/", false, false),
            ("HTTPS://hooks.example.com/", false, true),
            ("https\u{e9}//x", false, false),
            ("https://user:pw@hooks.example.com/", false, false),
            ("https://127.0.0.1/", false, false),
            ("https://127.0.0.1/", true, true),
            ("https://[::1]/", false, false),
            ("https://10.1.2.3/", false, false),
            ("https://169.254.169.254/latest", false, false),
            ("https://[::ffff:192.168.0.1]/", false, false),
            ("https://0x7f000001/", false, false),
            ("https://2130706433/", false, false),
        ] {
            assert_eq!(
                check_url(url, private_ok).is_ok(),
                ok,
                "{url} (private allowed: {private_ok})"
            );
        }
    }

    #[test]
    fn events() {
        assert_eq!(check_events(None).unwrap(), vec!["bot.detected", "human.verified"]);
        let one = check_events(Some(vec!["human.verified".into(), "human.verified".into()])).unwrap();
        assert_eq!(one, vec!["human.verified"]);
        assert!(check_events(Some(vec![])).is_err());
        assert!(check_events(Some(vec!["user.created".into()])).is_err());
    }
}
