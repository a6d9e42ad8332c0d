//! Decoding `sessionData` (signals v1, `shared/spec/signals.md`) from JSON
//! into [`Signals`], with an error that names the offending field.
//!
//! The decoder is a hand-written serde visitor: numbers stream straight into
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

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::signals::{Array, Counts, Env, Signals, Violation, ENV_COUNT_MAX, HOST_MAX};

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

/// Decodes an already-delimited `sessionData` value (the request envelope
/// keeps it as a `RawValue`). The caller treats `null` as absent.
pub fn decode_signals(raw: &RawValue) -> Result<Signals, SignalsError> {
    decode_signals_str(raw.get())
}

/// Decodes `sessionData` from JSON text.
pub fn decode_signals_str(json: &str) -> Result<Signals, SignalsError> {
    let mut slot = None;
    let mut de = serde_json::Deserializer::from_str(json);
    // Every number takes at least two bytes (a digit and a comma), so no
    // array of this text can hold more than this many: reserving that (or
    // the cap, if less) on an array's first number means it never grows.
    let bound = json.len() / 2 + 1;
    let decoded = SignalsSeed { slot: &mut slot, bound }
        .deserialize(&mut de)
        .and_then(|s| de.end().map(|()| s));
    let signals = match decoded {
        Ok(s) => s,
        Err(e) => return Err(json_error(e, slot)),
    };
    match signals.validate() {
        Ok(()) => Ok(signals),
        Err(v) => Err(violation_error(v)),
    }
}

const ROOT: &str = "sessionData";

/// Prefers the error the visitor recorded (it knows the field), unless the
/// text itself is not JSON, in which case no field path is meaningful.
fn json_error(e: serde_json::Error, slot: Option<SignalsError>) -> SignalsError {
    use serde_json::error::Category;
    match (e.classify(), slot) {
        (Category::Data, Some(recorded)) => recorded,
        (Category::Syntax | Category::Eof | Category::Io, _) => SignalsError {
            field: ROOT.into(),
            message: format!("{ROOT} is not valid JSON: {e}."),
        },
        (Category::Data, None) => SignalsError {
            field: ROOT.into(),
            message: format!("{ROOT} must be a signals v1 object ({{\"v\": 1, \"dur\": ..., ...}}): {e}."),
        },
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

/// Records a field-specific error for [`json_error`] and returns a serde
/// error to unwind the parser with.
fn fail<E: de::Error>(slot: &mut Option<SignalsError>, field: String, message: String) -> E {
    let e = E::custom(&message);
    *slot = Some(SignalsError { field, message });
    e
}

/// Passes a nested result through; when it failed without saying why (the
/// value had the wrong JSON type), records `field` with `what`.
fn or_type_error<T, E: de::Error>(
    r: Result<T, E>,
    slot: &mut Option<SignalsError>,
    field: impl FnOnce() -> String,
    what: impl FnOnce() -> String,
) -> Result<T, E> {
    if r.is_err() && slot.is_none() {
        let field = field();
        let message = format!("{field} {}.", what());
        *slot = Some(SignalsError { field, message });
    }
    r
}

struct SignalsSeed<'a> {
    slot: &'a mut Option<SignalsError>,
    /// Most numbers any array of the text can hold.
    bound: usize,
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

/// Turns an object key into a `Key` without allocating (escaped keys arrive
/// as an owned `String` and are matched the same way).
struct KeyOf<T>(fn(&str) -> T);

impl<'de, T> DeserializeSeed<'de> for KeyOf<T> {
    type Value = T;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_str(self)
    }
}

impl<T> Visitor<'_> for KeyOf<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.0)(v))
    }
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

