//! The model: a trained logistic regression over the pointer and click
//! features (weights in `weights.rs`, written by `huma-train`), hand-set
//! terms for the modalities no recording covers (typing, scroll, touch), the
//! hard environment evidence, and an agent head beside it.
//!
//! Ground rules:
//! - The trained part is calibrated so that its logit is 0 at the chosen
//!   threshold, then shrunk toward [`BIAS`] when the window holds little
//!   pointer evidence: a reader, a typist or a touch user is judged by what
//!   they did, and the absence of a mouse is never bot evidence.
//! - No single trained term may exceed [`MAX_TERM`] in magnitude, so no one
//!   soft feature decides alone; only hard evidence (webdriver, a DevTools
//!   client, injected input: untrusted events or zero-pressure mouse presses)
//!   caps the confidence on its own.
//! - Hand terms are smooth ramps rather than thresholds: a human near a
//!   boundary loses a little confidence, not all of it.

use super::features::Features;
use super::weights::TRAINED;
use super::{AgentVerdict, Label, Labels, Profile, Reason, Verdict, MAX_REASONS, PROFILE_LEN};

/// Number of inputs of the trained part.
pub const INPUTS: usize = 28;

/// The trained part: standardisation, coefficients and the threshold that
/// `huma-train` chose (all in logit units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    pub mean: [f32; INPUTS],
    pub scale: [f32; INPUTS],
    pub coef: [f32; INPUTS],
    pub bias: f32,
    /// Raw logit at which a window with full evidence is called a bot.
    pub threshold: f32,
}

/// The inputs, in order, with the labels each speaks for (human side, bot side).
pub const INPUT_NAMES: [(&str, Label, Label); INPUTS] = {
    use Label::*;
    [
        ("straightness", OrganicMouse, LinearMouse),
        ("speed_cv", OrganicMouse, ConstantVelocity),
        ("accel_flips", OrganicMouse, ConstantVelocity),
        ("turn_mean", OrganicMouse, LinearMouse),
        ("ln_speed_mean", OrganicMouse, InhumanSpeed),
        ("pause_share", OrganicMouse, ActionBursts),
        ("peak_pos", OrganicMouse, ConstantVelocity),
        ("edge_peak_share", OrganicMouse, ConstantVelocity),
        ("deviation", OrganicMouse, LinearMouse),
        ("chord_crossings", OrganicMouse, NoMicroMovement),
        ("bend_consistency", OrganicMouse, LinearMouse),
        ("turn_jerk", OrganicMouse, NoMicroMovement),
        ("speed_roughness", OrganicMouse, ConstantVelocity),
        ("speed_peaks", OrganicMouse, ConstantVelocity),
        ("peak_centred", OrganicMouse, ConstantVelocity),
        ("fitts_log_ratio", OrganicMouse, InhumanSpeed),
        ("fitts_log_abs", OrganicMouse, InhumanSpeed),
        ("micro_share", OrganicMouse, NoMicroMovement),
        ("click_corrections", OrganicMouse, InstantClicks),
        ("ln_teleports", OrganicMouse, TeleportingPointer),
        ("ln_jumps", OrganicMouse, InhumanSpeed),
        ("ln_placements", OrganicMouse, TeleportingPointer),
        ("instant_click_share", OrganicMouse, InstantClicks),
        ("centered_click_share", OrganicMouse, CenteredClicks),
        ("dense_speed_cv", OrganicMouse, ConstantVelocity),
        ("dense_fitts_log_ratio", OrganicMouse, InhumanSpeed),
        ("dense_ln_speed_mean", OrganicMouse, InhumanSpeed),
        ("dense_edge_peak_share", OrganicMouse, ConstantVelocity),
    ]
};

/// Speed samples in movements of three or more before the speed CV is read.
pub const CV_MIN_SAMPLES: f32 = 10.0;
/// Largest magnitude (logit) of one trained term.
pub const MAX_TERM: f32 = 2.0;
/// Pointer evidence (moving steps + 5 per click + 10 per placement) at which the trained part
/// counts fully; below it the logit is shrunk toward [`BIAS`].
pub const FULL_EVIDENCE: f32 = 40.0;
/// Mean peak off-centre below which movements look eased (symmetric): 99.9 %
/// of dense human windows in the recordings lie above 0.11.
pub const PEAK_CENTRED: f32 = 0.16;
/// Standardised inputs are clipped to this many standard deviations, so a
/// freak value cannot outvote the rest.
pub const Z_MAX: f32 = 4.0;
/// Confidence ceiling under hard evidence.
pub const HARD_CAP: f32 = 0.05;

