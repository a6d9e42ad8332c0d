//! `App`, the state every request shares: configuration, the store, the
//! server secret, the CSPRNG, the in-memory limits and the metrics. Built
//! once at start (`App::start`), which also bootstraps the secret and the
//! development key.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use ring::rand::{SecureRandom, SystemRandom};

use crate::config::Config;
use crate::keys::{self, KeyKind, KeyRecord, Plan};
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::secret::Secret;
use crate::store::{Instrumented, Store, StoreError};
use crate::webhook::Webhooks;

pub struct App<S> {
    pub config: Config,
    /// The backend, with every call timed into `metrics`.
    pub store: Instrumented<S>,
    pub secret: Secret,
    pub rng: SystemRandom,
    pub limits: Limits,
    pub metrics: Metrics,
    pub webhooks: Webhooks,
    draining: AtomicBool,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The webhook client could not be built (e.g. `HUMA_WEBHOOK_CA_FILE`).
    #[error("{0}")]
    Webhooks(String),
}

/// What start-up did that the operator must be told once.
pub struct Started<S> {
    pub app: App<S>,
    /// A key created because the store had none; print it once.
    pub created_key: Option<String>,
}

impl<S: Store> App<S> {
    /// Loads or creates the server secret and bootstraps keys:
    /// `HUMA_DEV_KEY` on the embedded store, or a fresh pro key when an
    /// embedded store has none.
    pub async fn start(config: Config, store: S, embedded: bool) -> Result<Started<S>, StartError> {
        let webhooks = Webhooks::new(&config).map_err(StartError::Webhooks)?;
        let rng = SystemRandom::new();
        let secret = match &config.secret {
            Some(s) => Secret::new(s.as_bytes()),
            None => {
                let mut candidate = [0u8; 32];
                rng.fill(&mut candidate)
                    .map_err(|_| StoreError("the system CSPRNG failed".into()))?;
                Secret::new(&store.secret_get_or_init(&candidate).await?)
            }
        };
        let mut created_key = None;
        if embedded {
            if let Some(dev) = &config.dev_key {
                let hash = keys::hash_key(dev);
                if store.key_by_hash(&hash).await?.is_none() {
                    store.key_put(&new_live_key(&rng, hash, "dev")).await?;
                }
            } else if store.keys_list().await?.is_empty() {
                let key = keys::mint_key(&rng, KeyKind::Live);
                store
                    .key_put(&new_live_key(&rng, keys::hash_key(&key), "first key"))
                    .await?;
                created_key = Some(key);
            }
        } else if config.dev_key.is_some() {
            tracing::warn!("HUMA_DEV_KEY is ignored on Redis; create keys with `huma keys create` or the operator API");
        }
        let metrics = Metrics::default();
        let store = Instrumented::new(store, metrics.store.clone());
        let app = App {
            config,
            store,
            secret,
            rng,
            limits: Limits::default(),
            metrics,
            webhooks,
            draining: AtomicBool::new(false),
        };
        Ok(Started { app, created_key })
    }

    pub fn set_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}

fn new_live_key(rng: &SystemRandom, hash: keys::KeyHash, name: &str) -> KeyRecord {
    let id = keys::mint_key_id(rng);
    KeyRecord {
        account: id.clone(),
        id,
        hash,
        kind: KeyKind::Live,
        plan: Plan::Pro,
        name: name.into(),
        origins: Vec::new(),
        monthly_limit: None,
        burst_per_minute: None,
        created_at: unix_secs(),
        expires_at: None,
        revoked: false,
    }
}

pub fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub fn unix_secs() -> i64 {
    unix_millis() / 1000
}

/// `"2026-11"`: the quota month of a unix time, in UTC.
pub fn quota_month(unix_secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix_secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quota_months_are_utc_calendar_months() {
        assert_eq!(super::quota_month(0), "1970-01");
        assert_eq!(super::quota_month(1_796_083_199), "2026-11"); // 2026-11-30T23:59:59Z
        assert_eq!(super::quota_month(1_796_083_200), "2026-12");
    }
}
