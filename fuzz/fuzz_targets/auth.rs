//! The `Authorization` header and the key parser: any header value either
//! yields a credential or `MissingAuth`; a credential the key parser accepts
//! is exactly a known prefix and 32 ASCII alphanumerics, and the same key
//! with any one byte changed is refused or parses differently — never a panic.
#![no_main]

use huma::api::bearer;
use huma::error::ApiError;
use huma::keys::{parse_key, KEY_BODY_LEN};
use hyper::header::{HeaderValue, AUTHORIZATION};
use hyper::HeaderMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    let cred = match bearer(&headers) {
        Ok(Some(c)) => c,
        Ok(None) => panic!("a present header is never absent"),
        Err(e) => {
            assert_eq!(e, ApiError::MissingAuth);
            return;
        }
    };
    if let Ok((kind, body)) = parse_key(cred) {
        assert_eq!(cred.len(), kind.prefix().len() + KEY_BODY_LEN);
        assert!(cred.starts_with(kind.prefix()));
        assert!(body.bytes().all(|b| b.is_ascii_alphanumeric()));
        // Flip one bit of one body byte: the key must not parse as the same key.
        let mut bytes = cred.as_bytes().to_vec();
        let at = kind.prefix().len() + (data.len() % KEY_BODY_LEN);
        bytes[at] ^= 1 << (data.len() % 7);
        if let Ok(flipped) = std::str::from_utf8(&bytes) {
            if let Ok((k2, b2)) = parse_key(flipped) {
                assert!(k2 != kind || b2 != body);
            }
        }
    }
});