/// Raw inputs and their gates (1 when the input was measured in this
/// window). Ungated inputs contribute nothing: absent is not evidence.
pub fn inputs(f: &Features) -> ([f32; INPUTS], [f32; INPUTS]) {
    let moved = gate(f.segments >= 1.0 && f.speed_samples >= 5.0);
    let cv_read = gate(speed_cv_measured(f));
    let timed = gate(f.speed_samples >= 5.0);
    let shaped = gate(f.shaped >= 1.0);
    let dense = gate(f.densely_sampled() && f.speed_samples >= 10.0);
    let clicked = gate(f.clicks >= 1.0);
    let approached = gate(f.clicks >= 1.0 && f.click_corrections >= 0.0);
    let always = 1.0;
    // Read twice: on every trace and again on dense ones only.
    let speed_cv = f.speed_cv.min(3.0);
    let ln_speed = (f.speed_mean + 0.01).ln();
    let x = [
        f.straightness,
        speed_cv,
        f.accel_flips,
        f.turn_mean,
        ln_speed,
        f.pause_share,
        f.peak_pos,
        f.edge_peak_share,
        f.deviation,
        f.chord_crossings.min(5.0),
        f.bend_consistency,
        f.turn_jerk.min(3.0),
        f.speed_roughness.min(5.0),
        f.speed_peaks.min(30.0),
        // A hinge: only peaks consistently near mid-way (an eased tween)
        // speak; how far off-centre a hand's peaks are says little more.
        (PEAK_CENTRED - f.peak_offcentre).max(0.0),
        f.fitts_log_ratio,
        f.fitts_log_abs,
        f.micro_share,
        f.click_corrections,
        (1.0 + f.teleports).ln(),
        (1.0 + f.jumps).ln(),
        (1.0 + f.placements).ln(),
        f.instant_click_share,
        f.centered_click_share,
        speed_cv,
        f.fitts_log_ratio,
        ln_speed,
        f.edge_peak_share,
    ];
    // The sampling interval's own regularity is left out: a real browser
    // fires moves on display frames, so people look as regular as timers
    // there, and the recordings we have (Iliou, RDP) do not show it.
    // Tremor, peak timing and sub-movements are only visible when the
    // trace is dense: a remote desktop's 100 ms samples average them out, so
    // there they are not measured at all (their absence proves nothing).
    let (dense_moved, dense_shaped) = (moved * dense, shaped * dense);
    let g = [
        moved,
        moved * cv_read,
        dense_moved,
        dense_moved,
        timed,
        always,
        dense_shaped,
        shaped,
        shaped,
        dense_shaped,
        shaped,
        dense_shaped,
        dense_shaped,
        dense_shaped,
        dense_shaped,
        shaped,
        shaped,
        dense,
        approached,
        always,
        always,
        always,
        clicked,
        clicked,
        dense_moved * cv_read,
        dense_shaped,
        timed * dense,
        dense_shaped,
    ];
    (x, g)
}

/// Whether the speed CV was measured: it exists only where movements had
/// three samples or more. A sparse trace (a slow remote desktop, a busy
/// page) has none, and its CV of 0 is not an even speed.
fn speed_cv_measured(f: &Features) -> bool {
    f.cv_samples >= CV_MIN_SAMPLES
}

/// How much pointer evidence the window holds, in [0, 1].
pub fn evidence(f: &Features) -> f32 {
    ((f.speed_samples + 5.0 * f.clicks + 10.0 * f.placements) / FULL_EVIDENCE).clamp(0.0, 1.0)
}

