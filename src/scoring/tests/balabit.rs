//! False positives on real people: Balabit remote-desktop mouse sessions
//! (~100 ms sampling), cut into 10 s windows of signals v1, must score
//! human. The recordings live beside the checkout (`../shared/data`) and are
//! never copied into the repository; without them the test says so and passes.

use std::path::Path;

use crate::corpus::balabit::windows;
use crate::scoring::{profile_distance, score, Profile, PROFILE_SHIFT_THRESHOLD};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/balabit");
/// Sessions read per user: enough windows for a rate, fast in debug builds.
const SESSIONS_PER_USER: usize = 6;

#[test]
fn balabit_people_score_human() {
    let root = Path::new(DATA);
    if !root.is_dir() {
        println!("skipped: {DATA} is missing (the recordings sit beside the checkout in CI)");
        return;
    }
    let mut users: Vec<_> = std::fs::read_dir(root).unwrap().flatten().map(|e| e.path()).collect();
    users.sort();
    let (mut total, mut human) = (0usize, 0usize);
    let mut worst: Vec<(f32, String)> = Vec::new();
    let mut profiles: Vec<(usize, Profile)> = Vec::new();
    for (u, user) in users.iter().enumerate() {
        let mut sessions: Vec<_> = std::fs::read_dir(user).unwrap().flatten().map(|e| e.path()).collect();
        sessions.sort();
        for session in sessions.iter().take(SESSIONS_PER_USER) {
            let csv = std::fs::read_to_string(session).unwrap();
            for (i, w) in windows(&csv).iter().enumerate() {
                assert_eq!(w.validate(), Ok(()), "{}", session.display());
                let v = score(w);
                total += 1;
                human += (v.confidence >= 0.5) as usize;
                if v.confidence < 0.5 {
                    let notes: Vec<_> = v.notes.iter().map(|l| l.as_str()).collect();
                    worst.push((v.confidence, format!("{} #{i} {notes:?}", session.display())));
                }
                if w.m.len() >= 3 * 30 {
                    profiles.push((u, v.profile));
                }
            }
        }
    }
    let rate = human as f64 / total.max(1) as f64;
    println!("balabit: {human}/{total} windows score human ({:.1} %)", rate * 100.0);
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (c, what) in worst.iter().take(5) {
        println!("  {c:.2} {what}");
    }
    profile_spread(&profiles);
    assert!(total >= 100, "too few windows: {total}");
    assert!(
        rate >= 0.95,
        "only {:.1} % of real people's windows scored human",
        rate * 100.0
    );
}

/// Prints how far apart windows of the same and of different people are,
/// and how often the same person would be flagged as a shift.
fn profile_spread(profiles: &[(usize, Profile)]) {
    let (mut same, mut diff) = (Vec::new(), Vec::new());
    for (i, (ua, a)) in profiles.iter().enumerate() {
        for (ub, b) in profiles.iter().skip(i + 1).step_by(7) {
            if let Some(d) = profile_distance(a, b) {
                if ua == ub {
                    same.push(d)
                } else {
                    diff.push(d)
                }
            }
        }
    }
    let median = |v: &mut Vec<f32>| {
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let pct = |v: &[f32], p: f64| v.get(((v.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0.0);
    let over = |v: &[f32]| v.iter().filter(|d| **d > PROFILE_SHIFT_THRESHOLD).count() as f64 / v.len().max(1) as f64;
    let (os, od) = (over(&same), over(&diff));
    let (ms, md) = (median(&mut same), median(&mut diff));
    println!(
        "profiles: same person median {ms:.3} p95 {:.3} ({:.1} % over threshold), different people median {md:.3} p95 {:.3} ({:.1} % over)",
        pct(&same, 0.95),
        os * 100.0,
        pct(&diff, 0.95),
        od * 100.0
    );
}
