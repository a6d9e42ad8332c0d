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
    /// Of `u`, the untrusted keyboard and input events (`n.uk`, our
    /// extension of signals v1; 0 from senders that do not count it).
    pub uk: u32,
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
    /// Our extension: the snippet saw the user agent rewritten by its
    /// driver (`navigator.userAgentData` brands missing, or not those of
    /// its high-entropy full-version list).
    pub ua_spoofed: Option<bool>,
}

/// Longest `env.host` accepted: the DNS limit for a hostname.
pub const HOST_MAX: usize = 253;

/// Largest value accepted for the small `env` counters (`plugins`,
/// `languages`, `touch_points`): real browsers report single digits, and a
/// bound keeps feature arithmetic trivially safe.
pub const ENV_COUNT_MAX: u32 = 65_535;

/// How far past `dur` an event time may lie: the snippet stamps `dur` and
/// events from two clocks read a moment apart.
pub const TIME_SLACK_MS: f64 = 1000.0;

/// The six event arrays, so that rules and messages can be written once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Array {
    M,
    C,
    K,
    S,
    T,
    F,
}

/// A broken rule of `signals.md`, found by [`Signals::validate`]. Indexes
/// are positions in the flat number array, so they match what the client sent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Violation {
    /// `dur` is negative or not finite.
    Duration(f64),
    /// A number that is NaN or infinite.
    NotFinite { array: Array, index: usize },
    /// Length is not a multiple of the stride.
    Stride { array: Array, len: usize },
    /// More rows than the cap.
    TooLong { array: Array, len: usize },
    /// A time below zero.
    NegativeTime { array: Array, index: usize, value: f64 },
    /// A time after `dur + TIME_SLACK_MS`.
    TimeAfterEnd {
        array: Array,
        index: usize,
        value: f64,
        limit: f64,
    },
    /// A time earlier than the one in the row before.
    TimeDecreasing {
        array: Array,
        index: usize,
        value: f64,
        prev: f64,
    },
}

impl Array {
    pub const ALL: [Array; 6] = [Array::M, Array::C, Array::K, Array::S, Array::T, Array::F];

    /// The JSON key of this array.
    pub fn name(self) -> &'static str {
        match self {
            Array::M => "m",
            Array::C => "c",
            Array::K => "k",
            Array::S => "s",
            Array::T => "t",
            Array::F => "f",
        }
    }

    pub fn stride(self) -> usize {
        match self {
            Array::M => M_STRIDE,
            Array::C => C_STRIDE,
            Array::K => K_STRIDE,
            Array::S => S_STRIDE,
            Array::T => T_STRIDE,
            Array::F => F_STRIDE,
        }
    }

    /// Most rows (events) the array may hold.
    pub fn cap(self) -> usize {
        match self {
            Array::M => M_CAP,
            Array::C => C_CAP,
            Array::K => K_CAP,
            Array::S => S_CAP,
            Array::T => T_CAP,
            Array::F => F_CAP,
        }
    }

    /// Most numbers the array may hold.
    pub fn max_len(self) -> usize {
        self.stride() * self.cap()
    }

    /// The columns of one row, for messages that tell a client what to send.
    pub fn columns(self) -> &'static str {
        match self {
            Array::M => "t, x, y",
            Array::C => "t, x, y, hold, flags",
            Array::K => "t, hold, class",
            Array::S => "t, dy, source",
            Array::T => "t, x, y, phase",
            Array::F => "t, state",
        }
    }

    /// What one row is, in words (plural).
    pub fn events(self) -> &'static str {
        match self {
            Array::M => "pointer moves",
            Array::C => "clicks",
            Array::K => "key presses",
            Array::S => "scrolls",
            Array::T => "touches",
            Array::F => "focus changes",
        }
    }
}

impl Signals {
    pub fn array(&self, a: Array) -> &[f64] {
        match a {
            Array::M => &self.m,
            Array::C => &self.c,
            Array::K => &self.k,
            Array::S => &self.s,
            Array::T => &self.t,
            Array::F => &self.f,
        }
    }