/// Standardised, gated inputs.
pub fn standardised(f: &Features, w: &Weights) -> [f32; INPUTS] {
    let (x, g) = inputs(f);
    let mut z = [0.0; INPUTS];
    for i in 0..INPUTS {
        z[i] = g[i] * ((x[i] - w.mean[i]) / w.scale[i]).clamp(-Z_MAX, Z_MAX);
    }
    z
}

/// Logit of a window with no evidence either way.
pub const BIAS: f32 = 0.7;
/// A term this large (logit) puts its label in `notes`.
pub const NOTE_MIN: f32 = 0.2;
/// Agent head: logit with no evidence (≈ 0.05).
pub const AGENT_BIAS: f32 = -3.0;
/// Agent signals whose term reaches this (logit) are reported.
pub const AGENT_SIGNAL_MIN: f32 = 0.5;

/// Profile entry meaning "this modality was absent": outside the [0, 1]
/// range of every normalised entry, and not NaN, so the profile serialises.
pub const PROFILE_ABSENT: f32 = -1.0;

/// RMS distance (in normalised units, over the entries both profiles have)
/// beyond which a later window looks like a different person or a script.
/// Set at the 95th percentile of distances between 10 s windows of the
/// same person in the Balabit recordings (0.38), so that at most about 5 %
/// of a person's own windows are flagged. Different people there sit at a
/// median of 0.23, so 10 s windows barely tell two people apart: this
/// catches a change of kind (a script taking over), not of person.
pub const PROFILE_SHIFT_THRESHOLD: f32 = 0.4;

/// Hand-set terms after the trained ones.
const HAND: usize = 9;
/// Logit per rushed click (two at most count): a person never clicked,
/// filled and left a field that fast, with a margin of three (see
/// [`super::features::RUSH_MS`]).
pub const RUSH_LOGIT: f32 = 1.5;
/// All additive terms.
const TERMS: usize = INPUTS + HAND;

/// One additive term: its logit and the label it speaks for on each side.
#[derive(Clone, Copy)]
struct Term {
    logit: f32,
    human: Label,
    bot: Label,
}

/// Scores features into a verdict with the committed weights.
pub fn evaluate(f: &Features, active: bool) -> Verdict {
    evaluate_with(f, active, &TRAINED)
}

/// Scores features into a verdict with the given trained part (the training
/// command validates candidate weights through this same function). Pure,
/// allocation-free, total.
pub fn evaluate_with(f: &Features, active: bool, w: &Weights) -> Verdict {
    let (terms, base) = terms(f, w);
    let total = base + terms.iter().map(|t| t.logit).sum::<f32>();
    let hard = f.webdriver > 0.0 || f.cdp > 0.0 || f.untrusted_share > 0.0 || f.zero_pressure_clicks >= 1.0;
    let confidence = if hard {
        sigmoid(total).min(HARD_CAP)
    } else {
        sigmoid(total)
    };

    // Notes on the pointer come from the readable feature thresholds (the
    // trained terms are many and small, and speak through `reasons`); the
    // other notes from the hand terms.
    let mut notes = pointer_notes(f);
    for t in &terms[INPUTS..] {
        if t.logit >= NOTE_MIN {
            notes.insert(t.human);
        } else if t.logit <= -NOTE_MIN {
            notes.insert(t.bot);
        }
    }
    if !active {
        notes.insert(Label::NoActivity);
    }

    Verdict {
        confidence,
        notes,
        reasons: [Reason {
            label: Label::NoActivity,
            weight: 0.0,
        }; MAX_REASONS],
        reason_count: 0,
        agent: agent(f),
        profile: profile(f),
        active,
    }
    .with_reasons(&terms, total)
}

/// The trained part's logit, calibrated (0 at the threshold) and shrunk
/// toward the no-evidence prior, relative to [`BIAS`]; with each term
/// returned for reasons and notes.
fn trained(f: &Features, w: &Weights, out: &mut [Term]) {
    let z = standardised(f, w);
    let e = evidence(f);
    for i in 0..INPUTS {
        let (_, human, bot) = INPUT_NAMES[i];
        out[i] = Term {
            logit: e * (w.coef[i] * z[i]).clamp(-MAX_TERM, MAX_TERM),
            human,
            bot,
        };
    }
}

