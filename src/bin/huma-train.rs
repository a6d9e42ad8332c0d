//! Fits the trained part of the scoring model and validates it.
//!
//! `cargo run --release --bin huma-train -- --data ../shared/data [--write src/scoring/weights.rs]`
//!
//! Humans: Balabit, Iliou human, mousecapture human. Bots: Iliou moderate and
//! advanced, mousecapture machine, and every synthetic family with the clean
//! environment only (environment evidence is a separate hard rule, so the
//! behavioural model has to learn behaviour). Synthetic replays are left out
//! of training: they are people's own movements and are caught by the
//! store-side fingerprint, so teaching the model to call them bots would only
//! teach it to call people bots; they are still evaluated. Three humanisers
//! (pyclick, WindMouse, minimum-jerk) are held out too, so that their rows
//! measure the model on generators it has never seen
//! (`synth::Family::HELD_OUT`).
//!
//! Every dataset (humans) and family (bots) carries the same total weight, so
//! Balabit's 14k windows do not dominate; within a group each window counts
//! in proportion to its pointer evidence. The fit is an L2-regularised
//! logistic regression by Newton's method on standardised inputs. The
//! threshold of every fitted model is chosen on its own training humans so
//! that at most `--target-fp` of each human dataset's windows fall below it;
//! the tables report what that gives on people the model never saw.
//!
//! Validation, all split by person (windows of one person never on both
//! sides): (a) K-fold cross-validation per dataset and family; (b) leave one
//! bot family out: for each family, K fits without it (and without the test
//! fold's people), the family's windows caught and the humans' false
//! positives; (c) the final model on its own training data.

// Matrix and vector code reads best with explicit indices.
#![allow(clippy::needless_range_loop)]

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Parser;
use huma::corpus::{self, synth, Class};
use huma::scoring::features::{extract, Features};
use huma::scoring::model::{evaluate_with, evidence, inputs, Weights, INPUTS, INPUT_NAMES, Z_MAX};

#[derive(Parser)]
#[command(about = "Fit the behavioural model on the recordings and synthetic bot families")]
struct Args {
    /// Folder with balabit/, iliou/, mousecapture/.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Write the generated weights file here.
    #[arg(long, default_value = "src/scoring/weights.rs")]
    write: PathBuf,
    /// Synthetic windows per family.
    #[arg(long, default_value_t = 1500)]
    synth: usize,
    /// Seed of the synthetic generators (huma-eval uses 1: keep them apart).
    #[arg(long, default_value_t = 1001)]
    seed: u64,
    /// Person-level folds.
    #[arg(long, default_value_t = 6)]
    folds: usize,
    /// L2 penalty (each class's sample weights sum to about 1).
    #[arg(long, default_value_t = 1.0)]
    l2: f64,
    /// Share of each human dataset's training windows allowed below the threshold.
    #[arg(long, default_value_t = 0.0005)]
    target_fp: f64,
    /// Weight of the human class relative to the bot class: the threshold
    /// sits in the human tail, so the fit should care most about it.
    #[arg(long, default_value_t = 4.0)]
    human_weight: f64,
    /// Print the most bot-like human windows and the least bot-like bots.
    #[arg(long)]
    debug: bool,
    /// Train on tap-to-click copies of people's windows too (see `tap_to_click`).
    #[arg(long)]
    tap_people: bool,
}

/// One window, reduced to what training needs.
struct Row {
    /// `balabit/human`, `synth/bezier_humanised`, …
    group: String,
    class: Class,
    fold: usize,
    f: Features,
    active: bool,
    /// Trained on (replays are evaluated only).
    train: bool,
}

