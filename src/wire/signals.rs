//! Decoding `sessionData` (signals v1, `shared/spec/signals.md`) from JSON
//! into [`Signals`], with an error that names the offending field.
//!
//! The decoder reads with `wire::reader` in one pass: numbers stream straight into
//! each array's `Vec<f64>`, which never grows past the array's cap, so a
//! 64 KiB body cannot make it allocate more than the caps allow, and no
//! intermediate `serde_json::Value` is built. Reading stops at the first
//! broken rule. Rules that need no JSON (strides, time order, ranges) live in
//! [`Signals::validate`]; this module only maps them to messages.
//!
//! Unknown fields are ignored (forward compatibility); `null` for an optional
//! field means absent, as JavaScript SDKs tend to send it; a key given twice
//! is an error rather than a silent choice of one.

use std::fmt;

use crate::signals::{Array, Counts, Env, Signals, Violation, ENV_COUNT_MAX, HOST_MAX};
use crate::wire::reader::{Kind, NumbersError, Reader, Syntax};

/// Why `sessionData` was refused: `400 INVALID_SIGNALS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalsError {
    /// Path of the offending field, e.g. `sessionData.m[7]`.
    pub field: String,
    /// A full sentence telling the client what to fix.
    pub message: String,
}

impl fmt::Display for SignalsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SignalsError {}

/// Why decoding stopped inside a larger document: the text is not JSON
/// (the envelope reports that for the whole body), or a field broke a rule.
#[derive(Debug)]
pub(crate) enum Fail {
    Syntax(Syntax),
    Field(SignalsError),
}

impl From<Syntax> for Fail {
    fn from(e: Syntax) -> Self {
        Fail::Syntax(e)
    }
}

/// Decodes `sessionData` from JSON text: the value and nothing after it.
pub fn decode_signals_str(json: &str) -> Result<Signals, SignalsError> {
    let mut r = Reader::new(json.as_bytes());
    let decoded = decode_at(&mut r).and_then(|s| r.end().map(|()| s).map_err(Fail::Syntax));
    match decoded {
        Ok(s) => Ok(s),
        Err(Fail::Field(e)) => Err(e),
        Err(Fail::Syntax(e)) => Err(SignalsError {
            field: ROOT.into(),
            message: format!("{ROOT} is not valid JSON: {}.", e.describe()),
        }),
    }
}

const ROOT: &str = "sessionData";

/// Decodes and validates the `sessionData` value at the reader's position
/// (the caller has dealt with `null`). The reader is left after the value
/// when the value was read whole; after a `Fail::Field`, somewhere inside.
pub(crate) fn decode_at(r: &mut Reader) -> Result<Signals, Fail> {
    let s = object(r)?;
    match s.validate() {
        Ok(()) => Ok(s),
        Err(v) => Err(Fail::Field(violation_error(v))),
    }
}

/// A field error for a value of the wrong type, unless the value is not
/// even JSON (then the syntax error). Call it before reading the value.
fn wrong(r: &mut Reader, field: String, message: String) -> Fail {
    match r.skip() {
        Err(e) => Fail::Syntax(e),
        Ok(()) => Fail::Field(SignalsError { field, message }),
    }
}

fn violation_error(v: Violation) -> SignalsError {
    let at = |a: Array, i: usize| format!("{ROOT}.{}[{i}]", a.name());
    let whole = |a: Array| format!("{ROOT}.{}", a.name());
    let (field, message) = match v {
        Violation::Duration(d) => (
            format!("{ROOT}.dur"),
            format!("{ROOT}.dur must be a number of milliseconds ≥ 0; got {d}."),
        ),
        Violation::NotFinite { array, index } => {
            let f = at(array, index);
            let m = format!("{f} must be a finite number.");
            (f, m)
        }
        Violation::Stride { array, len } => {
            let f = whole(array);
            let m = format!(
                "{f} must have a length that is a multiple of {} ({}); got {len} numbers.",
                array.stride(),
                array.columns()
            );
            (f, m)
        }
        Violation::TooLong { array, .. } => too_long(array),
        Violation::NegativeTime { array, index, value } => {
            let f = at(array, index);
            let m = format!("{f} is a time and must be ≥ 0 ms since the window start; got {value}.");
            (f, m)
        }
        Violation::TimeAfterEnd {
            array,
            index,
            value,
            limit,
        } => {
            let f = at(array, index);
            let m = format!("{f} is a time and must be at most dur + 1000 = {limit} ms; got {value}.");
            (f, m)
        }
        Violation::TimeDecreasing {
            array,
            index,
            value,
            prev,
        } => {
            let f = at(array, index);
            let m = format!("{f} is a time and must not be earlier than the row before ({prev} ms); got {value}.");
            (f, m)
        }
    };
    SignalsError { field, message }
}