impl<'de> DeserializeSeed<'de> for SignalsSeed<'_> {
    type Value = Signals;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Signals, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SignalsSeed<'_> {
    type Value = Signals;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a signals v1 object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Signals, A::Error> {
        let slot = self.slot;
        let bound = self.bound;
        let mut s = Signals::default();
        let mut seen = [false; 10];
        while let Some(key) = map.next_key_seed(KeyOf(top_key))? {
            let index = match key {
                Key::V => 0,
                Key::Dur => 1,
                Key::Arr(a) => 2 + a as usize,
                Key::N => 8,
                Key::Env => 9,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let name = match key {
                Key::V => "v",
                Key::Dur => "dur",
                Key::Arr(a) => a.name(),
                Key::N => "n",
                _ => "env",
            };
            // Built only when needed: the happy path allocates nothing here.
            let field = || format!("{ROOT}.{name}");
            if std::mem::replace(&mut seen[index], true) {
                let message = format!("{} appears more than once; send it once.", field());
                return Err(fail(slot, field(), message));
            }
            match key {
                Key::V => match map.next_value::<Option<f64>>() {
                    Ok(Some(1.0)) => {}
                    Ok(Some(v)) => {
                        let message =
                            format!("{ROOT}.v must be 1 (the only signals version this server reads); got {v}.");
                        return Err(fail(slot, field(), message));
                    }
                    _ => return Err(fail(slot, field(), format!("{ROOT}.v must be the number 1."))),
                },
                Key::Dur => match map.next_value::<Option<f64>>() {
                    // Range is checked by `validate`; here only the type.
                    Ok(Some(d)) => s.dur = d,
                    _ => {
                        let message = format!("{ROOT}.dur must be a number of milliseconds ≥ 0.");
                        return Err(fail(slot, field(), message));
                    }
                },
                Key::Arr(array) => {
                    let out = s.array_mut(array);
                    let r = map.next_value_seed(ArraySeed {
                        array,
                        out,
                        bound,
                        slot: &mut *slot,
                    });
                    or_type_error(r, slot, field, || {
                        format!(
                            "must be a flat array of numbers, {} per row ({})",
                            array.stride(),
                            array.columns()
                        )
                    })?;
                }
                Key::N => {
                    let r = map.next_value_seed(Nullable(CountsSeed { slot: &mut *slot }));
                    if let Some(n) = or_type_error(r, slot, field, || "must be an object of counts".into())? {
                        s.n = n;
                    }
                }
                _ => {
                    let r = map.next_value_seed(Nullable(EnvSeed { slot: &mut *slot }));
                    if let Some(env) = or_type_error(r, slot, field, || "must be an object".into())? {
                        s.env = env;
                    }
                }
            }
        }
        if !seen[0] {
            return Err(fail(
                slot,
                format!("{ROOT}.v"),
                format!("{ROOT}.v is required and must be 1."),
            ));
        }
        if !seen[1] {
            let message = format!("{ROOT}.dur is required: the milliseconds the window covers.");
            return Err(fail(slot, format!("{ROOT}.dur"), message));
        }
        Ok(s)
    }
}

/// `null` or the inner seed's value.
struct Nullable<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

/// Streams one flat number array into its `Vec`, refusing it as soon as it
/// would pass the cap.
struct ArraySeed<'a> {
    array: Array,
    out: &'a mut Vec<f64>,
    bound: usize,
    slot: &'a mut Option<SignalsError>,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of numbers")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let max = self.array.max_len();
        loop {
            let index = self.out.len();
            let next = match seq.next_element::<f64>() {
                Ok(n) => n,
                Err(e) => {
                    let field = format!("{ROOT}.{}[{index}]", self.array.name());
                    let message = format!("{field} must be a finite number ({}).", self.array.columns());
                    *self.slot = Some(SignalsError { field, message });
                    return Err(e);
                }
            };
            let Some(x) = next else { return Ok(()) };
            if index == max {
                let (field, message) = too_long(self.array);
                return Err(fail(self.slot, field, message));
            }
            if index == self.out.capacity() {
                // Once, on the first number: as many as the text can hold,
                // never past the cap (the bound on memory is the cap).
                // Doubling is only a fallback should the bound be wrong.
                let want = if index == 0 { self.bound } else { index * 2 }.clamp(1, max);
                self.out.reserve_exact(want - index);
            }
            self.out.push(x);
        }
    }
}

/// The `n` object: totals per kind, non-negative integers.
struct CountsSeed<'a> {
    slot: &'a mut Option<SignalsError>,
}

impl<'de> DeserializeSeed<'de> for CountsSeed<'_> {
    type Value = Counts;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Counts, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CountsSeed<'_> {
    type Value = Counts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of counts")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Counts, A::Error> {
        let mut n = Counts::default();
        while let Some(k) = map.next_key_seed(KeyOf(count_key))? {
            let Some((name, dst)) = (match k {
                0 => Some(("m", &mut n.m)),
                1 => Some(("mc", &mut n.mc)),
                2 => Some(("c", &mut n.c)),
                3 => Some(("k", &mut n.k)),
                4 => Some(("s", &mut n.s)),
                5 => Some(("t", &mut n.t)),
                6 => Some(("u", &mut n.u)),
                _ => None,
            }) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            match map.next_value::<Option<u32>>() {
                Ok(v) => *dst = v.unwrap_or(0),
                Err(_) => {
                    let field = format!("{ROOT}.n.{name}");
                    let message = format!("{field} must be a whole number from 0 to {}.", u32::MAX);
                    return Err(fail(self.slot, field, message));
                }
            }
        }
        Ok(n)
    }
}