fn main() {
    let args = Args::parse();
    let rows = load(&args);
    let groups: Vec<String> = {
        let mut g: Vec<String> = rows.iter().map(|r| r.group.clone()).collect();
        g.sort();
        g.dedup();
        g
    };
    let human_groups: Vec<&String> = groups
        .iter()
        .filter(|g| rows.iter().any(|r| &r.group == *g && r.class == Class::Human))
        .collect();
    let bot_families: Vec<&String> = groups
        .iter()
        .filter(|g| rows.iter().any(|r| &r.group == *g && r.class == Class::Bot && r.train))
        .collect();
    println!(
        "huma-train: data {}, synthetic {} windows per family (clean env), seed {}, {} folds by person, l2 {}, target fp {}%",
        args.data.display(),
        args.synth,
        args.seed,
        args.folds,
        args.l2,
        100.0 * args.target_fp
    );
    for g in &groups {
        let n = rows.iter().filter(|r| &r.group == g).count();
        let trained = rows.iter().any(|r| &r.group == g && r.train);
        println!(
            "  {g:<36} {n:>6} windows{}",
            if trained { "" } else { "  (evaluated only)" }
        );
    }

    // (a) Person-level cross-validation.
    let mut caught = vec![false; rows.len()];
    let mut thresholds = Vec::new();
    for k in 0..args.folds {
        let w = fit(&rows, &args, |r| r.fold != k && r.train);
        thresholds.push(w.threshold);
        for (i, r) in rows.iter().enumerate() {
            if r.fold == k {
                caught[i] = is_caught(r, &w);
            }
        }
    }
    println!(
        "\n(a) PERSON-LEVEL {}-FOLD CV (out-of-fold; human rows: % called not human = false positives)",
        args.folds
    );
    let mut table = String::new();
    table_header(&mut table);
    for g in &groups {
        table_row(&mut table, g, &rows, &caught, |r| &r.group == g);
    }
    print!("{table}");
    println!(
        "  fold thresholds (raw logit): {}",
        thresholds
            .iter()
            .map(|t| format!("{t:.3}"))
            .collect::<Vec<_>>()
            .join(" ")
    );

    // (b) Leave one bot family out, inside the person folds.
    println!("\n(b) LEAVE-ONE-FAMILY-OUT (family never in training; humans out-of-fold)");
    println!(
        "{:<36} {:>8} {:>9}   {}",
        "left-out family",
        "windows",
        "caught %",
        human_groups
            .iter()
            .map(|g| format!("{:>24}", format!("{g} fp%")))
            .collect::<String>()
    );
    let mut lofo = Vec::new();
    for fam in &bot_families {
        let mut hit = vec![false; rows.len()];
        for k in 0..args.folds {
            let w = fit(&rows, &args, |r| r.fold != k && r.train && &r.group != *fam);
            for (i, r) in rows.iter().enumerate() {
                if r.fold == k && (&r.group == *fam || r.class == Class::Human) {
                    hit[i] = is_caught(r, &w);
                }
            }
        }
        let (n, c) = count(&rows, &hit, |r| &r.group == *fam);
        let fps: String = human_groups
            .iter()
            .map(|g| {
                let (n, c) = count(&rows, &hit, |r| &r.group == *g);
                format!("{:>24.2}", pct(c, n))
            })
            .collect();
        println!("{fam:<36} {n:>8} {:>9.2}   {fps}", pct(c, n));
        lofo.push((fam.to_string(), pct(c, n)));
    }
    // Families never trained on are left out by construction: their CV row is their LOFO figure.
    for g in &groups {
        if rows.iter().any(|r| &r.group == g && r.class == Class::Bot && !r.train) {
            let (n, c) = count(&rows, &caught, |r| &r.group == g);
            println!(
                "{g:<36} {n:>8} {:>9.2}   (never trained on; figure from (a))",
                pct(c, n)
            );
        }
    }

    // (c) The final model.
    let w = fit(&rows, &args, |r| r.train);
    let all: Vec<bool> = rows.iter().map(|r| is_caught(r, &w)).collect();
    println!("\n(c) FINAL MODEL (all training data; in-sample)");
    let mut table = String::new();
    table_header(&mut table);
    for g in &groups {
        table_row(&mut table, g, &rows, &all, |r| &r.group == g);
    }
    print!("{table}");
    println!("  threshold (raw logit) {:.4}, bias {:.4}", w.threshold, w.bias);
    println!("\n  {:<22} {:>9} {:>9} {:>9}", "input", "coef", "mean", "scale");
    for i in 0..INPUTS {
        println!(
            "  {:<22} {:>9.4} {:>9.4} {:>9.4}",
            INPUT_NAMES[i].0, w.coef[i], w.mean[i], w.scale[i]
        );
    }
    if args.debug {
        debug_worst(&rows, &w);
    }
    let text = weights_file(&w, &args);
    if let Err(e) = std::fs::write(&args.write, text) {
        eprintln!("error: cannot write {}: {e}", args.write.display());
        std::process::exit(1);
    }
    println!("\nweights written to {}", args.write.display());
}

