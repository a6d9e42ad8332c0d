//! Verification tokens: minting them from the CSPRNG, the hash they are
//! stored under, and the record kept with each (never the raw userId).

use ring::digest;
use ring::rand::SystemRandom;
use serde::{Deserialize, Serialize};

use crate::keys::push_base62;
use crate::scoring::Profile;

pub const VERIFIED_PREFIX: &str = "h_verified_";
pub const CHALLENGE_PREFIX: &str = "h_challenge_";
/// Random base62 characters after the prefix (contract: 22, ≈ 131 bits).
pub const TOKEN_BODY_LEN: usize = 22;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenKind {
    Verified,
    Challenge,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Verified => "verified",
            TokenKind::Challenge => "challenge",
        }
    }
}

/// The store key of a token: SHA-256 of the token string, so a leaked
/// keyspace holds no usable token.
pub type TokenHash = [u8; 32];

/// Everything kept with a token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub kind: TokenKind,
    /// The account (founding live key id) that obtained the token.
    pub account: String,
    /// HMAC-SHA256 of the userId under the server secret.
    pub user_hash: [u8; 32],
    pub human: bool,
    /// Hundredths: the confidence as answered (0..=100).
    pub score: u8,
    pub action: Option<String>,
    pub hostname: Option<String>,
    /// The behavioural profile of the verifying window (the `/session` baseline).
    pub profile: Profile,
    /// Unix milliseconds.
    pub created_at_ms: i64,
}

/// Parses the token format loosely enough to look it up: anything else is
/// simply not found.
pub fn token_kind(token: &str) -> Option<TokenKind> {
    let (kind, body) = if let Some(b) = token.strip_prefix(VERIFIED_PREFIX) {
        (TokenKind::Verified, b)
    } else if let Some(b) = token.strip_prefix(CHALLENGE_PREFIX) {
        (TokenKind::Challenge, b)
    } else {
        return None;
    };
    (body.len() == TOKEN_BODY_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(kind)
}

pub fn mint_token(rng: &SystemRandom, kind: TokenKind) -> String {
    let prefix = match kind {
        TokenKind::Verified => VERIFIED_PREFIX,
        TokenKind::Challenge => CHALLENGE_PREFIX,
    };
    let mut s = String::with_capacity(prefix.len() + TOKEN_BODY_LEN);
    s.push_str(prefix);
    push_base62(rng, &mut s, TOKEN_BODY_LEN);
    s
}

pub fn hash_token(token: &str) -> TokenHash {
    let d = digest::digest(&digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_have_the_contract_shape() {
        let rng = SystemRandom::new();
        let t = mint_token(&rng, TokenKind::Verified);
        assert_eq!(t.len(), VERIFIED_PREFIX.len() + 22);
        assert_eq!(token_kind(&t), Some(TokenKind::Verified));
        assert_ne!(t, mint_token(&rng, TokenKind::Verified));
        let c = mint_token(&rng, TokenKind::Challenge);
        assert_eq!(token_kind(&c), Some(TokenKind::Challenge));
        assert_eq!(token_kind("h_verified_short"), None);
        assert_eq!(token_kind("nope"), None);
    }
}