fn too_long(array: Array) -> (String, String) {
    let f = format!("{ROOT}.{}", array.name());
    let m = format!(
        "{f} must hold at most {} {} ({} numbers); thin the samples evenly before sending.",
        array.cap(),
        array.events(),
        array.max_len()
    );
    (f, m)
}

/// Top-level keys; anything else is ignored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    V,
    Dur,
    Arr(Array),
    N,
    Env,
    Other,
}

fn top_key(k: &str) -> Key {
    match k {
        "v" => Key::V,
        "dur" => Key::Dur,
        "m" => Key::Arr(Array::M),
        "c" => Key::Arr(Array::C),
        "k" => Key::Arr(Array::K),
        "s" => Key::Arr(Array::S),
        "t" => Key::Arr(Array::T),
        "f" => Key::Arr(Array::F),
        "n" => Key::N,
        "env" => Key::Env,
        _ => Key::Other,
    }
}

fn object(r: &mut Reader) -> Result<Signals, Fail> {
    if r.peek() != Kind::Object {
        let message = format!("{ROOT} must be a signals v1 object ({{\"v\": 1, \"dur\": ..., ...}}).");
        return Err(wrong(r, ROOT.into(), message));
    }
    r.begin_object();
    let mut s = Signals::default();
    let mut seen = [false; 10];
    let mut first = true;
    while let Some(key) = r.next_key(first)? {
        first = false;
        let key = top_key(&key);
        let (index, name) = match key {
            Key::V => (0, "v"),
            Key::Dur => (1, "dur"),
            Key::Arr(a) => (2 + a as usize, a.name()),
            Key::N => (8, "n"),
            Key::Env => (9, "env"),
            Key::Other => {
                r.skip()?;
                continue;
            }
        };
        // Built only when needed: the happy path allocates nothing here.
        let field = || format!("{ROOT}.{name}");
        if std::mem::replace(&mut seen[index], true) {
            let message = format!("{} appears more than once; send it once.", field());
            return Err(Fail::Field(SignalsError {
                field: field(),
                message,
            }));
        }
        match key {
            Key::V => {
                if r.peek() != Kind::Number {
                    return Err(wrong(r, field(), format!("{ROOT}.v must be the number 1.")));
                }
                let v = r.number()?;
                if v != 1.0 {
                    let message = format!("{ROOT}.v must be 1 (the only signals version this server reads); got {v}.");
                    return Err(Fail::Field(SignalsError {
                        field: field(),
                        message,
                    }));
                }
            }
            Key::Dur => {
                if r.peek() != Kind::Number {
                    let message = format!("{ROOT}.dur must be a number of milliseconds ≥ 0.");
                    return Err(wrong(r, field(), message));
                }
                // Range is checked by `validate`; here only the type.
                s.dur = r.number()?;
            }
            Key::Arr(array) => match r.peek() {
                Kind::Null => {
                    r.null()?;
                }
                Kind::Array => {
                    // Every number takes at least two bytes (a digit and a
                    // comma), so the array cannot hold more than this: made
                    // room for once on its first number (never past the
                    // cap, which bounds memory), it never grows.
                    let reserve = (r.len() - r.pos()) / 2 + 1;
                    r.numbers(s.array_mut(array), array.max_len(), reserve)
                        .map_err(|e| numbers_error(e, array))?;
                }
                _ => {
                    let message = format!(
                        "{} must be a flat array of numbers, {} per row ({}).",
                        field(),
                        array.stride(),
                        array.columns()
                    );
                    return Err(wrong(r, field(), message));
                }
            },
            Key::N => match r.peek() {
                Kind::Null => {
                    r.null()?;
                }
                Kind::Object => s.n = counts(r)?,
                _ => return Err(wrong(r, field(), format!("{} must be an object of counts.", field()))),
            },
            _ => match r.peek() {
                Kind::Null => {
                    r.null()?;
                }
                Kind::Object => s.env = env(r)?,
                _ => return Err(wrong(r, field(), format!("{} must be an object.", field()))),
            },
        }
    }
    if !seen[0] {
        let message = format!("{ROOT}.v is required and must be 1.");
        return Err(Fail::Field(SignalsError {
            field: format!("{ROOT}.v"),
            message,
        }));
    }
    if !seen[1] {
        let message = format!("{ROOT}.dur is required: the milliseconds the window covers.");
        return Err(Fail::Field(SignalsError {
            field: format!("{ROOT}.dur"),
            message,
        }));
    }
    Ok(s)
}

