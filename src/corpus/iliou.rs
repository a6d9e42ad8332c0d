//! Iliou et al. web bot detection: browser sessions of people, moderate
//! (straight-line Selenium) and advanced (curved, human-like Selenium) bots.
//! No person ids: each session file is its own person.
//!
//! Assumptions: moves come from `mousemove_times` and
//! `mousemove_total_behaviour` (aligned); clicks from `total_behaviour` take
//! the time and position of the move before them (skipped when none), hold
//! [`ASSUMED_HOLD_MS`], trusted, secondary flag for right/middle, never the
//! centred flag (unknown). Windows start at the first move. No `env`, no
//! coalesced counts.

use std::path::Path;

use serde::Deserialize;

use super::{cut, sorted_entries, Class, Event, Window, ASSUMED_HOLD_MS, FLAG_SECONDARY, FLAG_TRUSTED};
use crate::signals::{Env, Signals};

/// The three classes and their labels.
pub const CLASSES: [(&str, Class); 3] = [
    ("human", Class::Human),
    ("moderate_bot", Class::Bot),
    ("advanced_bot", Class::Bot),
];

#[derive(Deserialize)]
struct Session {
    #[serde(default)]
    total_behaviour: String,
    #[serde(default)]
    mousemove_times: String,
    #[serde(default)]
    mousemove_total_behaviour: String,
}

/// Raw events of one session file (JSON text).
pub fn events(json: &str) -> Result<Vec<Event>, serde_json::Error> {
    let s: Session = serde_json::from_str(json)?;
    let times: Vec<f64> = s
        .mousemove_times
        .split(',')
        .filter_map(|x| x.trim().parse().ok())
        .collect();
    let points: Vec<(f64, f64)> = s
        .mousemove_total_behaviour
        .split(']')
        .filter_map(|p| {
            let (x, y) = p.trim_start_matches('[').split_once(',')?;
            Some((x.trim().parse().ok()?, y.trim().parse().ok()?))
        })
        .collect();
    let mut out = Vec::with_capacity(times.len() + 16);
    let mut moves = times.iter().zip(&points);
    let mut last: Option<(f64, f64, f64)> = None;
    // Walk `total_behaviour` for the order of moves and clicks.
    for token in s.total_behaviour.split(']') {
        let token = token.trim_start_matches('[');
        if token.starts_with("m(") {
            if let Some((&t, &(x, y))) = moves.next() {
                out.push(Event::Move { t, x, y });
                last = Some((t, x, y));
            }
        } else if let Some(button) = token.strip_prefix("c(") {
            if let Some((t, x, y)) = last {
                let flags = FLAG_TRUSTED + if button.starts_with('l') { 0.0 } else { FLAG_SECONDARY };
                out.push(Event::Click {
                    t,
                    x,
                    y,
                    hold: ASSUMED_HOLD_MS,
                    flags,
                });
            }
        }
    }
    // Moves not mirrored in `total_behaviour` (should not happen) still count.
    for (&t, &(x, y)) in moves {
        out.push(Event::Move { t, x, y });
    }
    Ok(out)
}

/// Windows of one session file.
pub fn windows(json: &str) -> Result<Vec<Signals>, serde_json::Error> {
    Ok(cut(&events(json)?, None, &Env::default()))
}

/// All windows under `root` (`iliou/`). `limit` caps the sessions per class.
pub fn load(root: &Path, limit: Option<usize>) -> std::io::Result<Vec<Window>> {
    let mut out = Vec::new();
    for (family, class) in CLASSES {
        for file in sorted_entries(&root.join(family))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .take(limit.unwrap_or(usize::MAX))
        {
            let json = std::fs::read_to_string(&file)?;
            let ws = windows(&json).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            let person = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            for signals in ws {
                out.push(Window {
                    dataset: "iliou",
                    family: family.into(),
                    person: person.clone(),
                    class,
                    signals,
                });
            }
        }
    }
    Ok(out)
}
