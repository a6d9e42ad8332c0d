//! The webhook signature: for any secret, time and body, `sign` then
//! `verify` holds; flipping any one bit of the body, the signature header or
//! the secret makes `verify` fail; and `verify` never panics on an arbitrary
//! header.
#![no_main]

use huma::webhook::sign::{sign, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 10 {
        return;
    }
    // Layout: 8 bytes of time, 1 byte of secret length, the secret, the body.
    let t = i64::from_le_bytes(data[..8].try_into().unwrap()) % 4_000_000_000;
    let n = (data[8] as usize % 48).min(data.len() - 9);
    let Ok(secret) = std::str::from_utf8(&data[9..9 + n]) else { return };
    let body = &data[9 + n..];
    let header = sign(secret, t, body);
    assert!(verify(secret, &header, body, t, 300), "sign then verify holds");
    // Any header at all: no panic.
    let _ = verify(secret, &String::from_utf8_lossy(body), body, t, 300);
    for i in 0..body.len().min(64) {
        for bit in [0u8, 3, 7] {
            let mut b = body.to_vec();
            b[i] ^= 1 << bit;
            assert!(!verify(secret, &header, &b, t, 300), "a flipped body bit fails");
        }
    }
    // Flip a bit inside the hex signature (keeping it a different hex digit).
    let mut h = header.clone().into_bytes();
    let last = h.len() - 1;
    h[last] = if h[last] == b'0' { b'1' } else { b'0' };
    assert!(!verify(secret, std::str::from_utf8(&h).unwrap(), body, t, 300), "a changed signature fails");
    if !secret.is_empty() {
        let mut s = secret.as_bytes().to_vec();
        s[0] ^= 1;
        if let Ok(other) = std::str::from_utf8(&s) {
            assert!(!verify(other, &header, body, t, 300), "another secret fails");
        }
    }
});
