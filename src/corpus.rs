//! Labelled recordings and synthetic bots cut into signals v1 windows, for
//! evaluation and training. Pure file parsing and generation: no network, and
//! nothing here is on the server's request path.
//!
//! Every loader cuts a recording the way the browser snippet would send it:
//! windows of [`WINDOW_MS`], times relative to the window start, moves as
//! integer `t, x, y` sampled at most once per 60 Hz frame (the latest
//! position in a frame wins), clicks as `t, x, y, hold, flags` with the
//! trusted bit set. What a recording does not carry is assumed, and the
//! assumption is named where it is made (see each loader).

use std::path::Path;

use crate::signals::{Counts, Env, Signals, C_CAP, K_CAP, M_CAP, S_CAP};

pub mod balabit;
pub mod browser;
pub mod events_csv;
pub mod iliou;
pub mod mousecapture;
pub mod synth;

#[cfg(test)]
mod tests;

/// Length of one window, as `startSession` would send them.
pub const WINDOW_MS: f64 = 10_000.0;
/// One display frame at 60 Hz: the snippet keeps at most one move per frame.
pub const FRAME_MS: f64 = 1000.0 / 60.0;
/// Click hold used where a recording has no press/release times. A typical
/// human mouse click lasts 80–130 ms; recorded bots get the same value, so
/// the hold carries no information in those datasets.
pub const ASSUMED_HOLD_MS: f64 = 100.0;
/// Click flags: bit 0 trusted (recorded events were real DOM events).
pub const FLAG_TRUSTED: f64 = 1.0;
pub const FLAG_SECONDARY: f64 = 2.0;
pub const FLAG_CENTRED: f64 = 4.0;
/// Bit 4: a finger's or a pen's press (`pointerType` touch or pen).
pub const FLAG_TOUCH: f64 = 16.0;

/// Ground truth of a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    Human,
    Bot,
}

/// One labelled window.
#[derive(Clone, Debug)]
pub struct Window {
    /// `balabit`, `iliou`, `mousecapture`, `synth`.
    pub dataset: &'static str,
    /// Within the dataset: `human`, `moderate_bot`, a synthetic family name…
    pub family: String,
    /// The unit that must not be split: a user, a session file, a trajectory.
    pub person: String,
    pub class: Class,
    pub signals: Signals,
}

/// One raw input event at an absolute time in ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    Move {
        t: f64,
        x: f64,
        y: f64,
    },
    Click {
        t: f64,
        x: f64,
        y: f64,
        hold: f64,
        flags: f64,
    },
    Key {
        t: f64,
        hold: f64,
        class: f64,
    },
    Scroll {
        t: f64,
        dy: f64,
        source: f64,
    },
}

impl Event {
    pub fn t(&self) -> f64 {
        match *self {
            Event::Move { t, .. } | Event::Click { t, .. } | Event::Key { t, .. } | Event::Scroll { t, .. } => t,
        }
    }
}

/// Cuts time-ordered events into windows of [`WINDOW_MS`] starting at
/// `origin` (the first event when `None`). Empty windows are not emitted (the
/// snippet sends them, but they carry nothing to score). Full windows last
/// `WINDOW_MS`; the last one lasts up to its last event. Events whose time goes
/// backwards are dropped. `env` is attached to every window.
pub fn cut(events: &[Event], origin: Option<f64>, env: &Env) -> Vec<Signals> {
    let mut out = Vec::new();
    let Some(first) = events.first() else {
        return out;
    };
    let origin = origin.unwrap_or(first.t());
    let mut index = 0i64;
    let mut w = Signals::default();
    let mut last_frame = -1i64;
    let mut last_t = f64::NEG_INFINITY;
    let flush = |w: &mut Signals, dur: f64, out: &mut Vec<Signals>| {
        if !w.is_empty() {
            let mut s = std::mem::take(w);
            s.dur = dur;
            s.env = env.clone();
            out.push(s);
        } else {
            *w = Signals::default();
        }
    };
    for e in events {
        let abs = e.t();
        if !abs.is_finite() || abs < last_t || abs < origin {
            continue;
        }
        last_t = abs;
        let i = ((abs - origin) / WINDOW_MS).floor() as i64;
        if i != index {
            flush(&mut w, WINDOW_MS, &mut out);
            index = i;
            last_frame = -1;
        }
        let t = (abs - origin - i as f64 * WINDOW_MS).floor();
        match *e {
            Event::Move { x, y, .. } => {
                w.n.m += 1;
                let frame = (t / FRAME_MS).floor() as i64;
                if frame == last_frame && w.m.len() >= 3 {
                    let n = w.m.len();
                    w.m[n - 3..].copy_from_slice(&[t, x.round(), y.round()]);
                } else if w.m.len() < 3 * M_CAP {
                    w.m.extend([t, x.round(), y.round()]);
                    last_frame = frame;
                }
            }
            Event::Click { x, y, hold, flags, .. } => {
                w.n.c += 1;
                if w.c.len() < 5 * C_CAP {
                    w.c.extend([t, x.round(), y.round(), hold.round().max(0.0), flags]);
                }
            }
            Event::Key { hold, class, .. } => {
                w.n.k += 1;
                if w.k.len() < 3 * K_CAP {
                    w.k.extend([t, hold.round().max(0.0), class]);
                }
            }
            Event::Scroll { dy, source, .. } => {
                w.n.s += 1;
                if w.s.len() < 3 * S_CAP {
                    w.s.extend([t, dy.round(), source]);
                }
            }
        }
    }
    let end = last_t - origin - index as f64 * WINDOW_MS;
    flush(&mut w, end.ceil().clamp(1.0, WINDOW_MS), &mut out);
    out
}

/// Sets `n` from the arrays (for windows built without [`cut`]).
pub fn recount(s: &mut Signals) {
    s.n = Counts {
        m: (s.m.len() / 3) as u32,
        mc: 0,
        c: (s.c.len() / 5) as u32,
        k: (s.k.len() / 3) as u32,
        s: (s.s.len() / 3) as u32,
        t: (s.t.len() / 4) as u32,
        u: 0,
        uk: 0,
    };
}

/// Files of a directory, sorted by name; empty when it cannot be read.
pub(crate) fn sorted_entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Every recorded window under `root` (`../shared/data`): Balabit, Iliou
/// and mousecapture. `limit` caps the files (sessions per user, sessions per
/// class, trajectories) read from each, for quick tests.
pub fn load_recorded(root: &Path, limit: Option<usize>) -> std::io::Result<Vec<Window>> {
    let mut out = balabit::load(&root.join("balabit"), limit)?;
    out.extend(iliou::load(&root.join("iliou"), limit)?);
    out.extend(mousecapture::load(&root.join("mousecapture/trajectories.txt"), limit)?);
    Ok(out)
}
