//! Challenges: the step-up shown when a verdict is borderline. A challenge
//! is a small task (click the target, or join dots in order) whose real
//! purpose is to record behaviour while a person solves it: the answer is in
//! the instruction, and only the behaviour decides (see `api::challenge`).
//! This module makes puzzles and holds the record kept in the store.

use ring::rand::SystemRandom;
use serde::{Deserialize, Serialize};

use crate::keys::random_id;

/// Failed attempts a challenge allows (contract).
pub const MAX_ATTEMPTS: u8 = 3;
/// Base62 characters after `ch_`.
const ID_LEN: usize = 22;
/// Labels for click targets: distinct, common, easy to name for a screen
/// reader (each has an accessible name in the snippet).
pub const EMOJI: [&str; 10] = ["🎯", "🌿", "🍎", "🚗", "⭐", "🐟", "🎈", "🔑", "🌙", "🎵"];

/// What the client shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Puzzle {
    ClickTargets {
        instruction: String,
        /// (id, x %, y %, label)
        targets: Vec<(String, u8, u8, String)>,
        answer: String,
    },
    Pattern {
        instruction: String,
        sequence: Vec<u8>,
        answer: String,
    },
}

impl Puzzle {
    pub fn kind(&self) -> &'static str {
        match self {
            Puzzle::ClickTargets { .. } => "click_targets",
            Puzzle::Pattern { .. } => "pattern",
        }
    }

    /// Whether `given` solves the puzzle (surrounding space ignored).
    pub fn is_answer(&self, given: &str) -> bool {
        let answer = match self {
            Puzzle::ClickTargets { answer, .. } | Puzzle::Pattern { answer, .. } => answer,
        };
        given.trim() == answer
    }
}

/// What the store keeps about a challenge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChallengeRecord {
    pub id: String,
    pub account: String,
    /// The key that created it: only that key may answer it.
    pub key_id: String,
    pub user_hash: [u8; 32],
    pub puzzle: Puzzle,
    /// Unix milliseconds.
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

pub fn new_id(rng: &SystemRandom) -> String {
    random_id(rng, "ch_", ID_LEN)
}

/// A random puzzle of either kind. Positions and sequences need not be
/// secret (the instruction states the answer), so `fastrand` is enough.
pub fn random_puzzle(rng: &mut fastrand::Rng) -> Puzzle {
    if rng.bool() {
        click_targets(rng)
    } else {
        pattern(rng)
    }
}

fn click_targets(rng: &mut fastrand::Rng) -> Puzzle {
    let n = rng.usize(4..=6);
    let mut labels = EMOJI;
    rng.shuffle(&mut labels);
    let mut spots: Vec<(u8, u8)> = Vec::with_capacity(n);
    // Rejection-sample positions at least 20 % apart inside the frame, so
    // targets never overlap.
    let mut tries = 0;
    while spots.len() < n {
        tries += 1;
        let (x, y) = (rng.u8(10..=90), rng.u8(15..=85));
        let far = spots
            .iter()
            .all(|&(a, b)| (i32::from(a) - i32::from(x)).pow(2) + (i32::from(b) - i32::from(y)).pow(2) >= 400);
        // Six points always fit; the bound only makes termination obvious.
        if far || tries > 10_000 {
            spots.push((x, y));
        }
    }
    let targets: Vec<_> = spots
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| (format!("t{i}"), x, y, labels[i].to_string()))
        .collect();
    let pick = rng.usize(0..n);
    Puzzle::ClickTargets {
        instruction: format!("Click the {}", labels[pick]),
        answer: targets[pick].0.clone(),
        targets,
    }
}

fn pattern(rng: &mut fastrand::Rng) -> Puzzle {
    let len = rng.usize(3..=5);
    let mut dots: Vec<u8> = (1..=9).collect();
    rng.shuffle(&mut dots);
    dots.truncate(len);
    let answer = dots.iter().map(u8::to_string).collect::<Vec<_>>().join("-");
    let shown = dots.iter().map(u8::to_string).collect::<Vec<_>>().join(" → ");
    Puzzle::Pattern {
        instruction: format!("Join the dots in this order: {shown}"),
        sequence: dots,
        answer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puzzles_follow_the_contract() {
        let mut rng = fastrand::Rng::with_seed(7);
        let (mut clicks, mut patterns) = (0, 0);
        for _ in 0..500 {
            match random_puzzle(&mut rng) {
                Puzzle::ClickTargets {
                    instruction,
                    targets,
                    answer,
                } => {
                    clicks += 1;
                    assert!((4..=6).contains(&targets.len()));
                    let matching: Vec<_> = targets.iter().filter(|t| instruction.ends_with(&t.3)).collect();
                    assert_eq!(matching.len(), 1, "exactly one target matches {instruction}");
                    assert_eq!(matching[0].0, answer);
                    assert!(targets
                        .iter()
                        .all(|t| (0..=100).contains(&t.1) && (0..=100).contains(&t.2)));
                }
                Puzzle::Pattern { sequence, answer, .. } => {
                    patterns += 1;
                    assert!((3..=5).contains(&sequence.len()));
                    assert!(sequence.iter().all(|d| (1..=9).contains(d)));
                    let mut s = sequence.clone();
                    s.sort();
                    s.dedup();
                    assert_eq!(s.len(), sequence.len(), "dots are distinct");
                    assert_eq!(answer.split('-').count(), sequence.len());
                }
            }
        }
        assert!(
            clicks > 150 && patterns > 150,
            "both kinds are chosen: {clicks} {patterns}"
        );
    }

    #[test]
    fn answers_are_exact() {
        let p = Puzzle::Pattern {
            instruction: String::new(),
            sequence: vec![1, 5, 9],
            answer: "1-5-9".into(),
        };
        assert!(p.is_answer("1-5-9"));
        assert!(p.is_answer(" 1-5-9 "));
        assert!(!p.is_answer("1-5"));
        assert!(!p.is_answer("9-5-1"));
    }
}
