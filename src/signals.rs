//! Signals v1 (`shared/spec/signals.md`) as typed, validated data: flat
//! numeric arrays with a fixed stride, totals, and what the page saw of the
//! browser. Decoding from JSON lives in `wire/signals.rs`; this module owns
//! the type and its validation rules, and knows nothing of JSON.

/// Stride and cap of each array, from the spec.
pub const M_STRIDE: usize = 3;
pub const M_CAP: usize = 1024;
pub const C_STRIDE: usize = 5;
pub const C_CAP: usize = 128;
pub const K_STRIDE: usize = 3;
pub const K_CAP: usize = 512;
pub const S_STRIDE: usize = 3;
pub const S_CAP: usize = 256;
pub const T_STRIDE: usize = 4;
pub const T_CAP: usize = 512;
pub const F_STRIDE: usize = 2;
pub const F_CAP: usize = 64;

/// One window of behaviour. Arrays hold `stride × n` numbers, row-major.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Signals {
    pub dur: f64,
    /// Pointer moves `t, x, y`.
    pub m: Vec<f64>,
    /// Clicks `t, x, y, hold, flags`.
    pub c: Vec<f64>,
    /// Key presses `t, hold, class`.
    pub k: Vec<f64>,
    /// Scrolls `t, dy, source`.
    pub s: Vec<f64>,
    /// Touches `t, x, y, phase`.
    pub t: Vec<f64>,
    /// Focus changes `t, state`.
    pub f: Vec<f64>,
    pub n: Counts,
    pub env: Env,
}

/// Totals observed per kind (the arrays may be capped).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    pub m: u32,
    pub mc: u32,
    pub c: u32,
    pub k: u32,
    pub s: u32,
    pub t: u32,
    pub u: u32,
}

/// What the page could see of the browser; every field optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Env {
    pub host: Option<String>,
    pub webdriver: Option<bool>,
    pub cdp: Option<bool>,
    pub headless_ua: Option<bool>,
    pub chrome_obj: Option<bool>,
    pub plugins: Option<u32>,
    pub languages: Option<u32>,
    pub touch_points: Option<u32>,
    pub screen: Option<[f64; 2]>,
    pub outer: Option<[f64; 2]>,
    pub inner: Option<[f64; 2]>,
    pub dpr: Option<f64>,
}
