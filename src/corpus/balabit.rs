//! Balabit Mouse Dynamics Challenge: remote-desktop mouse sessions, all
//! human, one folder per user (the person unit).
//!
//! Assumptions: client timestamps (s) are used and windows start at 0;
//! moves are kept as recorded (~100 ms RDP sampling, 0 ms gaps included, no
//! 60 Hz thinning or interpolation); Drag rows count as moves; a click is a
//! Pressed row paired with the next Released row in the same window (hold is
//! real here); non-left buttons get the secondary flag; scroll rows become
//! wheel scrolls of ±100 px. No `env`, no coalesced counts.

use std::path::Path;

use super::{sorted_entries, Class, Window, WINDOW_MS};
use crate::signals::{Counts, Signals};

/// Converts one session CSV into 10 s windows (client timestamp → ms).
pub fn windows(csv: &str) -> Vec<Signals> {
    let mut out = Vec::new();
    let mut w = Signals {
        dur: WINDOW_MS,
        ..Signals::default()
    };
    let mut start = 0.0;
    let mut press: Option<(f64, f64, f64, f64)> = None;
    for line in csv.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() < 6 {
            continue;
        }
        let (Ok(ts), Ok(x), Ok(y)) = (cols[1].parse::<f64>(), cols[4].parse::<f64>(), cols[5].parse::<f64>()) else {
            continue;
        };
        let ms = ts * 1000.0;
        while ms >= start + WINDOW_MS {
            if !w.is_empty() {
                out.push(std::mem::replace(
                    &mut w,
                    Signals {
                        dur: WINDOW_MS,
                        ..Signals::default()
                    },
                ));
            }
            start += WINDOW_MS;
            press = None;
        }
        let t = (ms - start).max(0.0);
        match (cols[2], cols[3]) {
            (_, "Move" | "Drag") if w.m.len() < 3 * 1024 => w.m.extend([t, x, y]),
            ("Scroll", dir) if w.s.len() < 3 * 256 => w.s.extend([t, if dir == "Down" { 100.0 } else { -100.0 }, 0.0]),
            (button, "Pressed") => press = Some((t, x, y, if button == "Left" { 1.0 } else { 3.0 })),
            (_, "Released") => {
                if let Some((pt, px, py, flags)) = press.take() {
                    if w.c.len() < 5 * 128 {
                        w.c.extend([pt, px, py, t - pt, flags]);
                    }
                }
            }
            _ => {}
        }
        w.n = Counts {
            m: (w.m.len() / 3) as u32,
            c: (w.c.len() / 5) as u32,
            s: (w.s.len() / 3) as u32,
            ..Counts::default()
        };
    }
    if !w.is_empty() {
        out.push(w);
    }
    out
}

/// All windows under `root` (`balabit/`): person = user folder. `limit`
/// caps the sessions read per user.
pub fn load(root: &Path, limit: Option<usize>) -> std::io::Result<Vec<Window>> {
    let mut out = Vec::new();
    for user in sorted_entries(root).into_iter().filter(|p| p.is_dir()) {
        let person = user.file_name().unwrap_or_default().to_string_lossy().into_owned();
        for session in sorted_entries(&user).into_iter().take(limit.unwrap_or(usize::MAX)) {
            let csv = std::fs::read_to_string(&session)?;
            for signals in windows(&csv) {
                out.push(Window {
                    dataset: "balabit",
                    family: "human".into(),
                    person: person.clone(),
                    class: Class::Human,
                    signals,
                });
            }
        }
    }
    Ok(out)
}
