//! Recordings in a plain event CSV, for measuring the kernel on data that
//! is not in `../shared/data` (`huma-eval --people NAME=FILE` for people,
//! `--bot-recordings NAME=FILE` for bots). `docs/held-out/` converts
//! published datasets to it.
//!
//! One event per line, `person,t,event,x,y`, a header line optional:
//! `person` any text without a comma (the unit that is never split), `t` in
//! ms (any origin, non-decreasing within a person), `event` one of `move`,
//! `down`, `up` or `click` (a press with no release recorded), `x`, `y` in
//! CSS px; or `tap`, a finger's press at `x`, `y` (click flag bit 4, held
//! [`ASSUMED_HOLD_MS`]: a phone's recordings keep only the mouse events it
//! makes after the finger lifted, pressed and released at once); or `key`,
//! a key press at `t` with `x` its hold in ms (0–60,000)
//! and `y` its signals v1 class (0 printable, 1 backspace/delete, 2
//! navigation or modifier, 3 enter/tab, 4 paste); or `scroll`, the page
//! scrolled at `t` by `x` px (signed, not 0) from source `y` (0 wheel, 1
//! touch, 2 keyboard, 3 other: signals v1's `s`). Lines that do not parse
//! are counted and skipped.
//!
//! Assumptions: a `down` is held until the next `up` of the same person (at
//! most 3 s; [`ASSUMED_HOLD_MS`] when none follows, and for `click`);
//! presses are trusted, never centred; windows start at a person's first
//! event. No `env`, no coalesced counts.

use std::collections::BTreeMap;
use std::path::Path;

use super::{cut, Class, Event, Window, ASSUMED_HOLD_MS, FLAG_TOUCH, FLAG_TRUSTED};
use crate::signals::Env;

/// Longest press paired with its release; a longer one is a drag or a lost
/// `up`, and gets [`ASSUMED_HOLD_MS`].
const MAX_HOLD_MS: f64 = 3000.0;
/// Longest key hold read: a key held down for a minute is still a person
/// leaning on it (auto-repeat is not a new press).
const MAX_KEY_HOLD_MS: f64 = 60_000.0;

/// The parsed file: events per person, and how many lines were skipped.
pub struct Parsed {
    pub persons: BTreeMap<String, Vec<Event>>,
    pub skipped: usize,
}

/// Parses the CSV text (see the module docs).
pub fn parse(text: &str) -> Parsed {
    // Per person: its events, and the index of a press awaiting its release.
    let mut persons: BTreeMap<String, (Vec<Event>, Option<usize>)> = BTreeMap::new();
    let mut skipped = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (i == 0 && line.starts_with("person")) {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let num = |k: usize| {
            cols.get(k)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        let (Some(t), Some(x), Some(y)) = (num(1), num(3), num(4)) else {
            skipped += 1;
            continue;
        };
        let (events, open) = persons.entry(cols[0].to_string()).or_default();
        match cols[2] {
            "move" => events.push(Event::Move { t, x, y }),
            "down" | "click" => {
                *open = (cols[2] == "down").then_some(events.len());
                events.push(Event::Click {
                    t,
                    x,
                    y,
                    hold: ASSUMED_HOLD_MS,
                    flags: FLAG_TRUSTED,
                });
            }
            "tap" => events.push(Event::Click {
                t,
                x,
                y,
                hold: ASSUMED_HOLD_MS,
                flags: FLAG_TRUSTED + FLAG_TOUCH,
            }),
            "key" if (0.0..=MAX_KEY_HOLD_MS).contains(&x) && [0.0, 1.0, 2.0, 3.0, 4.0].contains(&y) => {
                events.push(Event::Key { t, hold: x, class: y });
            }
            "scroll" if x != 0.0 && [0.0, 1.0, 2.0, 3.0].contains(&y) => {
                events.push(Event::Scroll { t, dy: x, source: y });
            }
            "up" => {
                if let Some(Event::Click { t: t0, hold, .. }) = open.take().and_then(|k| events.get_mut(k)) {
                    if (0.0..=MAX_HOLD_MS).contains(&(t - *t0)) {
                        *hold = t - *t0;
                    }
                }
            }
            _ => skipped += 1,
        }
    }
    Parsed {
        persons: persons.into_iter().map(|(p, (e, _))| (p, e)).collect(),
        skipped,
    }
}

/// Every window of the file, all of class human (the caller may relabel),
/// under `dataset`/`family`.
pub fn load(path: &Path, dataset: &'static str, family: &str) -> std::io::Result<(Vec<Window>, usize)> {
    let parsed = parse(&std::fs::read_to_string(path)?);
    let mut out = Vec::new();
    for (person, events) in &parsed.persons {
        for signals in cut(events, None, &Env::default()) {
            out.push(Window {
                dataset,
                family: family.to_string(),
                person: person.clone(),
                class: Class::Human,
                signals,
            });
        }
    }
    Ok((out, parsed.skipped))
}
