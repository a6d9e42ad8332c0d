//! Plain-data configuration: every knob, its named default and the
//! environment variable that overrides it. Tests build a `Config` directly;
//! only `Config::from_env` touches the process environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::keys::{Plan, PlanLimits};

/// `HUMA_LISTEN`: where the server binds.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8080";
/// `HUMA_DATA_DIR`: where the embedded store keeps its files.
pub const DEFAULT_DATA_DIR: &str = "./huma-data";
/// `HUMA_TOKEN_TTL_SECS`: how long a token serves as a `/session` baseline.
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 86_400;
/// `HUMA_TOKEN_FRESH_SECS`: how long `token/verify` calls a token fresh.
pub const DEFAULT_TOKEN_FRESH_SECS: u64 = 300;
/// `HUMA_CHALLENGE_TTL_SECS`: challenge lifetime.
pub const DEFAULT_CHALLENGE_TTL_SECS: u64 = 300;
/// `HUMA_WEBHOOK_RETRY_SCHEDULE`: seconds between delivery attempts.
pub const DEFAULT_WEBHOOK_RETRY_SCHEDULE: &[u64] = &[60, 300, 1800, 7200, 28800, 86400];
/// `HUMA_WEBHOOK_TIMEOUT_MS`: per-attempt timeout.
pub const DEFAULT_WEBHOOK_TIMEOUT_MS: u64 = 10_000;
/// `HUMA_WEBHOOK_WORKERS`: delivery workers.
pub const DEFAULT_WEBHOOK_WORKERS: usize = 8;
/// `HUMA_MAX_CONNECTIONS`: open connections beyond this wait in the accept queue.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// `HUMA_HEADER_TIMEOUT_MS`: a client must send its whole request head within this.
pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 5_000;
/// `HUMA_BODY_TIMEOUT_MS`: a client must send its whole body within this.
pub const DEFAULT_BODY_TIMEOUT_MS: u64 = 10_000;
/// `HUMA_SHUTDOWN_GRACE_MS`: how long in-flight requests may run after SIGTERM.
pub const DEFAULT_SHUTDOWN_GRACE_MS: u64 = 10_000;
/// `HUMA_DRAIN_DELAY_MS`: after SIGTERM, keep serving (with `/readyz` at 503)
/// this long before closing the listener, so a load balancer stops sending.
pub const DEFAULT_DRAIN_DELAY_MS: u64 = 0;
/// `HUMA_REPLAY_WINDOW_SECS`: how long a window's fingerprint is remembered,
/// so the same trace sent again within it is `replayed_signals`.
pub const DEFAULT_REPLAY_WINDOW_SECS: u64 = 3_600;
/// `HUMA_FLUSH_MS`: how often the embedded store makes batched writes durable.
pub const DEFAULT_FLUSH_MS: u64 = 200;
/// `HUMA_REDIS_POOL_SIZE`: multiplexed connections in the bb8 pool. One
/// measured best (perf/README.md): each connection pipelines every request.
pub const DEFAULT_REDIS_POOL_SIZE: u32 = 1;
/// `HUMA_REDIS_TIMEOUT_MS`: a store call that takes longer fails with 503.
/// A Redis call takes well under a millisecond on a LAN; 100 ms is far
/// beyond a healthy answer and short enough that a stalled Redis costs a
/// request little before the circuit breaker opens.
pub const DEFAULT_REDIS_TIMEOUT_MS: u64 = 100;
/// `HUMA_REDIS_BREAKER_FAILURES`: consecutive failed Redis calls that open the breaker.
pub const DEFAULT_REDIS_BREAKER_FAILURES: u32 = crate::store::breaker::DEFAULT_FAILURES;
/// `HUMA_REDIS_BREAKER_COOLDOWN_MS`: how long the breaker stays open before one probe call.
pub const DEFAULT_REDIS_BREAKER_COOLDOWN_MS: u64 = crate::store::breaker::DEFAULT_COOLDOWN_MS;
/// `HUMA_LIMITS_SYNC_MS`: on Redis, how often burst and flood counters are
/// reconciled across instances.
pub const DEFAULT_LIMITS_SYNC_MS: u64 = 250;
/// Request bodies above this are refused before they are read whole (contract).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Per-user flood limit: verifies of one userId on one key per minute (contract).
pub const FLOOD_PER_MINUTE: u32 = 10;
/// Heartbeats per token per minute (contract).
pub const HEARTBEATS_PER_MINUTE: u32 = 6;

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub redis_url: Option<String>,
    pub redis_pool_size: u32,
    pub redis_timeout: Duration,
    pub redis_breaker_failures: u32,
    pub redis_breaker_cooldown: Duration,
    pub limits_sync: Duration,
    pub data_dir: PathBuf,
    pub flush_interval: Duration,
    /// Server secret; `None` means generate one and keep it in the store.
    pub secret: Option<String>,
    pub admin_token: Option<String>,
    pub dev_key: Option<String>,
    pub token_ttl: Duration,
    pub token_fresh: Duration,
    pub challenge_ttl: Duration,
    pub replay_window: Duration,
    pub webhook_retry_schedule: Vec<u64>,
    pub webhook_timeout: Duration,
    pub webhook_workers: usize,
    pub webhook_allow_private: bool,
    pub webhook_ca_file: Option<PathBuf>,
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub shutdown_grace: Duration,
    pub drain_delay: Duration,
    pub plans: PlanTable,
}