fn load(args: &Args) -> Vec<Row> {
    let mut recorded = match corpus::load_recorded(&args.data, None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.data.display());
            std::process::exit(1);
        }
    };
    if args.tap_people {
        recorded.extend(tap_to_click(&recorded));
    }
    let sources: Vec<_> = recorded
        .iter()
        .filter(|w| {
            w.class == Class::Human && w.dataset == "iliou" && w.family == "human" && w.signals.m.len() >= 3 * 20
        })
        .map(|w| &w.signals)
        .collect();
    let synthetic: Vec<_> = synth::windows(args.synth, args.seed, &sources)
        .into_iter()
        .filter(|w| w.family.ends_with("/clean_env"))
        .collect();
    // Folds: persons of each group in sorted order, dealt round-robin.
    let mut persons: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let group_of =
        |dataset: &str, family: &str| format!("{dataset}/{}", family.split_once('/').map_or(family, |(f, _)| f));
    for w in recorded.iter().chain(&synthetic) {
        persons
            .entry(group_of(w.dataset, &w.family))
            .or_default()
            .push(w.person.clone());
    }
    let mut fold_of: HashMap<(String, String), usize> = HashMap::new();
    for (g, ps) in &mut persons {
        ps.sort();
        ps.dedup();
        for (i, p) in ps.iter().enumerate() {
            fold_of.insert((g.clone(), p.clone()), i % args.folds);
        }
    }
    recorded
        .iter()
        .chain(&synthetic)
        .map(|w| {
            let group = group_of(w.dataset, &w.family);
            // A tap-to-click copy sits in its person's fold, so that no
            // person's windows are on both sides in either form.
            let fold_group = group_of(w.dataset, if w.family == TAP_FAMILY { "human" } else { &w.family });
            Row {
                fold: fold_of[&(fold_group, w.person.clone())],
                train: w.dataset != "synth" || synth_family(&w.family).is_none_or(synth::Family::trained),
                group,
                class: w.class,
                f: extract(&w.signals),
                active: !w.signals.is_empty(),
            }
        })
        .collect()
}

/// The family of the tap-to-click copies of people's windows.
const TAP_FAMILY: &str = "tap_to_click";

/// People's windows with clicks again, every click released at once (0–3
/// ms): a touchpad's tap-to-click (macOS sends the press and the release
/// together when the finger lifts). Balabit and Iliou; mousecapture's
/// presses are slider drags, which a tap does not make.
fn tap_to_click(recorded: &[corpus::Window]) -> Vec<corpus::Window> {
    recorded
        .iter()
        .filter(|w| w.class == Class::Human && w.dataset != "mousecapture" && !w.signals.c.is_empty())
        .enumerate()
        .map(|(i, w)| {
            let mut w = w.clone();
            w.family = TAP_FAMILY.to_string();
            for (j, row) in w.signals.c.chunks_exact_mut(5).enumerate() {
                row[3] = ((i + j) % 4) as f64;
            }
            w
        })
        .collect()
}

/// The synthetic family of a window's `family` (`<name>/<env>`).
fn synth_family(family: &str) -> Option<synth::Family> {
    synth::Family::named(family.split_once('/').map_or(family, |(f, _)| f))
}

fn is_caught(r: &Row, w: &Weights) -> bool {
    let v = evaluate_with(&r.f, r.active, w);
    v.confidence < 0.5 || v.agent.is_agent
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        f64::NAN
    } else {
        100.0 * n as f64 / d as f64
    }
}

