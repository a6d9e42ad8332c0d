//! The signals v1 decoder and validator: any text either decodes into
//! signals that pass validation and score finitely within [0, 1], or is
//! refused with an error that names a `sessionData` field — never a panic.
#![no_main]

use huma::scoring::score;
use huma::wire::signals::decode_signals_str;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match decode_signals_str(text) {
        Ok(signals) => {
            assert_eq!(signals.validate(), Ok(()), "decoded signals must be valid");
            let v = score(&signals);
            assert!(
                v.confidence.is_finite() && (0.0..=1.0).contains(&v.confidence),
                "{}",
                v.confidence
            );
            assert!(
                (0.0..=1.0).contains(&v.agent.agent_confidence),
                "{}",
                v.agent.agent_confidence
            );
        }
        Err(e) => {
            assert!(e.field.starts_with("sessionData"), "{e:?}");
            assert!(!e.message.is_empty());
        }
    }
});
