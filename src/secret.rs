//! The server secret and the keyed hashes made with it: userIds are only
//! ever stored, logged or compared as HMAC-SHA256(secret, userId).

use ring::hmac;

#[derive(Clone)]
pub struct Secret {
    key: hmac::Key,
}

impl Secret {
    pub fn new(bytes: &[u8]) -> Secret {
        Secret {
            key: hmac::Key::new(hmac::HMAC_SHA256, bytes),
        }
    }

    /// The keyed hash of a userId, the only form in which it is kept.
    pub fn user_hash(&self, user_id: &str) -> [u8; 32] {
        let tag = hmac::sign(&self.key, user_id.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_hash_is_keyed() {
        let a = Secret::new(b"one secret of sixteen+");
        let b = Secret::new(b"another secret of 16+");
        assert_eq!(a.user_hash("u1"), a.user_hash("u1"));
        assert_ne!(a.user_hash("u1"), a.user_hash("u2"));
        assert_ne!(a.user_hash("u1"), b.user_hash("u1"));
    }
}