fn numbers_error(e: NumbersError, array: Array) -> Fail {
    match e {
        NumbersError::Syntax(e) => Fail::Syntax(e),
        NumbersError::NotANumber(index) => {
            let field = format!("{ROOT}.{}[{index}]", array.name());
            let message = format!("{field} must be a finite number ({}).", array.columns());
            Fail::Field(SignalsError { field, message })
        }
        NumbersError::TooLong => {
            let (field, message) = too_long(array);
            Fail::Field(SignalsError { field, message })
        }
    }
}

/// The number that comes next, if it is whole and in `[0, max]`.
fn whole(r: &mut Reader, max: u32) -> Result<Option<u32>, Syntax> {
    let x = r.number()?;
    Ok((x.fract() == 0.0 && (0.0..=max as f64).contains(&x)).then_some(x as u32))
}

/// The `n` object: totals per kind, non-negative integers.
fn counts(r: &mut Reader) -> Result<Counts, Fail> {
    let mut n = Counts::default();
    r.begin_object();
    let mut first = true;
    while let Some(k) = r.next_key(first)? {
        first = false;
        let (name, dst) = match &*k {
            "m" => ("m", &mut n.m),
            "mc" => ("mc", &mut n.mc),
            "c" => ("c", &mut n.c),
            "k" => ("k", &mut n.k),
            "s" => ("s", &mut n.s),
            "t" => ("t", &mut n.t),
            "u" => ("u", &mut n.u),
            "uk" => ("uk", &mut n.uk),
            _ => {
                r.skip()?;
                continue;
            }
        };
        if r.null()? {
            *dst = 0;
            continue;
        }
        // Built only when needed: the happy path allocates nothing here.
        let field = || format!("{ROOT}.n.{name}");
        let message = || format!("{} must be a whole number from 0 to {}.", field(), u32::MAX);
        if r.peek() != Kind::Number {
            return Err(wrong(r, field(), message()));
        }
        match whole(r, u32::MAX)? {
            Some(v) => *dst = v,
            None => {
                return Err(Fail::Field(SignalsError {
                    field: field(),
                    message: message(),
                }))
            }
        }
    }
    Ok(n)
}