fn count(rows: &[Row], hit: &[bool], keep: impl Fn(&Row) -> bool) -> (usize, usize) {
    let (mut n, mut c) = (0, 0);
    for (r, h) in rows.iter().zip(hit) {
        if keep(r) {
            n += 1;
            c += *h as usize;
        }
    }
    (n, c)
}

fn table_header(out: &mut String) {
    let _ = writeln!(
        out,
        "{:<36} {:>6} {:>8} {:>18}",
        "group", "class", "windows", "called not human %"
    );
}

fn table_row(out: &mut String, g: &str, rows: &[Row], hit: &[bool], keep: impl Fn(&Row) -> bool) {
    let (n, c) = count(rows, hit, &keep);
    let class = rows.iter().find(|r| keep(r)).map(|r| r.class);
    let class = if class == Some(Class::Human) { "human" } else { "bot" };
    let _ = writeln!(out, "{g:<36} {class:>6} {n:>8} {:>18.2}", pct(c, n));
}

/// Fits a model on the rows `keep` selects and sets its threshold.
fn fit(rows: &[Row], args: &Args, keep: impl Fn(&Row) -> bool) -> Weights {
    let chosen: Vec<&Row> = rows.iter().filter(|r| keep(r)).collect();
    // Every group weighs the same within its class; each class weighs half.
    let mut per_group: HashMap<&str, f64> = HashMap::new();
    for r in &chosen {
        *per_group.entry(r.group.as_str()).or_default() += evidence(&r.f) as f64;
    }
    let groups_of = |c: Class| {
        let mut g: Vec<&str> = chosen
            .iter()
            .filter(|r| r.class == c)
            .map(|r| r.group.as_str())
            .collect();
        g.sort();
        g.dedup();
        g.len().max(1) as f64
    };
    let (gh, gb) = (groups_of(Class::Human), groups_of(Class::Bot));
    let sw: Vec<f64> = chosen
        .iter()
        .map(|r| {
            let e = evidence(&r.f) as f64;
            let total = per_group[r.group.as_str()].max(1e-9);
            let class = if r.class == Class::Human {
                gh / args.human_weight
            } else {
                gb
            };
            e / total / class
        })
        .collect();

    // Standardisation over the rows where each input was measured.
    let raw: Vec<([f32; INPUTS], [f32; INPUTS])> = chosen.iter().map(|r| inputs(&r.f)).collect();
    let (mut mean, mut scale) = ([0.0f32; INPUTS], [1.0f32; INPUTS]);
    for i in 0..INPUTS {
        let (mut s0, mut s1, mut s2) = (0.0f64, 0.0f64, 0.0f64);
        for ((x, g), w) in raw.iter().zip(&sw) {
            let ww = w * g[i] as f64;
            s0 += ww;
            s1 += ww * x[i] as f64;
            s2 += ww * (x[i] as f64) * (x[i] as f64);
        }
        if s0 > 0.0 {
            let m = s1 / s0;
            mean[i] = m as f32;
            scale[i] = ((s2 / s0 - m * m).max(0.0).sqrt()).max(1e-3) as f32;
        }
    }
    let z: Vec<[f64; INPUTS]> = raw
        .iter()
        .map(|(x, g)| {
            let mut z = [0.0; INPUTS];
            for i in 0..INPUTS {
                z[i] = (g[i] * ((x[i] - mean[i]) / scale[i]).clamp(-Z_MAX, Z_MAX)) as f64;
            }
            z
        })
        .collect();
    let y: Vec<f64> = chosen
        .iter()
        .map(|r| if r.class == Class::Human { 1.0 } else { 0.0 })
        .collect();

    // Newton's method; parameter INPUTS is the bias (not penalised).
    const P: usize = INPUTS + 1;
    let mut beta = [0.0f64; P];
    for _ in 0..50 {
        let mut grad = [0.0f64; P];
        let mut hess = [[0.0f64; P]; P];
        for ((zi, yi), wi) in z.iter().zip(&y).zip(&sw) {
            let mut s = beta[INPUTS];
            for j in 0..INPUTS {
                s += beta[j] * zi[j];
            }
            let p = 1.0 / (1.0 + (-s).exp());
            let g = wi * (p - yi);
            let h = wi * (p * (1.0 - p)).max(1e-12);
            let xv = |j: usize| if j == INPUTS { 1.0 } else { zi[j] };
            for a in 0..P {
                let xa = xv(a);
                grad[a] += g * xa;
                for b in a..P {
                    hess[a][b] += h * xa * xv(b);
                }
            }
        }
        for a in 0..P {
            for b in 0..a {
                hess[a][b] = hess[b][a];
            }
        }
        for j in 0..INPUTS {
            grad[j] += args.l2 * beta[j];
            hess[j][j] += args.l2;
        }
        let step = solve(hess, grad);
        let mut size = 0.0f64;
        for j in 0..P {
            beta[j] -= step[j];
            size = size.max(step[j].abs());
        }
        if size < 1e-7 {
            break;
        }
    }
    let mut w = Weights {
        mean,
        scale,
        coef: [0.0; INPUTS],
        bias: beta[INPUTS] as f32,
        threshold: 0.0,
    };
    for j in 0..INPUTS {
        w.coef[j] = beta[j] as f32;
    }
    w.threshold = threshold(&chosen, &w, args.target_fp);
    w
}

