//! Evaluation of the current scoring kernel on the recordings in
//! `../shared/data` and on synthetic bot families.
//!
//! `cargo run --release --bin huma-eval -- [--data ../shared/data] [--bots bots/corpus] [--json out.json] [--people NAME=FILE] [--phone-people NAME=FILE] [--bot-recordings NAME=FILE]`
//!
//! A window is called human when `confidence >= 0.5`; a bot window is caught
//! when it is not called human or `agent.is_agent` is set. Persons are the
//! units the loaders define (Balabit user, Iliou session file, mousecapture
//! trajectory, synthetic session).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use huma::corpus::{self, synth, Class, Window};
use huma::scoring::{score, Label, Verdict};
use huma::signals::Env;
use serde_json::{json, Value};

#[derive(Parser)]
#[command(about = "Measure the scoring kernel on recorded people, recorded bots and synthetic bot families")]
struct Args {
    /// Folder with balabit/, iliou/, mousecapture/.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Write the metrics as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Synthetic windows per family and env.
    #[arg(long, default_value_t = 1000)]
    synth: usize,
    /// Seed of the synthetic generators.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder of bot sessions recorded in Chromium (`bots/generate.mjs`).
    #[arg(long, default_value = "bots/corpus")]
    bots: PathBuf,
    /// Recordings of other people, as NAME=FILE in the event CSV of
    /// `huma::corpus::events_csv` (repeatable): printed as their own table,
    /// a column of DEGRADED HUMAN TRACES and a TAKEOVER block of their own,
    /// in no other figure.
    #[arg(long = "people", value_name = "NAME=FILE")]
    people: Vec<String>,
    /// Recordings of people on phones, as NAME=FILE in the same event CSV
    /// (repeatable): their windows carry a phone's env (touch points) and
    /// are printed with the held-out people as recorded ("phone") and, to
    /// show what the touch points change, with a desktop's ("desktop").
    #[arg(long = "phone-people", value_name = "NAME=FILE")]
    phone_people: Vec<String>,
    /// Recordings of bots made elsewhere, as NAME=FILE in the same event
    /// CSV (repeatable): printed as rows of their own under BOTS, in no
    /// other figure.
    #[arg(long = "bot-recordings", value_name = "NAME=FILE")]
    bot_recordings: Vec<String>,
}

/// One scored window, reduced to what the tables need.
struct Scored {
    person: String,
    confidence: f32,
    called_human: bool,
    agent: bool,
    notes: Vec<Label>,
}

fn scored(w: &Window, env: Option<&Env>) -> Scored {
    let v: Verdict = match env {
        Some(e) => {
            let mut s = w.signals.clone();
            s.env = e.clone();
            score(&s)
        }
        None => score(&w.signals),
    };
    Scored {
        person: w.person.clone(),
        confidence: v.confidence,
        called_human: v.confidence >= 0.5,
        agent: v.agent.is_agent,
        notes: {
            // Some labels are both a note and an agent signal: count them once.
            let mut all = v.notes;
            v.agent.signals.iter().for_each(|l| all.insert(l));
            all.iter().collect()
        },
    }
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        f64::NAN
    } else {
        100.0 * n as f64 / d as f64
    }
}