/// The `env` object; every field optional, `null` meaning absent.
fn env(r: &mut Reader) -> Result<Env, Fail> {
    let mut env = Env::default();
    r.begin_object();
    let mut first = true;
    while let Some(k) = r.next_key(first)? {
        first = false;
        let name: &'static str = match &*k {
            "host" => "host",
            "webdriver" => "webdriver",
            "cdp" => "cdp",
            "headless_ua" => "headless_ua",
            "chrome_obj" => "chrome_obj",
            "plugins" => "plugins",
            "languages" => "languages",
            "touch_points" => "touch_points",
            "screen" => "screen",
            "outer" => "outer",
            "inner" => "inner",
            "dpr" => "dpr",
            "ua_spoofed" => "ua_spoofed",
            _ => {
                r.skip()?;
                continue;
            }
        };
        let is_null = r.null()?;
        let field = || format!("{ROOT}.env.{name}");
        // Before reading: the value is skipped so that broken JSON is
        // reported as such; after reading: the rule it broke.
        let refuse = |r: &mut Reader, what: &str| wrong(r, field(), format!("{} must be {what}.", field()));
        let broke = |what: &str| {
            Fail::Field(SignalsError {
                field: field(),
                message: format!("{} must be {what}.", field()),
            })
        };
        match name {
            "host" => {
                env.host = None;
                if is_null {
                    continue;
                }
                if r.peek() != Kind::String {
                    return Err(refuse(r, "a string (location.hostname)"));
                }
                let h = r.string()?;
                if h.len() > HOST_MAX {
                    return Err(broke(&format!("a hostname of at most {HOST_MAX} bytes")));
                }
                env.host = Some(h.into_owned());
            }
            "webdriver" | "cdp" | "headless_ua" | "chrome_obj" | "ua_spoofed" => {
                let dst = match name {
                    "webdriver" => &mut env.webdriver,
                    "cdp" => &mut env.cdp,
                    "headless_ua" => &mut env.headless_ua,
                    "ua_spoofed" => &mut env.ua_spoofed,
                    _ => &mut env.chrome_obj,
                };
                *dst = None;
                if is_null {
                    continue;
                }
                if r.peek() != Kind::Bool {
                    return Err(refuse(r, "true or false"));
                }
                *dst = Some(r.boolean()?);
            }
            "plugins" | "languages" | "touch_points" => {
                let dst = match name {
                    "plugins" => &mut env.plugins,
                    "languages" => &mut env.languages,
                    _ => &mut env.touch_points,
                };
                *dst = None;
                if is_null {
                    continue;
                }
                let what = || format!("a whole number from 0 to {ENV_COUNT_MAX}");
                if r.peek() != Kind::Number {
                    return Err(refuse(r, &what()));
                }
                match whole(r, ENV_COUNT_MAX)? {
                    Some(v) => *dst = Some(v),
                    None => return Err(broke(&what())),
                }
            }
            "screen" | "outer" | "inner" => {
                let dst = match name {
                    "screen" => &mut env.screen,
                    "outer" => &mut env.outer,
                    _ => &mut env.inner,
                };
                *dst = None;
                if is_null {
                    continue;
                }
                let what = "a pair [width, height] of numbers ≥ 0";
                if r.peek() != Kind::Array {
                    return Err(refuse(r, what));
                }
                match pair(r)? {
                    Some(p) => *dst = Some(p),
                    None => return Err(broke(what)),
                }
            }
            _ => {
                env.dpr = None;
                if is_null {
                    continue;
                }
                let what = "a number > 0 (window.devicePixelRatio)";
                if r.peek() != Kind::Number {
                    return Err(refuse(r, what));
                }
                match r.number()? {
                    d if d.is_finite() && d > 0.0 => env.dpr = Some(d),
                    _ => return Err(broke(what)),
                }
            }
        }
    }
    Ok(env)
}

/// `[a, b]` of finite numbers ≥ 0, if that is what comes next.
fn pair(r: &mut Reader) -> Result<Option<[f64; 2]>, Syntax> {
    let mut out = [0.0; 2];
    r.begin_array();
    for (i, slot) in out.iter_mut().enumerate() {
        if !r.next_element(i == 0)? || r.peek() != Kind::Number {
            return Ok(None);
        }
        *slot = r.number()?;
    }
    if r.next_element(false)? {
        return Ok(None);
    }
    Ok(out.iter().all(|x| x.is_finite() && *x >= 0.0).then_some(out))
}

#[cfg(test)]
mod tests;