/// The largest threshold that keeps at most `target` of each human group's
/// windows (among `rows`) below 0.5. With evidence `e` a window's logit is
/// `total0 - e · threshold`, so each window has a break-even threshold.
fn threshold(rows: &[&Row], w: &Weights, target: f64) -> f32 {
    let base = Weights { threshold: 0.0, ..*w };
    let mut by_group: BTreeMap<&str, (usize, Vec<f64>)> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.class == Class::Human) {
        let entry = by_group.entry(r.group.as_str()).or_default();
        entry.0 += 1;
        let e = evidence(&r.f) as f64;
        if e > 0.0 {
            let conf = evaluate_with(&r.f, r.active, &base).confidence.clamp(1e-7, 1.0 - 1e-7) as f64;
            let total0 = (conf / (1.0 - conf)).ln();
            entry.1.push(total0 / e);
        }
    }
    let mut t = f64::INFINITY;
    for (n, mut breaks) in by_group.into_values() {
        breaks.sort_by(f64::total_cmp);
        let allowed = (target * n as f64).floor() as usize;
        if let Some(b) = breaks.get(allowed) {
            t = t.min(*b - 1e-4);
        }
    }
    if t.is_finite() {
        t as f32
    } else {
        0.0
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve<const P: usize>(mut a: [[f64; P]; P], mut b: [f64; P]) -> [f64; P] {
    for c in 0..P {
        let p = (c..P)
            .max_by(|i, j| a[*i][c].abs().total_cmp(&a[*j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        let d = if a[c][c].abs() < 1e-12 { 1e-12 } else { a[c][c] };
        for r in c + 1..P {
            let k = a[r][c] / d;
            for j in c..P {
                a[r][j] -= k * a[c][j];
            }
            b[r] -= k * b[c];
        }
    }
    let mut x = [0.0; P];
    for c in (0..P).rev() {
        let mut s = b[c];
        for j in c + 1..P {
            s -= a[c][j] * x[j];
        }
        let d = if a[c][c].abs() < 1e-12 { 1e-12 } else { a[c][c] };
        x[c] = s / d;
    }
    x
}

fn weights_file(w: &Weights, args: &Args) -> String {
    let arr = |v: &[f32; INPUTS]| {
        let mut s = String::from("[\n");
        for (i, x) in v.iter().enumerate() {
            let _ = writeln!(s, "        // {}\n        {x:?},", INPUT_NAMES[i].0);
        }
        s.push_str("    ]");
        s
    };
    format!(
        "//! Generated by `cargo run --release --bin huma-train -- --data {data}`\n\
         //! (synthetic {synth} per family, seed {seed}, {folds} folds, l2 {l2}, target fp {fp}).\n\
         //! Do not edit: rerun the command. The model card (docs/model-card.md) has its figures.\n\
         \n\
         use super::model::Weights;\n\
         \n\
         pub const TRAINED: Weights = Weights {{\n    mean: {mean},\n    scale: {scale},\n    coef: {coef},\n    bias: {bias:?},\n    threshold: {th:?},\n}};\n",
        data = args.data.display(),
        synth = args.synth,
        seed = args.seed,
        folds = args.folds,
        l2 = args.l2,
        fp = args.target_fp,
        mean = arr(&w.mean),
        scale = arr(&w.scale),
        coef = arr(&w.coef),
        bias = w.bias,
        th = w.threshold,
    )
}

fn debug_worst(rows: &[Row], w: &Weights) {
    use huma::scoring::model::standardised;
    let mut v: Vec<(f32, &Row)> = rows
        .iter()
        .map(|r| (evaluate_with(&r.f, r.active, w).confidence, r))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let show = |c: f32, r: &Row| {
        let z = standardised(&r.f, w);
        let mut t: Vec<(f32, &str)> = (0..INPUTS).map(|i| (w.coef[i] * z[i], INPUT_NAMES[i].0)).collect();
        t.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!(
            "  {c:.3} {} e={:.2} moves={} clicks={} | {}",
            r.group,
            evidence(&r.f),
            r.f.moves,
            r.f.clicks,
            t.iter()
                .take(4)
                .map(|(x, n)| format!("{n} {x:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let mut groups: Vec<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    groups.sort();
    groups.dedup();
    print!("{:<22}", "input p10/p50/p90");
    for g in &groups {
        print!(
            " {:>17}",
            g.rsplit('/').next().unwrap_or(g).chars().take(17).collect::<String>()
        );
    }
    println!();
    for i in 0..INPUTS {
        print!("{:<22}", INPUT_NAMES[i].0);
        for g in &groups {
            let mut xs: Vec<f32> = rows
                .iter()
                .filter(|r| r.group == *g)
                .map(|r| inputs(&r.f))
                .filter(|(_, gt)| gt[i] > 0.0)
                .map(|(x, _)| x[i])
                .collect();
            xs.sort_by(f32::total_cmp);
            let q = |p: f64| {
                xs.get(((xs.len() as f64 - 1.0) * p) as usize)
                    .copied()
                    .unwrap_or(f32::NAN)
            };
            print!(" {:>5.2}/{:>5.2}/{:>5.2}", q(0.1), q(0.5), q(0.9));
        }
        println!();
    }
    let named = |n: &str| INPUT_NAMES.iter().position(|x| x.0 == n);
    for i in ["peak_centred", "turn_jerk", "speed_roughness", "peak_pos"]
        .into_iter()
        .filter_map(named)
    {
        println!("{} low tail (p0.1 p1 p5 p50) by group, dense only:", INPUT_NAMES[i].0);
        for g in &groups {
            let mut xs: Vec<(f32, f32)> = rows
                .iter()
                .filter(|r| r.group == *g)
                .map(|r| (inputs(&r.f), r.f.shaped))
                .filter(|((_, gt), _)| gt[i] > 0.0)
                .map(|((x, _), n)| (x[i], n))
                .collect();
            xs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let q = |p: f64| {
                xs.get(((xs.len() as f64 - 1.0) * p) as usize)
                    .copied()
                    .unwrap_or((f32::NAN, 0.0))
            };
            println!(
                "  {g:<30} n={:>5} {:?} {:?} {:?} {:?}",
                xs.len(),
                q(0.001),
                q(0.01),
                q(0.05),
                q(0.5)
            );
        }
    }
    for g in ["balabit/human", "iliou/human", "mousecapture/human"] {
        println!("worst {g}:");
        for (c, r) in v.iter().filter(|(_, r)| r.group == g).take(6) {
            show(*c, r);
        }
    }
}
