//! The request envelopes: any body either parses or is refused with an
//! `ApiError` that renders as a 400 with a JSON body carrying `code` — never
//! a panic, never a 5xx; a parsed verify window scores within [0, 1].
#![no_main]

use huma::error::{render, ApiError};
use huma::scoring::score;
use huma::wire;
use libfuzzer_sys::fuzz_target;

fn check_refusal(e: ApiError) {
    let resp = render(&e);
    assert_eq!(resp.status().as_u16(), 400, "{e:?}");
}

fuzz_target!(|data: &[u8]| {
    match wire::parse_verify(data) {
        Ok(req) => {
            if let Some(s) = &req.signals {
                let v = score(s);
                assert!((0.0..=1.0).contains(&v.confidence), "{}", v.confidence);
            }
            assert!(req.user_id.len() <= wire::MAX_USER_ID);
        }
        Err(e) => check_refusal(e),
    }
    if let Err(e) = wire::parse_session(data) {
        check_refusal(e);
    }
    if let Err(e) = wire::parse_token_verify(data) {
        check_refusal(e);
    }
    if let Err(e) = wire::parse_challenge_create(data) {
        check_refusal(e);
    }
    if let Err(e) = wire::parse_challenge_verify(data) {
        check_refusal(e);
    }
});
