//! Tests of the signals decoder: a table of hand-written payloads, and
//! properties over arbitrary bytes and arbitrary JSON-shaped values.

use proptest::prelude::*;

use super::*;
use crate::signals::{Array, M_CAP, M_STRIDE};

/// Decodes `input` and compares the outcome with `expected`: `None` for
/// success, or the field the error must name.
fn check(input: &str, expected: Option<&str>) {
    let got = decode_signals_str(input);
    match (&got, expected) {
        (Ok(s), None) => assert_eq!(s.validate(), Ok(()), "{input}"),
        (Err(e), Some(field)) => {
            assert_eq!(e.field, field, "{input}: {}", e.message);
            assert!(
                e.message.ends_with('.') && e.message.starts_with(field),
                "{}",
                e.message
            );
        }
        _ => panic!("{input}: expected {expected:?}, got {got:?}"),
    }
}

#[test]
fn table() {
    let ok = None;
    let rows: &[(&str, Option<&str>)] = &[
        (r#"{"v":1,"dur":0}"#, ok),
        (r#"{"v":1.0,"dur":8450.5,"extra":{"deep":[1,{"x":null}]}}"#, ok),
        (r#"{"v":1,"dur":10,"m":null,"c":null,"n":null,"env":null}"#, ok),
        (
            r#"{"dur":10,"v":1,"m":[0,1,2,5,3,4],"c":[1,2,3,96,1],"k":[0,88,0],"s":[0,-120,0],"t":[0,1,2,0],"f":[9,1]}"#,
            ok,
        ),
        (
            r#"{"v":1,"dur":10,"n":{"m":412,"mc":380,"c":1,"k":3,"s":2,"t":0,"u":0,"zz":"x"}}"#,
            ok,
        ),
        (
            r#"{"v":1,"dur":1,"env":{"host":"shop.example","webdriver":false,"cdp":false,"headless_ua":false,"chrome_obj":true,"plugins":5,"languages":2,"touch_points":0,"screen":[1920,1080],"outer":[1280,800],"inner":[1280,689],"dpr":1.25,"new":1}}"#,
            ok,
        ),
        (r#"{"v":1,"dur":0,"m":[1000,1,1]}"#, ok),
        (r#"{"v":1,"dur":0,"m":[1000.5,1,1]}"#, Some("sessionData.m[0]")),
        (r#"{"v":1,"dur":10,"m":[0,1,2,3]}"#, Some("sessionData.m")),
        (r#"{"v":1,"dur":10,"m":[0,1,"2"]}"#, Some("sessionData.m[2]")),
        (r#"{"v":1,"dur":10,"m":[0,1,2,5,null,1]}"#, Some("sessionData.m[4]")),
        (r#"{"v":1,"dur":10,"m":{"t":0}}"#, Some("sessionData.m")),
        (r#"{"v":1,"dur":10,"m":"0,1,2"}"#, Some("sessionData.m")),
        (r#"{"v":1,"dur":10,"k":[5,1,0,4,1,0]}"#, Some("sessionData.k[3]")),
        (r#"{"v":1,"dur":10,"s":[-1,1,0]}"#, Some("sessionData.s[0]")),
        (r#"{"v":1,"dur":10,"c":[0,1,2,3,1e999]}"#, Some("sessionData.c[4]")),
        (r#"{"v":1,"dur":10,"m":[0,1,2,]}"#, Some("sessionData")),
        (r#"{"v":1,"dur":10,"m":[0,01,2]}"#, Some("sessionData")),
        (r#"{"v":1,"dur":10,"env":{"dpr":tru}}"#, Some("sessionData")),
        (r#"{"v":1,"dur":10,"n":{"m":1e2}}"#, ok),
        (r#"{"dur":10}"#, Some("sessionData.v")),
        (r#"{"v":2,"dur":10}"#, Some("sessionData.v")),
        (r#"{"v":"1","dur":10}"#, Some("sessionData.v")),
        (r#"{"v":null,"dur":10}"#, Some("sessionData.v")),
        (r#"{"v":1}"#, Some("sessionData.dur")),
        (r#"{"v":1,"dur":-1}"#, Some("sessionData.dur")),
        (r#"{"v":1,"dur":"10"}"#, Some("sessionData.dur")),
        (r#"{"v":1,"dur":1,"dur":2}"#, Some("sessionData.dur")),
        (r#"{"v":1,"dur":1,"m":[],"m":[]}"#, Some("sessionData.m")),
        (r#"{"v":1,"dur":1,"n":[1]}"#, Some("sessionData.n")),
        (r#"{"v":1,"dur":1,"n":{"u":-1}}"#, Some("sessionData.n.u")),
        (r#"{"v":1,"dur":1,"n":{"u":3,"uk":2}}"#, ok),
        (r#"{"v":1,"dur":1,"n":{"uk":-1}}"#, Some("sessionData.n.uk")),
        (r#"{"v":1,"dur":1,"n":{"m":1.5}}"#, Some("sessionData.n.m")),
        (r#"{"v":1,"dur":1,"n":{"m":4294967296}}"#, Some("sessionData.n.m")),
        (r#"{"v":1,"dur":1,"env":true}"#, Some("sessionData.env")),
        (
            r#"{"v":1,"dur":1,"env":{"webdriver":"false"}}"#,
            Some("sessionData.env.webdriver"),
        ),
        (r#"{"v":1,"dur":1,"env":{"cdp":1}}"#, Some("sessionData.env.cdp")),
        (r#"{"v":1,"dur":1,"env":{"ua_spoofed":true}}"#, ok),
        (r#"{"v":1,"dur":1,"env":{"ua_spoofed":null}}"#, ok),
        (
            r#"{"v":1,"dur":1,"env":{"ua_spoofed":"yes"}}"#,
            Some("sessionData.env.ua_spoofed"),
        ),
        (r#"{"v":1,"dur":1,"env":{"host":5}}"#, Some("sessionData.env.host")),
        (
            r#"{"v":1,"dur":1,"env":{"plugins":-1}}"#,
            Some("sessionData.env.plugins"),
        ),
        (
            r#"{"v":1,"dur":1,"env":{"touch_points":70000}}"#,
            Some("sessionData.env.touch_points"),
        ),
        (
            r#"{"v":1,"dur":1,"env":{"screen":[1920]}}"#,
            Some("sessionData.env.screen"),
        ),
        (
            r#"{"v":1,"dur":1,"env":{"inner":[1920,"x"]}}"#,
            Some("sessionData.env.inner"),
        ),
        (r#"{"v":1,"dur":1,"env":{"dpr":0}}"#, Some("sessionData.env.dpr")),
        (r#"{"v":1,"dur":1,"env":{"dpr":2,"host":null,"webdriver":null}}"#, ok),
        ("[1,2,3]", Some("sessionData")),
        ("\"signals\"", Some("sessionData")),
        ("{\"v\":1,\"dur\":1", Some("sessionData")),
        ("{\"v\":1,\"dur\":1} x", Some("sessionData")),
        ("", Some("sessionData")),
    ];
    for (input, expected) in rows {
        check(input, *expected);
    }
    let long_host = format!(r#"{{"v":1,"dur":1,"env":{{"host":"{}"}}}}"#, "a".repeat(254));
    check(&long_host, Some("sessionData.env.host"));
    let max_host = format!(r#"{{"v":1,"dur":1,"env":{{"host":"{}"}}}}"#, "a".repeat(253));
    check(&max_host, None);
}

#[test]
fn env_is_read_field_by_field() {
    let s = decode_signals_str(
        r#"{"v":1,"dur":1,"env":{"webdriver":false,"headless_ua":true,"ua_spoofed":true,"screen":[800,600],"outer":[1280,800],"inner":[1280,713],"touch_points":0}}"#,
    )
    .unwrap();
    assert_eq!(
        (s.env.webdriver, s.env.headless_ua, s.env.ua_spoofed, s.env.cdp),
        (Some(false), Some(true), Some(true), None)
    );
    assert_eq!(
        (s.env.screen, s.env.outer, s.env.inner),
        (Some([800.0, 600.0]), Some([1280.0, 800.0]), Some([1280.0, 713.0]))
    );
    assert_eq!(s.env.touch_points, Some(0));
}

#[test]
fn messages_say_what_to_fix() {
    let e = decode_signals_str(r#"{"v":1,"dur":10,"m":[0,1,2,3,4,5,6]}"#).unwrap_err();
    assert_eq!(
        e.message,
        "sessionData.m must have a length that is a multiple of 3 (t, x, y); got 7 numbers."
    );
}

#[test]
fn cap_stops_reading_and_bounds_memory() {
    let rows = |n: usize| (0..n).map(|i| format!("{i},1,2")).collect::<Vec<_>>().join(",");
    let at_cap = format!(r#"{{"v":1,"dur":5000,"m":[{}]}}"#, rows(M_CAP));
    let s = decode_signals_str(&at_cap).unwrap();
    assert_eq!(s.m.len(), M_CAP * M_STRIDE);
    assert!(s.m.capacity() <= M_CAP * M_STRIDE);
    // One number past the cap, followed by garbage that is never reached.
    let over = format!(r#"{{"v":1,"dur":5000,"m":[{},0,"#, rows(M_CAP));
    let e = decode_signals_str(&format!("{over}!!!")).unwrap_err();
    assert_eq!(e.field, "sessionData.m", "{}", e.message);
}

/// JSON-shaped values biased towards signals: the right keys, numbers,
/// nested arrays and objects, and wrong types.
fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        (-5i64..5000).prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| format!("{x:e}")),
        "[a-z]{0,4}".prop_map(|s| format!("\"{s}\"")),
    ];
    leaf.prop_recursive(3, 64, 10, |inner| {
        let key = prop_oneof![
            Just("v"),
            Just("dur"),
            Just("m"),
            Just("c"),
            Just("k"),
            Just("s"),
            Just("t"),
            Just("f"),
            Just("n"),
            Just("env"),
            Just("webdriver"),
            Just("dpr"),
            Just("screen"),
            Just("host"),
            Just("u"),
            Just("x"),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..12).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key, inner), 0..8).prop_map(|kv| {
                let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

/// Plausible signals with random times: often valid, often just not.
fn signals_like() -> impl Strategy<Value = String> {
    let arr = prop::collection::vec(-10i32..3000, 0..40)
        .prop_map(|v| format!("[{}]", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")));
    (prop_oneof![Just(1), 0..3i32], 0..3000u32, arr.clone(), arr.clone(), arr)
        .prop_map(|(v, dur, m, c, k)| format!(r#"{{"v":{v},"dur":{dur},"m":{m},"c":{c},"k":{k}}}"#))
}

fn assert_outcome(input: &str) {
    match decode_signals_str(input) {
        Ok(s) => assert_eq!(s.validate(), Ok(())),
        Err(e) => {
            assert!(e.field.starts_with("sessionData"), "{e:?}");
            assert!(!e.message.is_empty(), "{e:?}");
        }
    }
}

/// The hand-written reader against serde_json on the same text: whatever
/// serde_json refuses as JSON is refused, and whatever is decoded holds
/// the numbers serde_json reads (to its rounding: without the
/// `float_roundtrip` feature it may be one unit in the last place off).
fn agrees_with_serde_json(input: &str) {
    let ours = decode_signals_str(input);
    let theirs = serde_json::from_str::<serde_json::Value>(input);
    match (&ours, &theirs) {
        (Ok(s), Ok(v)) => {
            for a in Array::ALL {
                let got = s.array(a);
                let want: Vec<f64> = match v.get(a.name()) {
                    Some(serde_json::Value::Array(xs)) => xs.iter().map(|x| x.as_f64().unwrap()).collect(),
                    _ => Vec::new(),
                };
                assert_eq!(got.len(), want.len(), "{input}");
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - w).abs() <= w.abs() * 1e-15, "{input}: {g} vs {w}");
                }
            }
            // The same tolerance for `dur` (found by this test:
            // 2.7130941781606426e-162 is one unit in the last place apart;
            // ours is `str::parse`'s, correctly rounded).
            let dur = v["dur"].as_f64().unwrap();
            assert!((s.dur - dur).abs() <= dur.abs() * 1e-15, "{input}: {} vs {dur}", s.dur);
        }
        (Ok(_), Err(e)) => panic!("{input}: serde_json refuses it ({e}), we accepted it"),
        _ => {}
    }
}

proptest! {
    #[test]
    fn same_reading_as_serde_json(json in json_value()) {
        agrees_with_serde_json(&json);
    }

    #[test]
    fn same_reading_as_serde_json_on_signals(json in signals_like()) {
        agrees_with_serde_json(&json);
    }

    #[test]
    fn same_reading_as_serde_json_on_fractions(
        xs in prop::collection::vec(-1e6f64..1e6, 0..60),
        digits in 0usize..18,
        ws in prop_oneof![Just(""), Just(" "), Just("\n\t ")],
    ) {
        // Rows of `m` (t, x, y) with times in order, so the window is valid
        // and every number is compared.
        let mut xs = xs;
        xs.truncate(xs.len() / 3 * 3);
        let mut times: Vec<f64> = xs.iter().step_by(3).map(|x| x.abs()).collect();
        times.sort_by(f64::total_cmp);
        for (row, t) in xs.chunks_exact_mut(3).zip(times) {
            row[0] = t;
        }
        let xs: Vec<String> = xs.iter().map(|x| format!("{:.*}", digits, x)).collect();
        let json = format!(r#"{{"v":1,"dur":1e9,"m":[{}]}}"#, xs.join(&format!(",{ws}")));
        assert!(decode_signals_str(&json).is_ok(), "{json}");
        agrees_with_serde_json(&json);
    }

    #[test]
    fn broken_text_is_refused_like_serde_json(json in signals_like(), at in any::<prop::sample::Index>(), b in any::<u8>()) {
        let mut bytes = json.into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = b;
        if let Ok(text) = std::str::from_utf8(&bytes) {
            agrees_with_serde_json(text);
        }
    }

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        assert_outcome(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn any_json_is_ok_and_valid_or_a_named_error(json in json_value()) {
        assert_outcome(&json);
    }

    #[test]
    fn signals_like_json_is_ok_and_valid_or_a_named_error(json in signals_like()) {
        assert_outcome(&json);
    }
}

#[test]
fn untrusted_keyboard_events_are_read_from_n_uk() {
    let s = decode_signals_str(r#"{"v":1,"dur":1,"n":{"u":3,"uk":2,"later":9}}"#).expect("valid");
    assert_eq!((s.n.u, s.n.uk), (3, 2));
    let s = decode_signals_str(r#"{"v":1,"dur":1,"n":{"u":3}}"#).expect("valid");
    assert_eq!(s.n.uk, 0, "a sender that does not count it");
}