/// The verdict for a request that sent no signals at all: a scripted POST.
pub fn no_signals() -> Verdict {
    let mut notes = Labels::EMPTY;
    notes.insert(Label::NoSignals);
    Verdict {
        confidence: 0.1,
        notes,
        reasons: [Reason {
            label: Label::NoSignals,
            weight: 0.0,
        }; MAX_REASONS],
        reason_count: 0,
        agent: AgentVerdict {
            is_agent: false,
            agent_confidence: 0.0,
            signals: Labels::EMPTY,
        },
        profile: Profile([PROFILE_ABSENT; PROFILE_LEN]),
        active: false,
    }
}

/// RMS distance between two profiles over the entries both have; `None`
/// when they share none (say, a mouse window against a typing window).
pub fn profile_distance(a: &Profile, b: &Profile) -> Option<f32> {
    let (mut sum, mut n) = (0.0f32, 0u32);
    for (x, y) in a.0.iter().zip(b.0.iter()) {
        let shared = *x >= 0.0 && *y >= 0.0;
        sum += if shared { (x - y) * (x - y) } else { 0.0 };
        n += shared as u32;
    }
    (n > 0).then(|| (sum / n as f32).sqrt())
}

impl Verdict {
    /// Fills `reasons` with the largest terms, each as its effect on the
    /// confidence (what the confidence would lose without it).
    fn with_reasons(mut self, terms: &[Term; TERMS], total: f32) -> Verdict {
        let conf = sigmoid(total);
        let mut effects = [Reason {
            label: Label::NoActivity,
            weight: 0.0,
        }; TERMS];
        for (e, t) in effects.iter_mut().zip(terms) {
            let label = if t.logit > 0.0 { t.human } else { t.bot };
            *e = Reason {
                label,
                weight: conf - sigmoid(total - t.logit),
            };
        }
        effects.sort_unstable_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        for e in effects.iter().take(MAX_REASONS).filter(|e| e.weight.abs() >= 0.001) {
            self.reasons[self.reason_count] = *e;
            self.reason_count += 1;
        }
        self
    }
}

fn sigmoid(x: f32) -> f32 {
    // Clamped so that the result is finite and strictly inside (0, 1).
    1.0 / (1.0 + (-x.clamp(-30.0, 30.0)).exp())
}

/// `x` mapped linearly from [lo, hi] onto [0, 1], clamped.
fn ramp(x: f32, lo: f32, hi: f32) -> f32 {
    ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
}

/// `x` mapped onto [-1, 1]: -1 at `mid - half`, +1 at `mid + half`.
fn sym(x: f32, mid: f32, half: f32) -> f32 {
    ((x - mid) / half).clamp(-1.0, 1.0)
}

/// 1.0 when `c` holds, else 0.0: gates terms without branching on floats.
fn gate(c: bool) -> f32 {
    c as u8 as f32
}