/// The plan table of the contract; operators may change rows through
/// `HUMA_PLAN_<NAME>=monthly,burst` (monthly `0` means unlimited).
#[derive(Clone, Debug)]
pub struct PlanTable {
    pub trial: PlanLimits,
    pub starter: PlanLimits,
    pub pro: PlanLimits,
    pub enterprise: PlanLimits,
}

impl PlanTable {
    pub fn get(&self, plan: Plan) -> &PlanLimits {
        match plan {
            Plan::Trial => &self.trial,
            Plan::Starter => &self.starter,
            Plan::Pro => &self.pro,
            Plan::Enterprise => &self.enterprise,
        }
    }
}

impl Default for PlanTable {
    fn default() -> Self {
        PlanTable {
            trial: PlanLimits {
                monthly: Some(10_000),
                burst_per_minute: 60,
                agent_block: true,
                trial_days: Some(14),
            },
            starter: PlanLimits {
                monthly: Some(10_000),
                burst_per_minute: 120,
                agent_block: false,
                trial_days: None,
            },
            pro: PlanLimits {
                monthly: Some(250_000),
                burst_per_minute: 1_200,
                agent_block: true,
                trial_days: None,
            },
            enterprise: PlanLimits {
                monthly: None,
                burst_per_minute: 12_000,
                agent_block: true,
                trial_days: None,
            },
        }
    }
}

/// A configuration error names the variable so the operator knows what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