fn count_key(k: &str) -> u8 {
    match k {
        "m" => 0,
        "mc" => 1,
        "c" => 2,
        "k" => 3,
        "s" => 4,
        "t" => 5,
        "u" => 6,
        _ => 7,
    }
}

/// The `env` object; every field optional.
struct EnvSeed<'a> {
    slot: &'a mut Option<SignalsError>,
}

impl<'de> DeserializeSeed<'de> for EnvSeed<'_> {
    type Value = Env;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Env, D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(Clone, Copy)]
enum EnvKey {
    Host,
    Flag(u8),
    Count(u8),
    Pair(u8),
    Dpr,
    Other,
}

fn env_key(k: &str) -> EnvKey {
    match k {
        "host" => EnvKey::Host,
        "webdriver" => EnvKey::Flag(0),
        "cdp" => EnvKey::Flag(1),
        "headless_ua" => EnvKey::Flag(2),
        "chrome_obj" => EnvKey::Flag(3),
        "plugins" => EnvKey::Count(0),
        "languages" => EnvKey::Count(1),
        "touch_points" => EnvKey::Count(2),
        "screen" => EnvKey::Pair(0),
        "outer" => EnvKey::Pair(1),
        "inner" => EnvKey::Pair(2),
        "dpr" => EnvKey::Dpr,
        _ => EnvKey::Other,
    }
}

impl<'de> Visitor<'de> for EnvSeed<'_> {
    type Value = Env;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an env object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Env, A::Error> {
        let slot = self.slot;
        let mut env = Env::default();
        while let Some(k) = map.next_key_seed(KeyOf(env_key))? {
            match k {
                EnvKey::Host => {
                    let field = || format!("{ROOT}.env.host");
                    match map.next_value::<Option<String>>() {
                        Ok(Some(h)) if h.len() > HOST_MAX => {
                            let message = format!("{} must be a hostname of at most {HOST_MAX} bytes.", field());
                            return Err(fail(slot, field(), message));
                        }
                        Ok(h) => env.host = h,
                        Err(_) => {
                            let message = format!("{} must be a string (location.hostname).", field());
                            return Err(fail(slot, field(), message));
                        }
                    }
                }
                EnvKey::Flag(i) => {
                    let (name, dst) = match i {
                        0 => ("webdriver", &mut env.webdriver),
                        1 => ("cdp", &mut env.cdp),
                        2 => ("headless_ua", &mut env.headless_ua),
                        _ => ("chrome_obj", &mut env.chrome_obj),
                    };
                    match map.next_value::<Option<bool>>() {
                        Ok(v) => *dst = v,
                        Err(_) => {
                            let field = format!("{ROOT}.env.{name}");
                            let message = format!("{field} must be true or false.");
                            return Err(fail(slot, field, message));
                        }
                    }
                }
                EnvKey::Count(i) => {
                    let (name, dst) = match i {
                        0 => ("plugins", &mut env.plugins),
                        1 => ("languages", &mut env.languages),
                        _ => ("touch_points", &mut env.touch_points),
                    };
                    match map.next_value::<Option<u32>>() {
                        Ok(v) if v.is_none_or(|v| v <= ENV_COUNT_MAX) => *dst = v,
                        _ => {
                            let field = format!("{ROOT}.env.{name}");
                            let message = format!("{field} must be a whole number from 0 to {ENV_COUNT_MAX}.");
                            return Err(fail(slot, field, message));
                        }
                    }
                }
                EnvKey::Pair(i) => {
                    let (name, dst) = match i {
                        0 => ("screen", &mut env.screen),
                        1 => ("outer", &mut env.outer),
                        _ => ("inner", &mut env.inner),
                    };
                    match map.next_value::<Option<[f64; 2]>>() {
                        Ok(v) if v.is_none_or(|p| p.iter().all(|x| x.is_finite() && *x >= 0.0)) => *dst = v,
                        _ => {
                            let field = format!("{ROOT}.env.{name}");
                            let message = format!("{field} must be a pair [width, height] of numbers ≥ 0.");
                            return Err(fail(slot, field, message));
                        }
                    }
                }
                EnvKey::Dpr => match map.next_value::<Option<f64>>() {
                    Ok(v) if v.is_none_or(|d| d.is_finite() && d > 0.0) => env.dpr = v,
                    _ => {
                        let field = format!("{ROOT}.env.dpr");
                        let message = format!("{field} must be a number > 0 (window.devicePixelRatio).");
                        return Err(fail(slot, field, message));
                    }
                },
                EnvKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

#[cfg(test)]
mod tests;