/// The additive terms and the base logit they add to.
fn terms(f: &Features, w: &Weights) -> ([Term; TERMS], f32) {
    use Label::*;
    let t = |logit: f32, human: Label, bot: Label| Term { logit, human, bot };
    let typed = gate(f.flights >= 5.0);
    // Holds are a finger's only on a hardware keyboard: not read where an
    // on-screen keyboard may be typing (Features::soft_keys).
    let held = gate(f.keys >= 5.0) * (1.0 - f.soft_keys);
    let scrolled = gate(f.scrolls >= 3.0);
    let regular_scroll = 1.0 - ramp(f.scroll_interval_cv, 0.05, 0.2);
    let mut out = [t(0.0, OrganicMouse, LinearMouse); TERMS];
    trained(f, w, &mut out[..INPUTS]);
    // At full evidence the base is the trained `bias - threshold`, with none
    // it is BIAS: the calibrated logit shrinks toward the prior.
    let e = evidence(f);
    let base = BIAS + e * (w.bias - w.threshold - BIAS);
    // A spread of timings speaks for fingers only at fingers' time scale:
    // keys a millisecond apart vary by 100 % from the clock's rounding
    // alone. So the human side of each CV is not read where the keys are
    // faster than fingers; its machine side (too even) still is.
    let fast = fingerless_flights(f);
    let flight_cv = sym(f.key_flight_cv, 0.18, 0.08);
    let short_holds = 1.0 - ramp(f.key_hold_mean, 15.0, 40.0);
    let hold_cv = sym(f.key_hold_cv, 0.1, 0.06);
    out[INPUTS] = t(
        0.6 * typed * (flight_cv - fast * flight_cv.max(0.0)),
        NaturalTyping,
        BotTyping,
    );
    // Keys held under ~20 ms or struck under ~25 ms apart on average are
    // beyond fingers (Dhakal et al., CHI 2018: holds ≈ 100 ms, fastest
    // typists' intervals ≈ 60 ms); each alone stays under BIAS.
    out[INPUTS + 1] = t(
        0.3 * held * (hold_cv - short_holds * hold_cv.max(0.0))
            - 0.5 * held * f.zero_hold_share
            - 0.6 * held * short_holds
            - 0.6 * fast,
        NaturalTyping,
        BotTyping,
    );
    out[INPUTS + 2] = t(
        scrolled * (0.3 * f.device_scroll_share * (1.0 - regular_scroll) - 0.5 * regular_scroll * f.same_dy_share),
        NaturalScroll,
        ScriptedScroll,
    );
    out[INPUTS + 3] = t(
        0.4 * gate(f.touches >= 3.0) * ramp(f.touch_moves, 0.0, 3.0),
        TouchInput,
        SyntheticEvents,
    );
    out[INPUTS + 4] = t(-6.0 * injected(f), OrganicMouse, SyntheticEvents);
    out[INPUTS + 5] = t(-6.0 * f.webdriver, OrganicMouse, Webdriver);
    out[INPUTS + 6] = t(-5.0 * f.cdp, OrganicMouse, CdpRuntime);
    out[INPUTS + 7] = t(-4.0 * headless(f), OrganicMouse, Headless);
    out[INPUTS + 8] = t(-RUSH_LOGIT * f.rushed_clicks.min(2.0), OrganicMouse, ActionBursts);
    (out, base)
}

/// Keys struck faster than fingers strike them, in [0, 1]: a mean flight
/// under ~25 ms over at least 5 flights (fastest typists ≈ 60 ms).
fn fingerless_flights(f: &Features) -> f32 {
    gate(f.flights >= 5.0) * (1.0 - ramp(f.key_flight_mean, 25.0, 50.0))
}

/// Headless evidence in [0, 1]: the user agent says so, or the window
/// cannot be on its screen ([`super::features::impossible_window`]).
fn headless(f: &Features) -> f32 {
    f.headless_ua.max(f.impossible_window)
}

/// Input-pipeline evidence in [0, 1]: events the page saw as untrusted, or
/// one mouse press no hardware makes (zero pressure, see
/// [`Features::zero_pressure_clicks`]). The larger of the two, so a window
/// with both is not counted twice.
fn injected(f: &Features) -> f32 {
    ramp(f.untrusted_share, 0.0, 0.1).max(gate(f.zero_pressure_clicks >= 1.0))
}

/// Pointer notes: smooth ramps over readable features, each as large as it
/// is far past its boundary; a ramp of at least [`NOTE_MIN`] names its label.
fn pointer_notes(f: &Features) -> Labels {
    use Label::*;
    let shaped = gate(f.segments >= 1.0 && f.speed_samples >= 5.0);
    let dense = gate(f.densely_sampled() && f.speed_samples >= 20.0);
    let clicked = f.clicks.min(3.0) / 3.0;
    let ramps: [(f32, Label, Label); 9] = [
        (
            -0.6 * shaped * sym(f.straightness, 0.95, 0.035),
            OrganicMouse,
            LinearMouse,
        ),
        (
            0.6 * shaped * gate(speed_cv_measured(f)) * sym(f.speed_cv, 0.3, 0.15),
            OrganicMouse,
            ConstantVelocity,
        ),
        (0.3 * shaped * sym(f.turn_mean, 0.12, 0.08), OrganicMouse, LinearMouse),
        (
            0.2 * shaped * sym(f.accel_flips, 0.15, 0.1),
            OrganicMouse,
            ConstantVelocity,
        ),
        (
            0.4 * dense * sym(f.micro_share, 0.03, 0.03),
            OrganicMouse,
            NoMicroMovement,
        ),
        (
            -0.55 * ramp(f.teleports + f.placements, 0.0, 2.0),
            OrganicMouse,
            TeleportingPointer,
        ),
        (-0.3 * ramp(f.jumps, 0.0, 3.0), OrganicMouse, InhumanSpeed),
        (-0.6 * f.instant_click_share, OrganicMouse, InstantClicks),
        (-0.5 * clicked * f.centered_click_share, OrganicMouse, CenteredClicks),
    ];
    let mut notes = Labels::EMPTY;
    for (logit, human, bot) in ramps {
        if logit >= NOTE_MIN {
            notes.insert(human);
        } else if logit <= -NOTE_MIN {
            notes.insert(bot);
        }
    }
    notes
}