impl Config {
    /// The defaults of the contract, with the embedded store under `data_dir`.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            listen: DEFAULT_LISTEN.parse().expect("default listen address parses"),
            redis_url: None,
            redis_pool_size: DEFAULT_REDIS_POOL_SIZE,
            redis_timeout: Duration::from_millis(DEFAULT_REDIS_TIMEOUT_MS),
            redis_breaker_failures: DEFAULT_REDIS_BREAKER_FAILURES,
            redis_breaker_cooldown: Duration::from_millis(DEFAULT_REDIS_BREAKER_COOLDOWN_MS),
            limits_sync: Duration::from_millis(DEFAULT_LIMITS_SYNC_MS),
            data_dir,
            flush_interval: Duration::from_millis(DEFAULT_FLUSH_MS),
            secret: None,
            admin_token: None,
            dev_key: None,
            token_ttl: Duration::from_secs(DEFAULT_TOKEN_TTL_SECS),
            token_fresh: Duration::from_secs(DEFAULT_TOKEN_FRESH_SECS),
            challenge_ttl: Duration::from_secs(DEFAULT_CHALLENGE_TTL_SECS),
            replay_window: Duration::from_secs(DEFAULT_REPLAY_WINDOW_SECS),
            webhook_retry_schedule: DEFAULT_WEBHOOK_RETRY_SCHEDULE.to_vec(),
            webhook_timeout: Duration::from_millis(DEFAULT_WEBHOOK_TIMEOUT_MS),
            webhook_workers: DEFAULT_WEBHOOK_WORKERS,
            webhook_allow_private: false,
            webhook_ca_file: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: Duration::from_millis(DEFAULT_HEADER_TIMEOUT_MS),
            body_timeout: Duration::from_millis(DEFAULT_BODY_TIMEOUT_MS),
            shutdown_grace: Duration::from_millis(DEFAULT_SHUTDOWN_GRACE_MS),
            drain_delay: Duration::from_millis(DEFAULT_DRAIN_DELAY_MS),
            plans: PlanTable::default(),
        }
    }

    /// Reads every variable of the README's table; a malformed value is an
    /// error naming the variable, never a panic.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Same as `from_env`, over any lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let data_dir = get("HUMA_DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.to_string());
        let mut c = Config::new(PathBuf::from(data_dir));
        if let Some(v) = get("HUMA_LISTEN") {
            c.listen = parse("HUMA_LISTEN", &v, "an address like 0.0.0.0:8080")?;
        }
        if let Some(v) = get("REDIS_URL") {
            if !(v.starts_with("redis://") || v.starts_with("rediss://") || v.starts_with("unix://")) {
                return Err(err(
                    "REDIS_URL",
                    format!("'{v}' is not a redis:// URL (expected redis://host:port/db)"),
                ));
            }
            if url::Url::parse(&v).is_err() {
                return Err(err(
                    "REDIS_URL",
                    "is not a valid URL (expected redis://host:port/db)".into(),
                ));
            }
            c.redis_url = Some(v);
        }
        let secs = |var: &'static str, d: &mut Duration| -> Result<(), ConfigError> {
            if let Some(v) = get(var) {
                *d = Duration::from_secs(parse::<u64>(var, &v, "a whole number of seconds")?);
            }
            Ok(())
        };
        let millis = |var: &'static str, d: &mut Duration| -> Result<(), ConfigError> {
            if let Some(v) = get(var) {
                *d = Duration::from_millis(parse::<u64>(var, &v, "a whole number of milliseconds")?);
            }
            Ok(())
        };
        secs("HUMA_TOKEN_TTL_SECS", &mut c.token_ttl)?;
        secs("HUMA_TOKEN_FRESH_SECS", &mut c.token_fresh)?;
        secs("HUMA_CHALLENGE_TTL_SECS", &mut c.challenge_ttl)?;
        secs("HUMA_REPLAY_WINDOW_SECS", &mut c.replay_window)?;
        millis("HUMA_WEBHOOK_TIMEOUT_MS", &mut c.webhook_timeout)?;
        millis("HUMA_HEADER_TIMEOUT_MS", &mut c.header_timeout)?;
        millis("HUMA_BODY_TIMEOUT_MS", &mut c.body_timeout)?;
        millis("HUMA_SHUTDOWN_GRACE_MS", &mut c.shutdown_grace)?;
        millis("HUMA_DRAIN_DELAY_MS", &mut c.drain_delay)?;
        millis("HUMA_FLUSH_MS", &mut c.flush_interval)?;
        millis("HUMA_REDIS_TIMEOUT_MS", &mut c.redis_timeout)?;
        millis("HUMA_REDIS_BREAKER_COOLDOWN_MS", &mut c.redis_breaker_cooldown)?;
        millis("HUMA_LIMITS_SYNC_MS", &mut c.limits_sync)?;
        for (var, d) in [
            ("HUMA_REDIS_TIMEOUT_MS", c.redis_timeout),
            ("HUMA_LIMITS_SYNC_MS", c.limits_sync),
        ] {
            if d.is_zero() {
                return Err(err(var, "must be at least 1".into()));
            }
        }
        if let Some(v) = get("HUMA_REDIS_BREAKER_FAILURES") {
            c.redis_breaker_failures = parse("HUMA_REDIS_BREAKER_FAILURES", &v, "a positive whole number")?;
            if c.redis_breaker_failures == 0 {
                return Err(err("HUMA_REDIS_BREAKER_FAILURES", "must be at least 1".into()));
            }
        }
        if let Some(v) = get("HUMA_REDIS_POOL_SIZE") {
            c.redis_pool_size = parse("HUMA_REDIS_POOL_SIZE", &v, "a positive whole number")?;
            if c.redis_pool_size == 0 {
                return Err(err("HUMA_REDIS_POOL_SIZE", "must be at least 1".into()));
            }
        }
        if let Some(v) = get("HUMA_WEBHOOK_WORKERS") {
            c.webhook_workers = parse("HUMA_WEBHOOK_WORKERS", &v, "a positive whole number")?;
        }
        if let Some(v) = get("HUMA_MAX_CONNECTIONS") {
            c.max_connections = parse("HUMA_MAX_CONNECTIONS", &v, "a positive whole number")?;
            if c.max_connections == 0 {
                return Err(err("HUMA_MAX_CONNECTIONS", "must be at least 1".into()));
            }
        }
        if let Some(v) = get("HUMA_WEBHOOK_RETRY_SCHEDULE") {
            c.webhook_retry_schedule = v
                .split(',')
                .map(|s| parse::<u64>("HUMA_WEBHOOK_RETRY_SCHEDULE", s.trim(), "comma-separated seconds"))
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = get("HUMA_WEBHOOK_ALLOW_PRIVATE") {
            c.webhook_allow_private = match v.as_str() {
                "1" | "true" => true,
                "0" | "false" => false,
                _ => return Err(err("HUMA_WEBHOOK_ALLOW_PRIVATE", format!("'{v}' must be 0 or 1"))),
            };
        }
        c.webhook_ca_file = get("HUMA_WEBHOOK_CA_FILE").map(PathBuf::from);
        c.secret = get("HUMA_SECRET");
        if let Some(s) = &c.secret {
            if s.len() < 16 {
                return Err(err("HUMA_SECRET", "must be at least 16 characters".into()));
            }
        }
        c.admin_token = get("HUMA_ADMIN_TOKEN");
        c.dev_key = get("HUMA_DEV_KEY");
        if let Some(k) = &c.dev_key {
            if crate::keys::parse_key(k).map(|(kind, _)| kind) != Ok(crate::keys::KeyKind::Live) {
                return Err(err(
                    "HUMA_DEV_KEY",
                    "must be huma_live_ followed by 32 characters of [A-Za-z0-9]".into(),
                ));
            }
        }
        for (var, plan) in [
            ("HUMA_PLAN_TRIAL", Plan::Trial),
            ("HUMA_PLAN_STARTER", Plan::Starter),
            ("HUMA_PLAN_PRO", Plan::Pro),
            ("HUMA_PLAN_ENTERPRISE", Plan::Enterprise),
        ] {
            if let Some(v) = get(var) {
                let (m, b) = v
                    .split_once(',')
                    .ok_or_else(|| err(var, format!("'{v}' must be 'monthly,burst' (e.g. 10000,60)")))?;
                let monthly: u64 = parse(var, m.trim(), "a whole monthly limit (0 = unlimited)")?;
                let burst: u32 = parse(var, b.trim(), "a whole burst per minute")?;
                let row = match plan {
                    Plan::Trial => &mut c.plans.trial,
                    Plan::Starter => &mut c.plans.starter,
                    Plan::Pro => &mut c.plans.pro,
                    Plan::Enterprise => &mut c.plans.enterprise,
                };
                row.monthly = (monthly > 0).then_some(monthly);
                row.burst_per_minute = burst;
            }
        }
        Ok(c)
    }
}

