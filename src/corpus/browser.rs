//! Bot sessions recorded in real headless Chromium by `bots/generate.mjs`
//! (Playwright, Puppeteer and Selenium in several styles, see
//! `bots/README.md`): one JSONL line per session, whose `sessionData` is what
//! the snippet had recorded just before the submit click.
//!
//! Nothing is assumed: the windows are decoded with the server's own decoder
//! ([`decode_signals_str`]), so a line the server would refuse is refused
//! here too. Dataset `chromium`, family `<framework>_<style>`, person
//! `<framework>_<style>_<seed>` (one session, one window), class Bot.

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{sorted_entries, Class, Window};
use crate::wire::signals::decode_signals_str;

/// The dataset name of these windows.
pub const DATASET: &str = "chromium";

#[derive(Deserialize)]
struct Line<'a> {
    framework: &'a str,
    style: &'a str,
    seed: u64,
    #[serde(borrow, rename = "sessionData")]
    session_data: &'a RawValue,
}

/// One JSONL line as a window; `Err` says why the line was refused.
pub fn parse_line(line: &str) -> Result<Window, String> {
    let l: Line = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let signals = decode_signals_str(l.session_data.get()).map_err(|e| format!("{}: {e}", e.field))?;
    let family = format!("{}_{}", l.framework, l.style);
    Ok(Window {
        dataset: DATASET,
        person: format!("{family}_{}", l.seed),
        family,
        class: Class::Bot,
        signals,
    })
}

/// Every window of the `*.jsonl` files in `dir` (`bots/corpus`). Lines that
/// do not decode are skipped and counted in the second value.
pub fn load(dir: &Path) -> std::io::Result<(Vec<Window>, usize)> {
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not a folder", dir.display()),
        ));
    }
    let (mut out, mut refused) = (Vec::new(), 0);
    for path in sorted_entries(dir) {
        if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
            continue;
        }
        for line in std::fs::read_to_string(&path)?.lines().filter(|l| !l.trim().is_empty()) {
            match parse_line(line) {
                Ok(w) => out.push(w),
                Err(_) => refused += 1,
            }
        }
    }
    Ok((out, refused))
}