/// The agent head: is a program (often a model) driving a real browser?
fn agent(f: &Features) -> AgentVerdict {
    use Label::*;
    let uniform_typing = gate(f.flights >= 5.0) * (1.0 - ramp(f.key_flight_cv, 0.05, 0.15));
    let paste_only = gate(f.pastes >= 1.0 && f.printable_keys == 0.0);
    // The pointer brought to a point and pressed there after think time:
    // put there with no path (placements) or glided there by a linear
    // tween (tweened arrivals).
    let arrivals = f.placements + f.tweened;
    // Keys struck faster than fingers (as in the confidence's typing term),
    // counted only beside such an arrival: a model typing a whole field at
    // once between screenshots. Alone it is a password manager's auto-type.
    let typed_burst = gate(arrivals >= 1.0) * fingerless_flights(f);
    let signals: [(Label, f32); 11] = [
        (Webdriver, 6.0 * f.webdriver),
        (CdpRuntime, 5.0 * f.cdp),
        (Headless, 4.0 * headless(f)),
        // Not decisive alone, and not in the confidence at all: apps that
        // embed a browser and set their own user agent show the same client
        // hints (model card, "Rewritten user agents and impossible windows").
        (SpoofedUserAgent, 2.0 * f.ua_spoofed),
        (SyntheticEvents, 6.0 * injected(f)),
        (TeleportingPointer, 1.5 * ramp(f.teleports, 0.0, 2.0)),
        (ActionBursts, 2.5 * ramp(arrivals, 0.0, 2.0)),
        (ActionBursts, 1.5 * typed_burst),
        (CenteredClicks, 1.2 * f.centered_click_share * f.clicks.min(3.0) / 3.0),
        (UniformTyping, 1.5 * uniform_typing),
        (PasteWithoutKeys, 1.0 * paste_only),
    ];
    let mut labels = Labels::EMPTY;
    let mut total = AGENT_BIAS;
    for (label, logit) in signals {
        total += logit;
        if logit >= AGENT_SIGNAL_MIN {
            labels.insert(label);
        }
    }
    let agent_confidence = sigmoid(total);
    AgentVerdict {
        is_agent: agent_confidence >= 0.5,
        agent_confidence,
        signals: labels,
    }
}

/// Eight normalised numbers describing a person's style, each in [0, 1] or
/// [`PROFILE_ABSENT`]: log mean speed, speed CV, straightness, key hold,
/// key flight, click hold, micro-movement share, pause share.
fn profile(f: &Features) -> Profile {
    let moved = f.speed_samples >= 5.0;
    let or_absent = |present: bool, v: f32| if present { v.clamp(0.0, 1.0) } else { PROFILE_ABSENT };
    Profile([
        or_absent(moved, ((f.speed_mean + 0.01).ln() + 4.0) / 6.0),
        or_absent(moved && speed_cv_measured(f), f.speed_cv / 2.0),
        or_absent(f.segments >= 1.0, f.straightness),
        or_absent(f.keys >= 3.0, f.key_hold_mean / 300.0),
        or_absent(f.flights >= 3.0, f.key_flight_mean / 1000.0),
        or_absent(f.clicks >= 1.0, f.click_hold_mean / 400.0),
        or_absent(moved, f.micro_share),
        or_absent(moved, f.pause_share),
    ])
}
