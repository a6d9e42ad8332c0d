//! API keys and plans: the key format, minting keys from the CSPRNG, the
//! hash under which a key is stored (never the key itself), and the record
//! that describes a key's account, plan and overrides.

use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

/// Characters after the prefix of every API key (contract).
pub const KEY_BODY_LEN: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyKind {
    Live,
    Publishable,
    Test,
}

impl KeyKind {
    pub fn prefix(self) -> &'static str {
        match self {
            KeyKind::Live => "huma_live_",
            KeyKind::Publishable => "huma_pub_",
            KeyKind::Test => "huma_test_",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Live => "live",
            KeyKind::Publishable => "publishable",
            KeyKind::Test => "test",
        }
    }

    pub fn from_name(s: &str) -> Option<KeyKind> {
        match s {
            "live" => Some(KeyKind::Live),
            "publishable" => Some(KeyKind::Publishable),
            "test" => Some(KeyKind::Test),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Plan {
    Trial,
    Starter,
    Pro,
    Enterprise,
}

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Trial => "trial",
            Plan::Starter => "starter",
            Plan::Pro => "pro",
            Plan::Enterprise => "enterprise",
        }
    }

    pub fn from_name(s: &str) -> Option<Plan> {
        match s {
            "trial" => Some(Plan::Trial),
            "starter" => Some(Plan::Starter),
            "pro" => Some(Plan::Pro),
            "enterprise" => Some(Plan::Enterprise),
            _ => None,
        }
    }
}

/// One row of the plan table.
#[derive(Clone, Debug)]
pub struct PlanLimits {
    /// `None` is unlimited.
    pub monthly: Option<u64>,
    pub burst_per_minute: u32,
    pub agent_block: bool,
    /// Trial keys expire this many days after creation.
    pub trial_days: Option<u32>,
}

/// SHA-256 of the full key string. Keys carry ≥ 190 bits of entropy, so an
/// unsalted fast hash is enough to make a leaked store useless.
pub type KeyHash = [u8; 32];

/// What the store keeps about a key; never the key itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// `key_` + 16 base62 characters.
    pub id: String,
    pub hash: KeyHash,
    pub kind: KeyKind,
    pub plan: Plan,
    pub name: String,
    /// Id of the live key that founded the account (its own id for a live key).
    pub account: String,
    /// Allowed `Origin`s of a publishable key.
    pub origins: Vec<String>,
    pub monthly_limit: Option<u64>,
    pub burst_per_minute: Option<u32>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; trial keys get one from the plan table.
    pub expires_at: Option<i64>,
    pub revoked: bool,
}

impl KeyRecord {
    /// The monthly limit in force: the override, else the plan's.
    pub fn monthly_limit(&self, plan: &PlanLimits) -> Option<u64> {
        self.monthly_limit.or(plan.monthly)
    }

    pub fn burst_per_minute(&self, plan: &PlanLimits) -> u32 {
        self.burst_per_minute.unwrap_or(plan.burst_per_minute)
    }
}

/// Why a bearer string is not a key, in the contract's two flavours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFormatError {
    /// Not `huma_live_`/`huma_pub_`/`huma_test_` + 32 × `[A-Za-z0-9]`.
    Malformed,
}

/// Splits a key into its kind and body, checking the format exactly.
pub fn parse_key(key: &str) -> Result<(KeyKind, &str), KeyFormatError> {
    for kind in [KeyKind::Live, KeyKind::Publishable, KeyKind::Test] {
        if let Some(body) = key.strip_prefix(kind.prefix()) {
            if body.len() == KEY_BODY_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Ok((kind, body));
            }
            return Err(KeyFormatError::Malformed);
        }
    }
    Err(KeyFormatError::Malformed)
}

pub fn hash_key(key: &str) -> KeyHash {
    let d = digest::digest(&digest::SHA256, key.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Constant-time equality of two hashes.
pub fn hashes_equal(a: &KeyHash, b: &KeyHash) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// A new key of `kind`: the prefix and 32 base62 characters from the CSPRNG.
pub fn mint_key(rng: &SystemRandom, kind: KeyKind) -> String {
    let mut s = String::with_capacity(kind.prefix().len() + KEY_BODY_LEN);
    s.push_str(kind.prefix());
    push_base62(rng, &mut s, KEY_BODY_LEN);
    s
}

/// A new key id, `key_` + 16 base62 characters.
pub fn mint_key_id(rng: &SystemRandom) -> String {
    random_id(rng, "key_", 16)
}

/// `prefix` followed by `n` base62 characters from the CSPRNG.
pub fn random_id(rng: &SystemRandom, prefix: &str, n: usize) -> String {
    let mut s = String::with_capacity(prefix.len() + n);
    s.push_str(prefix);
    push_base62(rng, &mut s, n);
    s
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Appends `n` uniformly distributed base62 characters (rejection sampling,
/// so no character is more likely than another).
pub fn push_base62(rng: &SystemRandom, out: &mut String, n: usize) {
    let mut buf = [0u8; 64];
    let mut left = n;
    while left > 0 {
        rng.fill(&mut buf).expect("the system CSPRNG is available");
        for &b in &buf {
            // 248 = 4 × 62: bytes above it would bias the first characters.
            if b < 248 && left > 0 {
                out.push(BASE62[(b % 62) as usize] as char);
                left -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_format_is_exact() {
        let body = "a".repeat(32);
        for (key, ok) in [
            (format!("huma_live_{body}"), Some(KeyKind::Live)),
            (format!("huma_pub_{body}"), Some(KeyKind::Publishable)),
            (format!("huma_test_{body}"), Some(KeyKind::Test)),
            (format!("huma_live_{}", "a".repeat(31)), None),
            (format!("huma_live_{}", "a".repeat(33)), None),
            (format!("huma_live_{}-", "a".repeat(31)), None),
            (format!("huma_secret_{body}"), None),
            (String::new(), None),
        ] {
            assert_eq!(parse_key(&key).ok().map(|(k, _)| k), ok, "{key}");
        }
    }

    #[test]
    fn minted_keys_parse_and_differ() {
        let rng = SystemRandom::new();
        let a = mint_key(&rng, KeyKind::Live);
        let b = mint_key(&rng, KeyKind::Live);
        assert_ne!(a, b);
        assert_eq!(parse_key(&a).unwrap().0, KeyKind::Live);
        assert!(hashes_equal(&hash_key(&a), &hash_key(&a)));
        assert!(!hashes_equal(&hash_key(&a), &hash_key(&b)));
    }
}
