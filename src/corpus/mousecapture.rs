//! Slider-CAPTCHA drag trajectories (label 1 human, 0 machine); each
//! trajectory is one drag and its own person unit.
//!
//! Assumptions: `x,y,t` samples in widget px and ms; the drag is one press
//! at the first sample, held until the last (hold = drag duration, trusted,
//! not centred) plus the moves, thinned to 60 Hz like the snippet; rows whose
//! time goes backwards are dropped; windows start at the first sample (most
//! drags fit in one). No `env`, no coalesced counts.

use std::path::Path;

use super::{cut, Class, Event, Window, FLAG_TRUSTED};
use crate::signals::{Env, Signals};

/// One parsed line: id, windows, class.
pub fn parse_line(line: &str) -> Option<(String, Vec<Signals>, Class)> {
    let mut cols = line.split_whitespace();
    let id = cols.next()?.to_string();
    let samples = cols.next()?;
    let _target = cols.next()?;
    let class = match cols.next()? {
        "1" => Class::Human,
        "0" => Class::Bot,
        _ => return None,
    };
    let mut pts: Vec<(f64, f64, f64)> = Vec::new();
    for s in samples.split(';') {
        let mut it = s.split(',').map(|v| v.trim().parse::<f64>());
        if let (Some(Ok(x)), Some(Ok(y)), Some(Ok(t))) = (it.next(), it.next(), it.next()) {
            if pts.last().is_none_or(|p| t >= p.2) {
                pts.push((x, y, t));
            }
        }
    }
    let (first, last) = (*pts.first()?, *pts.last()?);
    let mut events = Vec::with_capacity(pts.len() + 1);
    events.push(Event::Click {
        t: first.2,
        x: first.0,
        y: first.1,
        hold: last.2 - first.2,
        flags: FLAG_TRUSTED,
    });
    events.extend(pts.iter().map(|&(x, y, t)| Event::Move { t, x, y }));
    Some((id, cut(&events, None, &Env::default()), class))
}

/// All windows of `trajectories.txt`. `limit` caps the trajectories read.
pub fn load(path: &Path, limit: Option<usize>) -> std::io::Result<Vec<Window>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for line in text.lines().take(limit.unwrap_or(usize::MAX)) {
        let Some((id, ws, class)) = parse_line(line) else {
            continue;
        };
        for signals in ws {
            out.push(Window {
                dataset: "mousecapture",
                family: if class == Class::Human { "human" } else { "machine" }.into(),
                person: id.clone(),
                class,
                signals,
            });
        }
    }
    Ok(out)
}
