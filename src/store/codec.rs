//! How both backends turn records into bytes and hashes into names: postcard
//! for values (compact, schema-checked by serde, never JSON) and lowercase
//! hex for the hashes that appear in key names. Nothing here ever sees a raw
//! userId, key or token, only their hashes.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::StoreError;

/// The postcard encoding of a record.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(|e| StoreError(format!("cannot encode record: {e}")))
}

/// A record back from its postcard encoding; a corrupt or foreign value is an
/// error rather than a panic, so one bad record cannot take the server down.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError(format!("corrupt record in store: {e}")))
}

/// Lowercase hex of a hash, as used in key names.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_and_full_length() {
        let mut h = [0u8; 32];
        h[0] = 0xab;
        h[31] = 0x01;
        let s = hex(&h);
        assert_eq!(s.len(), 64);
        assert!(s.starts_with("ab00") && s.ends_with("01"));
    }

    #[test]
    fn corrupt_bytes_are_an_error() {
        assert!(decode::<(String, u64)>(&[0xff, 0xff, 0xff]).is_err());
        let bytes = encode(&("acct".to_string(), 7u64)).unwrap();
        assert_eq!(decode::<(String, u64)>(&bytes).unwrap(), ("acct".to_string(), 7));
    }
}
