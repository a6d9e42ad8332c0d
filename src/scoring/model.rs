//! The first model: a hand-weighted additive logit over a handful of
//! [`Features`], with one agent head beside it. Weights are in logit units
//! and written down here so that a reader can check every one of them; a
//! trained model will replace them behind the same `evaluate` signature.
//!
//! Ground rules the weights obey:
//! - A window with no evidence sits at `BIAS` (≈ 0.67): reading a page is
//!   not suspicious, and a missing modality never counts against anyone.
//! - Only hard evidence (webdriver, a DevTools client, untrusted events)
//!   can take a window below 0.5 on its own; every soft term is smaller in
//!   magnitude than `BIAS`, so the soft ones must agree to call a bot.
//! - Terms are smooth ramps rather than thresholds: a human near a boundary
//!   loses a little confidence, not all of it.

use super::features::{Features, DENSE_SAMPLING_MS};
use super::{AgentVerdict, Label, Labels, Profile, Reason, Verdict, MAX_REASONS, PROFILE_LEN};

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

/// Number of terms of the human model.
const TERMS: usize = 18;

/// One additive term: its logit and the label it speaks for on each side.
#[derive(Clone, Copy)]
struct Term {
    logit: f32,
    human: Label,
    bot: Label,
}

/// Scores features into a verdict. Pure, allocation-free, total.
pub fn evaluate(f: &Features, active: bool) -> Verdict {
    let terms = terms(f);
    let total = BIAS + terms.iter().map(|t| t.logit).sum::<f32>();
    let confidence = sigmoid(total);

    let mut notes = Labels::EMPTY;
    for t in &terms {
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

fn terms(f: &Features) -> [Term; TERMS] {
    use Label::*;
    let t = |logit: f32, human: Label, bot: Label| Term { logit, human, bot };
    // Shape needs a few movements; sparse traces are judged by shape and
    // speed, never by the tremor they cannot show.
    let shaped = gate(f.segments >= 1.0 && f.speed_samples >= 5.0);
    let dense = gate(f.interval_mean > 0.0 && f.interval_mean < DENSE_SAMPLING_MS as f32 && f.speed_samples >= 20.0);
    let typed = gate(f.flights >= 5.0);
    let held = gate(f.keys >= 5.0);
    let scrolled = gate(f.scrolls >= 3.0);
    let clicked = f.clicks.min(3.0) / 3.0;
    let regular_scroll = 1.0 - ramp(f.scroll_interval_cv, 0.05, 0.2);
    let known_coalescing = gate(f.coalesced_share >= 0.0);
    [
        t(
            -0.6 * shaped * sym(f.straightness, 0.95, 0.035),
            OrganicMouse,
            LinearMouse,
        ),
        t(
            0.6 * shaped * sym(f.speed_cv, 0.3, 0.15),
            OrganicMouse,
            ConstantVelocity,
        ),
        t(0.3 * shaped * sym(f.turn_mean, 0.12, 0.08), OrganicMouse, LinearMouse),
        t(
            0.2 * shaped * sym(f.accel_flips, 0.15, 0.1),
            OrganicMouse,
            ConstantVelocity,
        ),
        t(
            0.4 * dense * sym(f.micro_share, 0.03, 0.03),
            OrganicMouse,
            NoMicroMovement,
        ),
        t(-0.55 * ramp(f.teleports, 0.0, 2.0), OrganicMouse, TeleportingPointer),
        t(-0.3 * ramp(f.jumps, 0.0, 3.0), OrganicMouse, InhumanSpeed),
        t(-0.6 * f.instant_click_share, OrganicMouse, InstantClicks),
        t(-0.5 * clicked * f.centered_click_share, OrganicMouse, CenteredClicks),
        t(0.6 * typed * sym(f.key_flight_cv, 0.18, 0.08), NaturalTyping, BotTyping),
        t(
            0.3 * held * sym(f.key_hold_cv, 0.1, 0.06) - 0.5 * held * f.zero_hold_share,
            NaturalTyping,
            BotTyping,
        ),
        t(
            scrolled * (0.3 * f.device_scroll_share * (1.0 - regular_scroll) - 0.5 * regular_scroll * f.same_dy_share),
            NaturalScroll,
            ScriptedScroll,
        ),
        t(
            0.4 * gate(f.touches >= 3.0) * ramp(f.touch_moves, 0.0, 3.0),
            TouchInput,
            SyntheticEvents,
        ),
        t(
            known_coalescing
                * (0.25 * ramp(f.coalesced_share, 0.05, 0.3) - 0.15 * (1.0 - ramp(f.coalesced_share, 0.0, 0.05))),
            OrganicMouse,
            SyntheticEvents,
        ),
        t(-6.0 * ramp(f.untrusted_share, 0.0, 0.1), OrganicMouse, SyntheticEvents),
        t(-6.0 * f.webdriver, OrganicMouse, Webdriver),
        t(-5.0 * f.cdp, OrganicMouse, CdpRuntime),
        t(-4.0 * f.headless_ua, OrganicMouse, Headless),
    ]
}

/// The agent head: is a program (often a model) driving a real browser?
fn agent(f: &Features) -> AgentVerdict {
    use Label::*;
    let uniform_typing = gate(f.flights >= 5.0) * (1.0 - ramp(f.key_flight_cv, 0.05, 0.15));
    let paste_only = gate(f.pastes >= 1.0 && f.printable_keys == 0.0);
    let signals: [(Label, f32); 8] = [
        (Webdriver, 6.0 * f.webdriver),
        (CdpRuntime, 5.0 * f.cdp),
        (Headless, 4.0 * f.headless_ua),
        (SyntheticEvents, 6.0 * ramp(f.untrusted_share, 0.0, 0.1)),
        (TeleportingPointer, 1.5 * ramp(f.teleports, 0.0, 2.0)),
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
        or_absent(moved, f.speed_cv / 2.0),
        or_absent(f.segments >= 1.0, f.straightness),
        or_absent(f.keys >= 3.0, f.key_hold_mean / 300.0),
        or_absent(f.flights >= 3.0, f.key_flight_mean / 1000.0),
        or_absent(f.clicks >= 1.0, f.click_hold_mean / 400.0),
        or_absent(moved, f.micro_share),
        or_absent(moved, f.pause_share),
    ])
}