/// The most frequent labels among `rows`, as "label share%".
fn top_notes<'a>(rows: impl Iterator<Item = &'a Scored>) -> String {
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let mut n = 0;
    for r in rows {
        n += 1;
        for l in &r.notes {
            *counts.entry(l.as_str()).or_default() += 1;
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.iter()
        .take(3)
        .map(|(l, c)| format!("{l} {:.0}%", pct(*c, n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Mann–Whitney AUC: probability a human window has a higher confidence
/// than a bot window (ties count half).
fn auc(humans: &[f32], bots: &[f32]) -> f64 {
    if humans.is_empty() || bots.is_empty() {
        return f64::NAN;
    }
    let mut all: Vec<(f32, bool)> = humans
        .iter()
        .map(|c| (*c, true))
        .chain(bots.iter().map(|c| (*c, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0; // ranks i+1..=j
        rank_sum += avg * all[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    let (nh, nb) = (humans.len() as f64, bots.len() as f64);
    (rank_sum - nh * (nh + 1.0) / 2.0) / (nh * nb)
}

fn median(xs: &[f32]) -> f32 {
    let mut v = xs.to_vec();
    v.sort_by(f32::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f32::NAN)
}

/// Recordings made elsewhere (`--people`, `--phone-people` or
/// `--bot-recordings`, NAME=FILE),
/// all files' windows, of `class`, each file its own family under `dataset`.
fn load_recordings(flag: &str, specs: &[String], dataset: &'static str, class: Class) -> Vec<Window> {
    let mut out = Vec::new();
    for spec in specs {
        let (name, file) = spec.split_once('=').unwrap_or(("recorded", spec.as_str()));
        match corpus::events_csv::load(std::path::Path::new(file), dataset, name) {
            Ok((windows, skipped)) => {
                if skipped > 0 {
                    eprintln!("warning: --{flag} {spec}: {skipped} lines skipped");
                }
                out.extend(windows.into_iter().map(|w| Window { class, ..w }));
            }
            Err(e) => eprintln!("warning: --{flag} {spec} not loaded: {e}"),
        }
    }
    out
}

/// The held-out people per file, with no env and with a clean desktop
/// env, in the HUMANS columns.
fn held_out_people(windows: &[Window], clean: &Env) -> Value {
    println!(
        "\nHELD-OUT PEOPLE (--people; in no other figure but DEGRADED HUMAN TRACES and a TAKEOVER block of their own)"
    );
    let mut groups: BTreeMap<&str, Vec<&Window>> = BTreeMap::new();
    for w in windows {
        groups.entry(w.family.as_str()).or_default().push(w);
    }
    let mut rows = Vec::new();
    for (name, ws) in groups {
        let phone = ws.iter().any(|w| w.signals.env.touch_points.is_some_and(|p| p > 0));
        let envs = if phone {
            [("phone", None), ("desktop", Some(clean))]
        } else {
            [("none", None), ("clean", Some(clean))]
        };
        for (env_name, env) in envs {
            let scored: Vec<Scored> = ws.iter().map(|w| scored(w, env)).collect();
            rows.push(human_row("held_out", name, env_name, &scored));
        }
    }
    Value::Array(rows)
}

/// What a phone's browser reports (Chrome on Android): touch points, a
/// phone's screen, no plugins. The env of `--phone-people` windows.
fn phone_env() -> Env {
    Env {
        touch_points: Some(5),
        plugins: Some(0),
        screen: Some([412.0, 915.0]),
        outer: Some([412.0, 915.0]),
        inner: Some([412.0, 780.0]),
        dpr: Some(2.625),
        ua_spoofed: None,
        ..synth::clean_env()
    }
}

/// Prints one HUMANS row and returns it as JSON.
fn human_row(dataset: &str, family: &str, env: &str, rows: &[Scored]) -> Value {
    let persons: HashSet<_> = rows.iter().map(|r| r.person.as_str()).collect();
    let hit: HashSet<_> = rows
        .iter()
        .filter(|r| !r.called_human)
        .map(|r| r.person.as_str())
        .collect();
    let human = rows.iter().filter(|r| r.called_human).count();
    let agent = rows.iter().filter(|r| r.agent).count();
    let conf: Vec<f32> = rows.iter().map(|r| r.confidence).collect();
    let notes = top_notes(rows.iter().filter(|r| !r.called_human));
    println!(
        "{dataset:<13} {family:<7} {env:<6} {:>7} {:>7} {:>9.2} {:>12.1} {:>8.2} {:>7.3}  {notes}",
        rows.len(),
        persons.len(),
        pct(human, rows.len()),
        pct(hit.len(), persons.len()),
        pct(agent, rows.len()),
        median(&conf)
    );
    json!({
        "dataset": dataset, "family": family, "env": env,
        "windows": rows.len(), "persons": persons.len(),
        "windows_called_human_pct": pct(human, rows.len()),
        "persons_with_bot_window_pct": pct(hit.len(), persons.len()),
        "agent_flag_pct": pct(agent, rows.len()),
        "median_confidence": median(&conf),
        "top_notes_on_errors": notes,
    })
}

/// Prints one BOTS row and returns it as JSON.
fn bot_row(dataset: &str, family: &str, env: &str, rows: &[Scored]) -> Value {
    let caught = |r: &&Scored| !r.called_human || r.agent;
    let persons: HashSet<_> = rows.iter().map(|r| r.person.as_str()).collect();
    let hit: HashSet<_> = rows.iter().filter(caught).map(|r| r.person.as_str()).collect();
    let n_caught = rows.iter().filter(caught).count();
    let low = rows.iter().filter(|r| !r.called_human).count();
    let agent = rows.iter().filter(|r| r.agent).count();
    let conf: Vec<f32> = rows.iter().map(|r| r.confidence).collect();
    let notes = top_notes(rows.iter().filter(|r| !caught(r)));
    println!(
        "{dataset:<13} {family:<22} {env:<9} {:>7} {:>7} {:>8.2} {:>9.2} {:>8.2} {:>12.1} {:>7.3}  {notes}",
        rows.len(),
        persons.len(),
        pct(n_caught, rows.len()),
        pct(low, rows.len()),
        pct(agent, rows.len()),
        pct(hit.len(), persons.len()),
        median(&conf)
    );
    json!({
        "dataset": dataset, "family": family, "env": env,
        "windows": rows.len(), "persons": persons.len(),
        "caught_pct": pct(n_caught, rows.len()),
        "confidence_below_half_pct": pct(low, rows.len()),
        "agent_flag_pct": pct(agent, rows.len()),
        "persons_with_caught_window_pct": pct(hit.len(), persons.len()),
        "median_confidence": median(&conf),
        "top_notes_on_misses": notes,
    })
}

fn main() {
    let args = Args::parse();
    let started = Instant::now();
    let mut recorded = Vec::new();
    for (name, res) in [
        ("balabit", corpus::balabit::load(&args.data.join("balabit"), None)),
        ("iliou", corpus::iliou::load(&args.data.join("iliou"), None)),
        (
            "mousecapture",
            corpus::mousecapture::load(&args.data.join("mousecapture/trajectories.txt"), None),
        ),
    ] {
        match res {
            Ok(ws) => recorded.extend(ws),
            Err(e) => eprintln!("warning: {name} not loaded from {}: {e}", args.data.display()),
        }
    }
    for w in &recorded {
        if let Err(v) = w.signals.validate() {
            eprintln!("warning: invalid window {} {} {}: {v:?}", w.dataset, w.family, w.person);
        }
    }
    // Replays are made of browser-recorded people (Iliou), else any person.
    let mut sources: Vec<_> = recorded
        .iter()
        .filter(|w| w.class == Class::Human && w.dataset == "iliou" && w.signals.m.len() >= 3 * 20)
        .map(|w| &w.signals)
        .collect();
    if sources.is_empty() {
        sources = recorded
            .iter()
            .filter(|w| w.class == Class::Human && w.signals.m.len() >= 3 * 20)
            .map(|w| &w.signals)
            .collect();
    }
    let synthetic = synth::windows(args.synth, args.seed, &sources);
    let loaded = started.elapsed();

    let clean = synth::clean_env();
    let mut metrics = serde_json::Map::new();

    // Groups keyed by (dataset, family, env label), in a stable order.
    let mut groups: BTreeMap<(String, String, String), (Class, Vec<Scored>)> = BTreeMap::new();
    for w in &recorded {
        for (env_name, env) in [("none", None), ("clean", Some(&clean))] {
            groups
                .entry((w.dataset.to_string(), w.family.clone(), env_name.to_string()))
                .or_insert_with(|| (w.class, Vec::new()))
                .1
                .push(scored(w, env));
        }
    }
    for w in &synthetic {
        let (family, env_name) = w.family.split_once('/').unwrap_or((&w.family, ""));
        groups
            .entry((w.dataset.to_string(), family.to_string(), env_name.to_string()))
            .or_insert_with(|| (w.class, Vec::new()))
            .1
            .push(scored(w, None));
    }

    println!(
        "huma-eval: data {}, synthetic {} windows per family and env, seed {}",
        args.data.display(),
        args.synth,
        args.seed
    );
    println!("called human = confidence >= 0.5; caught = not called human or agent.is_agent\n");

    println!("HUMANS");
    println!(
        "{:<13} {:<7} {:<6} {:>7} {:>7} {:>9} {:>12} {:>8} {:>7}  notes on windows called bot",
        "dataset", "family", "env", "windows", "persons", "human %", "persons hit%", "agent %", "median"
    );
    let mut human_rows = Vec::new();
    for ((dataset, family, env), (class, rows)) in &groups {
        if *class == Class::Human {
            human_rows.push(human_row(dataset, family, env, rows));
        }
    }
    metrics.insert("humans".into(), Value::Array(human_rows));
    let mut held_out = load_recordings("people", &args.people, "held_out", Class::Human);
    held_out.extend(
        load_recordings("phone-people", &args.phone_people, "held_out", Class::Human)
            .into_iter()
            .map(|mut w| {
                w.signals.env = phone_env();
                w
            }),
    );
    if !held_out.is_empty() {
        metrics.insert("held_out_people".into(), held_out_people(&held_out, &clean));
    }

    println!("\nBOTS");
    println!(
        "{:<13} {:<22} {:<9} {:>7} {:>7} {:>8} {:>9} {:>8} {:>12} {:>7}  notes on missed windows",
        "dataset", "family", "env", "windows", "persons", "caught%", "conf<.5%", "agent %", "persons hit%", "median"
    );
    let mut bot_rows = Vec::new();
    for ((dataset, family, env), (class, rows)) in &groups {
        if *class == Class::Bot {
            bot_rows.push(bot_row(dataset, family, env, rows));
        }
    }
    let recorded_elsewhere = load_recordings("bot-recordings", &args.bot_recordings, "held_out_bot", Class::Bot);
    let mut families: BTreeMap<&str, Vec<&Window>> = BTreeMap::new();
    for w in &recorded_elsewhere {
        families.entry(w.family.as_str()).or_default().push(w);
    }
    for (family, ws) in families {
        for (env_name, env) in [("none", None), ("clean", Some(&clean))] {
            let rows: Vec<Scored> = ws.iter().map(|w| scored(w, env)).collect();
            bot_rows.push(bot_row("held_out_bot", family, env_name, &rows));
        }
    }
    metrics.insert("bots".into(), Value::Array(bot_rows));
    // A plan without the agent block (starter) shows only `human`: an
    // agent-flagged window that is still called human passes there.
    let flagged: Vec<&Scored> = groups.values().flat_map(|(_, rows)| rows).filter(|r| r.agent).collect();
    let passing = flagged.iter().filter(|r| r.called_human).count();
    println!(
        "  agent-flagged windows still called human (what a plan without the agent block lets through): {passing} of {} (every dataset, family and env above)",
        flagged.len()
    );
    metrics.insert(
        "agent_flagged_called_human".into(),
        json!({"windows": passing, "of_agent_flagged": flagged.len()}),
    );

    // ROC AUC of confidence, humans (positive) vs bots.
    let conf = |pred: &dyn Fn(&str, &str, &str, Class) -> bool| -> Vec<f32> {
        groups
            .iter()
            .filter(|((d, f, e), (c, _))| pred(d, f, e, *c))
            .flat_map(|(_, (_, rows))| rows.iter().map(|r| r.confidence))
            .collect()
    };
    let humans_none = conf(&|_, _, e, c| c == Class::Human && e == "none");
    let mut aucs: Vec<(String, f64)> = vec![
        (
            "all humans (no env) vs recorded bots (no env) + synthetic clean_env".into(),
            auc(
                &humans_none,
                &conf(&|d, _, e, c| c == Class::Bot && (e == "none" || (d == "synth" && e == "clean_env"))),
            ),
        ),
        (
            "all humans (no env) vs recorded bots (no env) + synthetic bot_env".into(),
            auc(
                &humans_none,
                &conf(&|d, _, e, c| c == Class::Bot && (e == "none" || (d == "synth" && e == "bot_env"))),
            ),
        ),
        (
            "all humans (clean env) vs recorded bots (clean env) + synthetic clean_env".into(),
            auc(
                &conf(&|_, _, e, c| c == Class::Human && e == "clean"),
                &conf(&|_, _, e, c| c == Class::Bot && (e == "clean" || e == "clean_env")),
            ),
        ),
    ];
    let iliou_h = conf(&|d, _, e, c| d == "iliou" && c == Class::Human && e == "none");
    for fam in ["moderate_bot", "advanced_bot"] {
        aucs.push((
            format!("iliou human vs iliou {fam} (no env)"),
            auc(&iliou_h, &conf(&|d, f, e, _| d == "iliou" && f == fam && e == "none")),
        ));
    }
    aucs.push((
        "iliou human vs iliou moderate+advanced (no env)".into(),
        auc(
            &iliou_h,
            &conf(&|d, _, e, c| d == "iliou" && c == Class::Bot && e == "none"),
        ),
    ));
    aucs.push((
        "mousecapture human vs machine (no env)".into(),
        auc(
            &conf(&|d, _, e, c| d == "mousecapture" && c == Class::Human && e == "none"),
            &conf(&|d, _, e, c| d == "mousecapture" && c == Class::Bot && e == "none"),
        ),
    ));
    let synth_clean = conf(&|d, _, e, _| d == "synth" && e == "clean_env");
    for ds in ["balabit", "iliou", "mousecapture"] {
        aucs.push((
            format!("{ds} human (no env) vs all synthetic clean_env"),
            auc(
                &conf(&|d, _, e, c| d == ds && c == Class::Human && e == "none"),
                &synth_clean,
            ),
        ));
    }
    for fam in synth::Family::ALL {
        aucs.push((
            format!("all humans (no env) vs synthetic {} clean_env", fam.name()),
            auc(
                &humans_none,
                &conf(&|d, f, e, _| d == "synth" && f == fam.name() && e == "clean_env"),
            ),
        ));
    }
    println!("\nROC AUC (confidence; humans positive)");
    for (name, a) in &aucs {
        println!("  {a:>6.4}  {name}");
    }
    metrics.insert(
        "auc".into(),
        Value::Object(aucs.iter().map(|(n, a)| (n.clone(), json!(a))).collect()),
    );
    metrics.insert(
        "config".into(),
        json!({"data": args.data.display().to_string(), "synth_per_family": args.synth, "seed": args.seed}),
    );

    metrics.insert("replay".into(), replay_section(&recorded, &sources, args.seed));
    metrics.insert(
        "replay_sketch".into(),
        sketch_section(&recorded, &held_out, &sources, args.seed),
    );
    metrics.insert("chromium".into(), chromium_section(&args.bots));
    metrics.insert(
        "takeover".into(),
        takeover_section("TAKEOVER PROFILE", &recorded, &synthetic),
    );
    if !held_out.is_empty() {
        metrics.insert(
            "takeover_held_out".into(),
            takeover_section("TAKEOVER PROFILE, HELD-OUT PEOPLE", &held_out, &synthetic),
        );
    }
    metrics.insert(
        "degraded_traces".into(),
        degraded_section(&recorded, &held_out, args.seed),
    );

    println!(
        "\n{} recorded + {} synthetic windows; loaded in {:.1} s, total {:.1} s",
        recorded.len(),
        synthetic.len(),
        loaded.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = args.json {
        let text = serde_json::to_string_pretty(&Value::Object(metrics)).expect("metrics serialise");
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
        println!("metrics written to {}", path.display());
    }
}

/// How well the store-side replay check works: a time-shifted copy of a
/// window must have its fingerprint; a copy with noise (the synthetic replay
/// family) is not expected to; no two human windows may share one.
fn replay_section(recorded: &[corpus::Window], sources: &[&huma::signals::Signals], seed: u64) -> Value {
    use huma::scoring::fingerprint::fingerprint;
    use std::collections::HashMap;
    let clean = synth::clean_env();
    let (mut with_fp, mut shifted_match, mut noisy_match) = (0usize, 0usize, 0usize);
    for (i, src) in sources.iter().enumerate() {
        let Some(a) = fingerprint(src) else { continue };
        with_fp += 1;
        let mut shifted = (*src).clone();
        let shift = 1.0 + (i % 400) as f64;
        for (xs, stride) in [
            (&mut shifted.m, 3),
            (&mut shifted.c, 5),
            (&mut shifted.k, 3),
            (&mut shifted.s, 3),
            (&mut shifted.t, 4),
        ] {
            for row in xs.chunks_exact_mut(stride) {
                row[0] += shift;
            }
        }
        shifted.dur += shift;
        if fingerprint(&shifted) == Some(a) {
            shifted_match += 1;
        }
        let noisy = synth::replay(src, seed.wrapping_add(i as u64 * 7919), &clean);
        if fingerprint(&noisy) == Some(a) {
            noisy_match += 1;
        }
    }
    let mut seen: HashMap<u64, (&str, &str)> = HashMap::new();
    let (mut human_fp, mut collisions) = (0usize, 0usize);
    let humans = recorded.iter().filter(|w| w.class == Class::Human).count();
    for w in recorded.iter().filter(|w| w.class == Class::Human) {
        if let Some(fp) = fingerprint(&w.signals) {
            human_fp += 1;
            if seen.insert(fp, (w.dataset, w.person.as_str())).is_some() {
                collisions += 1;
            }
        }
    }
    println!("\nREPLAY FINGERPRINTS (store-side `replayed_signals`)");
    println!(
        "  time-shifted copies caught: {:.2} % of {with_fp} human windows with a fingerprint",
        pct(shifted_match, with_fp)
    );
    println!(
        "  copies with noise (±2 ms, ±1 px; the synthetic replay family) caught by the fingerprint: {:.2} %",
        pct(noisy_match, with_fp)
    );
    println!(
        "  human windows with a fingerprint: {human_fp} of {humans}; sharing one with another window: {collisions}"
    );
    json!({
        "time_shifted_caught_pct": pct(shifted_match, with_fp),
        "noisy_caught_pct": pct(noisy_match, with_fp),
        "sources": with_fp, "human_windows": humans,
        "human_windows_with_fingerprint": human_fp, "human_fingerprint_collisions": collisions,
    })
}

/// A copy of `src` shifted in time, with uniform noise of up to `px`
/// pixels on positions, `ms` on times (order kept) and holds, and times
/// stretched by `stretch` (1 = none).
fn noisy_copy(src: &huma::signals::Signals, seed: u64, px: i32, ms: i32, stretch: f64) -> huma::signals::Signals {
    let mut rng = fastrand::Rng::with_seed(seed);
    let shift = (rng.f64() * 500.0).round();
    let mut s = src.clone();
    let mut noise = |xs: &mut Vec<f64>, stride: usize, pos: bool, hold: Option<usize>| {
        let mut prev = 0.0f64;
        for row in xs.chunks_mut(stride) {
            let t = (row[0] * stretch + shift + rng.i32(-ms..=ms) as f64).max(prev);
            (row[0], prev) = (t, t);
            if pos {
                row[1] += rng.i32(-px..=px) as f64;
                row[2] += rng.i32(-px..=px) as f64;
            }
            if let Some(h) = hold {
                row[h] = (row[h] + rng.i32(-ms..=ms) as f64).max(0.0);
            }
        }
    };
    noise(&mut s.m, 3, true, None);
    noise(&mut s.c, 5, true, Some(3));
    noise(&mut s.k, 3, false, Some(1));
    noise(&mut s.s, 3, false, None);
    noise(&mut s.t, 4, true, None);
    s.dur = src.dur * stretch + shift;
    s
}

/// The noise-tolerant replay check (`fingerprint::sketch`): noisy copies of
/// human windows caught, per noise level; and, the worst case for false
/// matches, every human window of every dataset in one account's store at
/// once: windows with `SKETCH_MATCH` values shared with other windows. The
/// held-out people (`--people`) are in that store too, as rows of their own:
/// they repeat one task on one page layout, as a site's users do.
fn sketch_section(
    recorded: &[corpus::Window],
    held_out: &[corpus::Window],
    sources: &[&huma::signals::Signals],
    seed: u64,
) -> Value {
    use huma::scoring::fingerprint::{sketch, SKETCH_LEN, SKETCH_MATCH};
    println!(
        "\nREPLAY SKETCH (store-side `replayed_signals` for copies with noise; {SKETCH_MATCH} shared values of {} in one half)",
        SKETCH_LEN / 2
    );
    let mut levels = serde_json::Map::new();
    // (name, px, ms, stretch, a sample added 2 s after the last move: what
    // the span-relative slots cannot absorb, the copy's span made longer).
    for (name, px, ms, stretch, tail) in [
        ("±1 px, ±2 ms", 1, 2, 1.0, false),
        ("±2 px, ±5 ms", 2, 5, 1.0, false),
        ("±3 px, ±10 ms", 3, 10, 1.0, false),
        ("±5 px, ±20 ms", 5, 20, 1.0, false),
        ("±1 px, ±2 ms, 3 % slower", 1, 2, 1.03, false),
        ("±2 px, ±5 ms, 10 % slower", 2, 5, 1.10, false),
        ("±1 px, ±2 ms, a move 2 s after the last", 1, 2, 1.0, true),
    ] {
        let (mut with, mut caught) = (0usize, 0usize);
        for (i, src) in sources.iter().enumerate() {
            let Some(a) = sketch(src) else { continue };
            with += 1;
            let mut copy = noisy_copy(src, seed.wrapping_add(i as u64 * 7919), px, ms, stretch);
            if tail {
                if let Some(last) = copy.m.rchunks_exact(3).next().map(|r| [r[0], r[1], r[2]]) {
                    copy.m.extend([last[0] + 2000.0, last[1], last[2]]);
                    copy.dur = copy.dur.max(last[0] + 2000.0);
                }
            }
            let shared = sketch(&copy).map_or(0, |b| {
                b.chunks_exact(SKETCH_LEN / 2)
                    .map(|half| half.iter().filter(|v| a.contains(v)).count())
                    .max()
                    .unwrap_or(0)
            });
            caught += (shared >= SKETCH_MATCH) as usize;
        }
        println!("  copies with {name:<40} caught: {:6.2} % of {with}", pct(caught, with));
        levels.insert(name.into(), json!({"caught_pct": pct(caught, with), "sources": with}));
    }
    let humans: Vec<_> = recorded
        .iter()
        .chain(held_out)
        .filter(|w| w.class == Class::Human)
        .collect();
    let sketches: Vec<_> = humans.iter().map(|w| sketch(&w.signals)).collect();
    // The store keeps, per value, the window that first had it; a window
    // is a replay when SKETCH_MATCH of its values belong to one other window.
    let mut owners: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, sk) in sketches.iter().enumerate() {
        for v in sk.iter().flatten() {
            owners.entry(*v).or_default().push(i);
        }
    }
    // Counted per half, as the store does (each half has its own owner).
    let most_shared = |i: usize, sk: &[u64]| {
        let mut tally: HashMap<(usize, usize), usize> = HashMap::new();
        for (at, v) in sk.iter().enumerate() {
            for j in owners[v].iter().filter(|j| **j != i) {
                *tally.entry((*j, at / (SKETCH_LEN / 2))).or_default() += 1;
            }
        }
        tally.into_values().max().unwrap_or(0)
    };
    let mut per: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut histogram = [0usize; SKETCH_LEN + 1];
    for (i, (w, sk)) in humans.iter().zip(&sketches).enumerate() {
        let row = if w.dataset == "held_out" {
            w.family.as_str()
        } else {
            w.dataset
        };
        let e = per.entry(row).or_default();
        e.0 += 1;
        if let Some(sk) = sk {
            e.1 += 1;
            let shared = most_shared(i, sk);
            e.2 += (shared >= SKETCH_MATCH) as usize;
            histogram[shared.min(SKETCH_LEN)] += 1;
        }
    }
    let mut human = serde_json::Map::new();
    for (d, (n, with, flagged)) in per {
        println!(
            "  {d:<12} human windows flagged as replays, all in one store: {flagged} of {with} with a sketch ({:.3} %; {n} windows)",
            pct(flagged, with)
        );
        human.insert(d.into(), json!({"windows": n, "with_sketch": with, "flagged": flagged}));
    }
    let upto = histogram.iter().rposition(|n| *n > 0).unwrap_or(0);
    println!(
        "  most values a human window shares with any one other window: {}",
        (0..=upto)
            .map(|k| format!("{k}: {}", histogram[k]))
            .collect::<Vec<_>>()
            .join(", ")
    );
    json!({"noisy_copies": levels, "humans_one_store": human, "human_most_shared_histogram": &histogram[..=upto]})
}

/// Bots recorded in real headless Chromium by `bots/generate.mjs`, per
/// framework and style: caught with the `env` the page saw, and with a clean
/// desktop `env` instead (behaviour and input pipeline only).
fn chromium_section(dir: &std::path::Path) -> Value {
    let (windows, refused) = match corpus::browser::load(dir) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("warning: Chromium bot corpus not loaded from {}: {e}", dir.display());
            return Value::Null;
        }
    };
    let clean = synth::clean_env();
    let mut families: BTreeMap<&str, Vec<(Scored, Scored)>> = BTreeMap::new();
    for w in &windows {
        families
            .entry(w.family.as_str())
            .or_default()
            .push((scored(w, None), scored(w, Some(&clean))));
    }
    let caught = |r: &Scored| !r.called_human || r.agent;
    println!(
        "\nCHROMIUM BOTS ({}: {} sessions, {refused} refused by the decoder)",
        dir.display(),
        windows.len()
    );
    println!(
        "{:<24} {:>8} {:>8} {:>8} {:>14} {:>8}  notes on misses (clean env)",
        "family", "sessions", "caught%", "agent %", "clean caught%", "clean ag%"
    );
    let mut rows = Vec::new();
    for (family, pairs) in &families {
        let n = pairs.len();
        let hit = pairs.iter().filter(|p| caught(&p.0)).count();
        let agent = pairs.iter().filter(|p| p.0.agent).count();
        let hit_clean = pairs.iter().filter(|p| caught(&p.1)).count();
        let agent_clean = pairs.iter().filter(|p| p.1.agent).count();
        let notes = top_notes(pairs.iter().map(|p| &p.1).filter(|r| !caught(r)));
        println!(
            "{family:<24} {n:>8} {:>8.1} {:>8.1} {:>14.1} {:>8.1}  {notes}",
            pct(hit, n),
            pct(agent, n),
            pct(hit_clean, n),
            pct(agent_clean, n)
        );
        rows.push(json!({
            "family": family, "sessions": n,
            "caught_pct": pct(hit, n), "agent_flag_pct": pct(agent, n),
            "clean_env_caught_pct": pct(hit_clean, n), "clean_env_agent_flag_pct": pct(agent_clean, n),
            "top_notes_on_clean_env_misses": notes,
        }));
    }
    let flagged = families
        .values()
        .flat_map(|pairs| pairs.iter().flat_map(|p| [&p.0, &p.1]))
        .filter(|r| r.agent);
    let (passing, of) = flagged.fold((0, 0), |(h, n), r| (h + r.called_human as usize, n + 1));
    println!("  agent-flagged sessions still called human (as recorded and clean env): {passing} of {of}");
    json!({"dir": dir.display().to_string(), "refused": refused, "families": rows,
           "agent_flagged_called_human": {"sessions": passing, "of_agent_flagged": of}})
}

/// How well `/session` tells a takeover from the same person carrying on:
/// the distance between a window's profile and another window's, for pairs
/// of one person (should stay under the threshold) against pairs of two
/// people, and against scripted windows (should exceed it).
fn takeover_section(title: &str, recorded: &[corpus::Window], synthetic: &[corpus::Window]) -> Value {
    use huma::scoring::{profile_distance, score, Profile, PROFILE_SHIFT_THRESHOLD};
    use std::collections::HashMap;
    let mut by_person: HashMap<(&str, &str), Vec<Profile>> = HashMap::new();
    for w in recorded
        .iter()
        .filter(|w| w.class == Class::Human && w.dataset != "mousecapture")
    {
        let v = score(&w.signals);
        if v.active {
            by_person
                .entry((w.dataset, w.person.as_str()))
                .or_default()
                .push(v.profile);
        }
    }
    let bots: Vec<Profile> = synthetic
        .iter()
        .filter(|w| w.family.ends_with("clean_env") && !w.family.starts_with("replay"))
        .step_by(7)
        .map(|w| score(&w.signals).profile)
        .collect();
    let mut people: Vec<_> = by_person.into_iter().collect();
    people.sort_by(|a, b| a.0.cmp(&b.0));
    let (mut same, mut other, mut scripted) = (Vec::new(), Vec::new(), Vec::new());
    for (i, ((dataset, _), windows)) in people.iter().enumerate() {
        // At most 40 baselines a person, each against the person's next
        // window, one window of the next person of the same dataset, and a
        // scripted window.
        for (j, base) in windows.iter().take(40).enumerate() {
            if let Some(next) = windows.get(j + 1) {
                same.extend(profile_distance(base, next));
            }
            if let Some((_, theirs)) = people[i + 1..].iter().find(|((d, _), _)| d == dataset) {
                if let Some(o) = theirs.get(j % theirs.len()) {
                    other.extend(profile_distance(base, o));
                }
            }
            if !bots.is_empty() {
                scripted.extend(profile_distance(base, &bots[(i * 40 + j) % bots.len()]));
            }
        }
    }
    let over = |d: &[f32]| pct(d.iter().filter(|x| **x > PROFILE_SHIFT_THRESHOLD).count(), d.len());
    let auc_of = |pos: &[f32], neg: &[f32]| {
        // Same-person pairs are the positives: a smaller distance is "same".
        let p: Vec<f32> = pos.iter().map(|x| -x).collect();
        let n: Vec<f32> = neg.iter().map(|x| -x).collect();
        auc(&p, &n)
    };
    println!("\n{title} (`profile_shift` on /session; threshold {PROFILE_SHIFT_THRESHOLD})");
    println!(
        "  same person, next window:   {:>6} pairs, median distance {:.3}, flagged {:.2} %",
        same.len(),
        median(&same),
        over(&same)
    );
    println!(
        "  another person:             {:>6} pairs, median distance {:.3}, flagged {:.2} %   AUC same-vs-other {:.3}",
        other.len(),
        median(&other),
        over(&other),
        auc_of(&same, &other)
    );
    println!(
        "  a script (synthetic, clean env): {:>6} pairs, median distance {:.3}, flagged {:.2} %   AUC same-vs-script {:.3}",
        scripted.len(),
        median(&scripted),
        over(&scripted),
        auc_of(&same, &scripted)
    );
    print!("  flagged % at other thresholds (same / other / script):");
    for th in [0.2f32, 0.25, 0.3, 0.35] {
        let at = |d: &[f32]| pct(d.iter().filter(|x| **x > th).count(), d.len());
        print!("  {th}: {:.1} / {:.1} / {:.1}", at(&same), at(&other), at(&scripted));
    }
    println!();
    json!({
        "threshold": PROFILE_SHIFT_THRESHOLD,
        "same_person": {"pairs": same.len(), "median": median(&same), "flagged_pct": over(&same)},
        "other_person": {"pairs": other.len(), "median": median(&other), "flagged_pct": over(&other), "auc": auc_of(&same, &other)},
        "script": {"pairs": scripted.len(), "median": median(&scripted), "flagged_pct": over(&scripted), "auc": auc_of(&same, &scripted)},
    })
}

/// People whose traces arrive degraded, as they do for real users: a
/// slower remote desktop or a page whose main thread is busy delivers every
/// second or third pointer sample; pixel noise, timing jitter and zoom. Each
/// human window transformed, then scored without env: the share not called
/// human (the target is the same ≤ 0.1 % as for the recordings as they are).
fn degraded_section(recorded: &[corpus::Window], held_out: &[corpus::Window], seed: u64) -> Value {
    type Transform = fn(&mut huma::signals::Signals, &mut fastrand::Rng);
    fn rows(m: &[f64]) -> Vec<[f64; 3]> {
        m.chunks_exact(3).map(|r| [r[0], r[1], r[2]]).collect()
    }
    fn every(m: &[f64], k: usize) -> Vec<f64> {
        m.chunks_exact(3).step_by(k).flatten().copied().collect()
    }
    let kinds: [(&str, Transform); 7] = [
        ("as recorded", |_, _| {}),
        ("every 2nd pointer sample", |s, _| s.m = every(&s.m, 2)),
        ("every 3rd pointer sample", |s, _| s.m = every(&s.m, 3)),
        ("±1 px noise", |s, r| {
            s.m = rows(&s.m)
                .into_iter()
                .flat_map(|[t, x, y]| [t, x + r.i32(-1..=1) as f64, y + r.i32(-1..=1) as f64])
                .collect()
        }),
        ("±4 ms jitter (order kept)", |s, r| {
            let mut prev = 0.0f64;
            s.m = rows(&s.m)
                .into_iter()
                .flat_map(|[t, x, y]| {
                    prev = (t + r.i32(-4..=4) as f64).max(prev);
                    [prev, x, y]
                })
                .collect()
        }),
        ("coordinates ×2 (zoomed out)", |s, _| {
            s.m = rows(&s.m)
                .into_iter()
                .flat_map(|[t, x, y]| [t, 2.0 * x, 2.0 * y])
                .collect()
        }),
        // A touchpad's tap-to-click (macOS sends the press and the release
        // together when the finger lifts): every click held 0–3 ms.
        ("clicks released at once (tap)", |s, r| {
            for row in s.c.chunks_exact_mut(5) {
                row[3] = r.u32(0..=3) as f64;
            }
        }),
    ];
    println!("\nDEGRADED HUMAN TRACES (each human window transformed, no env; % not called human)");
    let mut datasets = vec!["balabit", "iliou", "mousecapture"];
    if !held_out.is_empty() {
        datasets.push("held_out");
    }
    println!(
        "{:<30}{}",
        "transform",
        datasets.iter().map(|d| format!(" {d:>22}")).collect::<String>()
    );
    let mut out = Vec::new();
    for (name, transform) in kinds {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut line = format!("{name:<30}");
        let mut row = serde_json::Map::new();
        for &ds in &datasets {
            let (mut n, mut hit) = (0usize, 0usize);
            let all = recorded.iter().chain(held_out);
            for w in all.filter(|w| w.class == Class::Human && w.dataset == ds) {
                let mut s = w.signals.clone();
                transform(&mut s, &mut rng);
                s.n.m = s.n.m.min((s.m.len() / 3) as u32);
                if s.validate().is_err() {
                    continue;
                }
                n += 1;
                let v = score(&s);
                hit += (v.confidence < 0.5 || v.agent.is_agent) as usize;
            }
            line += &format!(" {:>8.2} % of {:>7}", pct(hit, n), n);
            row.insert(ds.into(), json!({"windows": n, "not_human_pct": pct(hit, n)}));
        }
        println!("{line}");
        row.insert("transform".into(), json!(name));
        out.push(Value::Object(row));
    }
    Value::Array(out)
}