    pub fn array_mut(&mut self, a: Array) -> &mut Vec<f64> {
        match a {
            Array::M => &mut self.m,
            Array::C => &mut self.c,
            Array::K => &mut self.k,
            Array::S => &mut self.s,
            Array::T => &mut self.t,
            Array::F => &mut self.f,
        }
    }

    /// True when the window holds no event at all (a user who only read).
    pub fn is_empty(&self) -> bool {
        Array::ALL.iter().all(|a| self.array(*a).is_empty())
    }

    /// Checks every rule of `signals.md` that does not depend on JSON; the
    /// first violation found is returned. The kernel may assume these hold.
    pub fn validate(&self) -> Result<(), Violation> {
        if !self.dur.is_finite() || self.dur < 0.0 {
            return Err(Violation::Duration(self.dur));
        }
        let limit = self.dur + TIME_SLACK_MS;
        for array in Array::ALL {
            let xs = self.array(array);
            // A branch-free pass first (it vectorises); the position only
            // when there is something to report.
            if !xs.iter().fold(true, |ok, x| ok & x.is_finite()) {
                let index = xs.iter().position(|x| !x.is_finite()).unwrap_or(0);
                return Err(Violation::NotFinite { array, index });
            }
            if xs.len() % array.stride() != 0 {
                return Err(Violation::Stride { array, len: xs.len() });
            }
            if xs.len() > array.max_len() {
                return Err(Violation::TooLong { array, len: xs.len() });
            }
            let mut prev = 0.0;
            for (row, xs) in xs.chunks_exact(array.stride()).enumerate() {
                let (index, value) = (row * array.stride(), xs[0]);
                if value < 0.0 {
                    return Err(Violation::NegativeTime { array, index, value });
                }
                if value > limit {
                    return Err(Violation::TimeAfterEnd {
                        array,
                        index,
                        value,
                        limit,
                    });
                }
                if value < prev {
                    return Err(Violation::TimeDecreasing {
                        array,
                        index,
                        value,
                        prev,
                    });
                }
                prev = value;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: Signals, expected: Result<(), Violation>) {
        assert_eq!(s.validate(), expected, "{s:?}");
    }

    #[test]
    fn rules() {
        let base = || Signals {
            dur: 1000.0,
            ..Signals::default()
        };
        check(base(), Ok(()));
        check(Signals { dur: -1.0, ..base() }, Err(Violation::Duration(-1.0)));
        check(
            Signals {
                m: vec![0.0, 1.0],
                ..base()
            },
            Err(Violation::Stride {
                array: Array::M,
                len: 2,
            }),
        );
        check(
            Signals {
                k: vec![5.0, 1.0, 0.0, 4.0, 1.0, 0.0],
                ..base()
            },
            Err(Violation::TimeDecreasing {
                array: Array::K,
                index: 3,
                value: 4.0,
                prev: 5.0,
            }),
        );
        check(
            Signals {
                f: vec![2000.5, 1.0],
                ..base()
            },
            Err(Violation::TimeAfterEnd {
                array: Array::F,
                index: 0,
                value: 2000.5,
                limit: 2000.0,
            }),
        );
        check(
            Signals {
                f: vec![2000.0, 1.0],
                ..base()
            },
            Ok(()),
        );
        check(
            Signals {
                s: vec![-0.5, 1.0, 0.0],
                ..base()
            },
            Err(Violation::NegativeTime {
                array: Array::S,
                index: 0,
                value: -0.5,
            }),
        );
        check(
            Signals {
                t: vec![0.0, f64::NAN, 0.0, 0.0],
                ..base()
            },
            Err(Violation::NotFinite {
                array: Array::T,
                index: 1,
            }),
        );
        check(
            Signals {
                f: vec![0.0; F_STRIDE * (F_CAP + 1)],
                ..base()
            },
            Err(Violation::TooLong {
                array: Array::F,
                len: F_STRIDE * (F_CAP + 1),
            }),
        );
    }
}
