//! `Huma-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
//! the scheme of Stripe and Standard Webhooks, and exactly what the seed's
//! Node `verifyWebhook` recomputes (the key is the secret string's bytes).
//! `verify` is what a Rust receiver would run: it checks the timestamp is
//! within a tolerance and compares in constant time.

use ring::hmac;

/// The header value for `body` signed with `secret` at unix time `t`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let tag = hmac::sign(&key(secret), &payload(t, body));
    format!("t={t},v1={}", hex(tag.as_ref()))
}

/// Whether `header` is a valid signature of `body` under `secret`, made
/// within `tolerance_secs` of `now` (either side). Every `v1=` entry is
/// tried, so a sender may list several during a secret rotation.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.push(v),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if now.abs_diff(t) > tolerance_secs.unsigned_abs() {
        return false;
    }
    let key = key(secret);
    let msg = payload(t, body);
    candidates.iter().any(|c| {
        unhex(c).is_some_and(|tag| hmac::verify(&key, &msg, &tag).is_ok()) // constant time
    })
}

fn key(secret: &str) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes())
}

fn payload(t: i64, body: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(body.len() + 12);
    p.extend_from_slice(t.to_string().as_bytes());
    p.push(b'.');
    p.extend_from_slice(body);
    p
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[(b >> 4) as usize] as char, DIGITS[(b & 0xf) as usize] as char])
        .collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "huma_whsec_0123456789abcdefghijABCDEFGHIJab";

    #[test]
    fn matches_a_known_vector() {
        // Computed independently: printf '%s' '1716840000.{"a":1}' | openssl dgst -sha256 -hmac "$SECRET"
        let h = sign(SECRET, 1_716_840_000, br#"{"a":1}"#);
        assert_eq!(
            h,
            "t=1716840000,v1=789ddf392f2bc8ae13efe822f879802c085170dc0368b2c2d67d95583724269d"
        );
    }

    #[test]
    fn sign_then_verify_holds_and_tampering_fails() {
        let body = br#"{"id":"evt_1","event":"human.verified"}"#;
        let h = sign(SECRET, 1000, body);
        assert!(verify(SECRET, &h, body, 1000, 300));
        assert!(verify(SECRET, &h, body, 1300, 300));
        assert!(!verify(SECRET, &h, body, 1301, 300), "too old");
        assert!(!verify(SECRET, &h, body, 699, 300), "from the future");
        assert!(!verify("huma_whsec_other", &h, body, 1000, 300), "wrong secret");
        let mut flipped = body.to_vec();
        flipped[3] ^= 1;
        assert!(!verify(SECRET, &h, &flipped, 1000, 300), "body changed");
        let other_t = h.replacen("t=1000", "t=1001", 1);
        assert!(!verify(SECRET, &other_t, body, 1000, 300), "timestamp changed");
        for bad in ["", "t=1000", "v1=00", "t=x,v1=00", "t=1000,v1=zz"] {
            assert!(!verify(SECRET, bad, body, 1000, 300), "{bad}");
        }
        let rotated = format!("t=1000,v1={},v1={}", "0".repeat(64), &h["t=1000,v1=".len()..]);
        assert!(verify(SECRET, &rotated, body, 1000, 300));
    }

    proptest::proptest! {
        #[test]
        fn any_signature_verifies_and_any_flipped_bit_fails(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            t in 0i64..4_000_000_000,
            bit in 0usize..4096,
        ) {
            let h = sign(SECRET, t, &body);
            proptest::prop_assert!(verify(SECRET, &h, &body, t, 300));
            if !body.is_empty() {
                let mut flipped = body.clone();
                let i = bit % (body.len() * 8);
                flipped[i / 8] ^= 1 << (i % 8);
                proptest::prop_assert!(!verify(SECRET, &h, &flipped, t, 300));
            }
        }
    }
}