impl Config {
    /// Every variable with the value in force, secrets masked (`***`, or
    /// the password inside `REDIS_URL`), for `huma check-config`.
    pub fn effective(&self) -> Vec<(&'static str, String)> {
        let ms = |d: Duration| d.as_millis().to_string();
        let secs = |d: Duration| d.as_secs().to_string();
        let masked = |v: &Option<String>| v.as_ref().map_or_else(|| "(unset)".to_string(), |_| "***".to_string());
        let plan = |p: &PlanLimits| format!("{},{}", p.monthly.unwrap_or(0), p.burst_per_minute);
        vec![
            ("HUMA_LISTEN", self.listen.to_string()),
            (
                "REDIS_URL",
                self.redis_url
                    .as_deref()
                    .map_or_else(|| "(unset: embedded store)".to_string(), mask_url),
            ),
            ("HUMA_DATA_DIR", self.data_dir.display().to_string()),
            ("HUMA_SECRET", masked(&self.secret)),
            ("HUMA_ADMIN_TOKEN", masked(&self.admin_token)),
            ("HUMA_DEV_KEY", masked(&self.dev_key)),
            ("HUMA_TOKEN_TTL_SECS", secs(self.token_ttl)),
            ("HUMA_TOKEN_FRESH_SECS", secs(self.token_fresh)),
            ("HUMA_CHALLENGE_TTL_SECS", secs(self.challenge_ttl)),
            ("HUMA_REPLAY_WINDOW_SECS", secs(self.replay_window)),
            (
                "HUMA_WEBHOOK_RETRY_SCHEDULE",
                self.webhook_retry_schedule
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ("HUMA_WEBHOOK_TIMEOUT_MS", ms(self.webhook_timeout)),
            ("HUMA_WEBHOOK_WORKERS", self.webhook_workers.to_string()),
            (
                "HUMA_WEBHOOK_ALLOW_PRIVATE",
                u8::from(self.webhook_allow_private).to_string(),
            ),
            (
                "HUMA_WEBHOOK_CA_FILE",
                self.webhook_ca_file
                    .as_ref()
                    .map_or_else(|| "(unset)".to_string(), |p| p.display().to_string()),
            ),
            ("HUMA_MAX_CONNECTIONS", self.max_connections.to_string()),
            ("HUMA_HEADER_TIMEOUT_MS", ms(self.header_timeout)),
            ("HUMA_BODY_TIMEOUT_MS", ms(self.body_timeout)),
            ("HUMA_SHUTDOWN_GRACE_MS", ms(self.shutdown_grace)),
            ("HUMA_DRAIN_DELAY_MS", ms(self.drain_delay)),
            ("HUMA_FLUSH_MS", ms(self.flush_interval)),
            ("HUMA_REDIS_POOL_SIZE", self.redis_pool_size.to_string()),
            ("HUMA_REDIS_TIMEOUT_MS", ms(self.redis_timeout)),
            ("HUMA_REDIS_BREAKER_FAILURES", self.redis_breaker_failures.to_string()),
            ("HUMA_REDIS_BREAKER_COOLDOWN_MS", ms(self.redis_breaker_cooldown)),
            ("HUMA_LIMITS_SYNC_MS", ms(self.limits_sync)),
            ("HUMA_PLAN_TRIAL", plan(&self.plans.trial)),
            ("HUMA_PLAN_STARTER", plan(&self.plans.starter)),
            ("HUMA_PLAN_PRO", plan(&self.plans.pro)),
            ("HUMA_PLAN_ENTERPRISE", plan(&self.plans.enterprise)),
        ]
    }
}

/// `REDIS_URL` with any password (and user) replaced by `***`.
fn mask_url(v: &str) -> String {
    match url::Url::parse(v) {
        Ok(mut u) if u.password().is_some() || !u.username().is_empty() => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Ok(_) => v.to_string(),
        Err(_) => "***".to_string(),
    }
}

fn err(var: &'static str, message: String) -> ConfigError {
    ConfigError { var, message }
}

fn parse<T: std::str::FromStr>(var: &'static str, v: &str, what: &str) -> Result<T, ConfigError> {
    v.parse().map_err(|_| err(var, format!("'{v}' is not {what}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn defaults_follow_the_contract() {
        let c = load(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:8080");
        assert_eq!(c.token_ttl, Duration::from_secs(86_400));
        assert_eq!(c.token_fresh, Duration::from_secs(300));
        assert_eq!(c.webhook_retry_schedule, vec![60, 300, 1800, 7200, 28800, 86400]);
        assert!(c.redis_url.is_none());
    }

    #[test]
    fn malformed_values_name_the_variable() {
        for (var, val) in [
            ("REDIS_URL", "localhost:6379"),
            ("HUMA_LISTEN", "nope"),
            ("HUMA_TOKEN_TTL_SECS", "1h"),
            ("HUMA_WEBHOOK_RETRY_SCHEDULE", "1,x"),
            ("HUMA_DEV_KEY", "huma_live_short"),
            ("HUMA_PLAN_PRO", "12"),
            ("HUMA_REDIS_TIMEOUT_MS", "0"),
            ("HUMA_REDIS_BREAKER_FAILURES", "many"),
            ("HUMA_REDIS_BREAKER_COOLDOWN_MS", "-1"),
            ("HUMA_LIMITS_SYNC_MS", "fast"),
        ] {
            let e = load(&[(var, val)]).unwrap_err();
            assert_eq!(e.var, var, "{e}");
        }
    }

    #[test]
    fn effective_configuration_masks_secrets() {
        let c = load(&[
            ("REDIS_URL", "redis://:hunter2pass@cache:6379/0"),
            ("HUMA_SECRET", "a-very-long-server-secret"),
            ("HUMA_ADMIN_TOKEN", "admintok"),
        ])
        .unwrap();
        let all = c.effective();
        let text = format!("{all:?}");
        for secret in ["hunter2pass", "a-very-long-server-secret", "admintok"] {
            assert!(!text.contains(secret), "{text}");
        }
        let get = |k| all.iter().find(|(n, _)| *n == k).unwrap().1.clone();
        assert_eq!(get("REDIS_URL"), "redis://:***@cache:6379/0");
        assert_eq!(get("HUMA_SECRET"), "***");
        assert_eq!(get("HUMA_REDIS_TIMEOUT_MS"), "100");
    }

    #[test]
    fn plan_rows_can_be_overridden() {
        let c = load(&[("HUMA_PLAN_STARTER", "0,5")]).unwrap();
        assert_eq!(c.plans.starter.monthly, None);
        assert_eq!(c.plans.starter.burst_per_minute, 5);
    }
}
